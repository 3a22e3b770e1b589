// entente history import | show: a customer's purchase and contact history as the
// firm's ERP exports it, daily (docs/operations.md, "Purchase and contact history"),
// and the facts the node derives from it for marketers to filter on.
#include "tools/commands.h"
#include "tools/control-client.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

namespace entente::tools {
namespace {

struct ShowOptions {
  std::string customer, node;
  bool json = false;
};

// "129.90 EUR" from minor units.
std::string amountText(int64_t minor, const std::string& currency) {
  if (currency.empty() && minor == 0) return "-";
  bool negative = minor < 0;
  uint64_t magnitude = negative ? static_cast<uint64_t>(-(minor + 1)) + 1 : static_cast<uint64_t>(minor);
  return fmt::format("{}{}.{:02} {}", negative ? "-" : "", magnitude / 100, magnitude % 100, currency);
}

void show(const ShowOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto request = client.control().customerHistoryRequest();
  request.setCustomerId(o.customer);
  auto response = client.wait(request.send());  // owns what `history` reads
  auto history = response.getHistory();
  if (o.json) {
    nlohmann::ordered_json out;
    out["customer"] = o.customer;
    auto& facts = out["facts"] = nlohmann::ordered_json::object();
    for (auto f : history.getFacts()) facts[f.getName().cStr()] = f.getValue().cStr();
    auto& events = out["events"] = nlohmann::ordered_json::array();
    for (auto e : history.getEvents()) {
      events.push_back({{"eventId", e.getEventId().cStr()},
                        {"date", e.getDate().cStr()},
                        {"type", e.getType().cStr()},
                        {"category", e.getCategory().cStr()},
                        {"amountMinor", e.getAmountMinor()},
                        {"currency", e.getCurrency().cStr()},
                        {"channel", e.getChannel().cStr()},
                        {"source", e.getSource().cStr()}});
    }
    fmt::print("{}\n", out.dump());
    return;
  }
  fmt::print("facts:\n");
  for (auto f : history.getFacts()) fmt::print("  {:<40} {}\n", f.getName().cStr(), f.getValue().cStr());
  fmt::print("events ({}):\n", history.getEvents().size());
  for (auto e : history.getEvents()) {
    fmt::print("  {} {:<18} {:<16} {:>14} {:<10} {} (from {})\n", e.getDate().cStr(), e.getType().cStr(),
               e.getCategory().size() ? e.getCategory().cStr() : "-", amountText(e.getAmountMinor(), e.getCurrency()),
               e.getChannel().size() ? e.getChannel().cStr() : "-", e.getEventId().cStr(), e.getSource().cStr());
  }
}

}  // namespace

void addHistoryCommands(CLI::App& app) {
  auto* group = app.add_subcommand("history", "Purchase and contact history from the firm's ERP");
  group->require_subcommand(1);
  group->footer("Example: entente history import erp-events.csv --map 'Kunde=customer_id' --date-format '%d.%m.%Y'");

  auto i = std::make_shared<ImportOptions>();
  i->kind = ImportOptions::Kind::HISTORY;
  auto* importCmd = group->add_subcommand("import", "Import purchase, return, complaint and contact events (by event id)");
  addImportOptions(*importCmd, *i);
  importCmd->footer(
      "Columns: customer_id, event_id, date, type (purchase, return, complaint, complaint_resolved, contact),\n"
      "category, amount (e.g. 129.90; required for purchase and return), currency (EUR), channel.\n"
      "Idempotent by event_id: a re-imported event is unchanged, or updated when it changed.\n"
      "Example: entente history import erp-2026-12-04.csv --map 'Order=event_id' --map 'Total=amount'");
  importCmd->callback([i] { runImportCommand(*i); });

  auto s = std::make_shared<ShowOptions>();
  auto* showCmd = group->add_subcommand("show", "Show one customer's events and the facts derived from them");
  showCmd->add_option("CUSTOMER", s->customer, "The customer's customer_id")->required();
  addNodeOption(*showCmd, s->node);
  showCmd->add_flag("--json", s->json, "Print the facts and events as one JSON object");
  showCmd->footer("Example: entente history show C-1042");
  showCmd->callback([s] { show(*s); });
}

}  // namespace entente::tools
