// entente consent set | import | show | report, and entente customer erase: what
// compliance officers and administrators do with consent and the right to erasure.
#include "node/import/import-columns.h"
#include "tools/commands.h"
#include "tools/control-client.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <ctime>

namespace entente::tools {
namespace {

struct ConsentOptions {
  std::string customer, purpose, state, source, basis = "consent", notice, expires, node;
  bool json = false;
};

std::string date(int64_t unix) { return utcDay(unix); }

int64_t parseDate(const std::string& text) {
  auto unix = node::isoDateToUnix(text);
  if (!unix) throw CliError("--expires takes a date, YYYY-MM-DD", 2);
  return *unix;
}

void set(const ConsentOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto request = client.control().setConsentRequest();
  auto change = request.initChange();
  change.setCustomerId(o.customer);
  change.setPurpose(o.purpose);
  change.setGranted(o.state == "granted");
  change.setSource(o.source);
  change.setBasis(o.basis);
  change.setNoticeVersion(o.notice);
  change.setExpiresAtUnix(o.expires.empty() ? 0 : parseDate(o.expires));
  bool changed = client.wait(request.send()).getChanged();
  if (changed) {
    fmt::print("consent for {} recorded as {}\n", o.purpose, o.state);
  } else {
    fmt::print("consent for {} was already {}; nothing changed\n", o.purpose, o.state);
  }
}

void show(const ConsentOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto request = client.control().showConsentRequest();
  request.setCustomerId(o.customer);
  auto response = client.wait(request.send());
  if (o.json) {
    // Field names documented in docs/operations.md, "JSON output".
    nlohmann::ordered_json out;
    out["customer"] = o.customer;
    auto& purposes = out["purposes"] = nlohmann::ordered_json::array();
    for (auto p : response.getPurposes()) {
      auto history = nlohmann::ordered_json::array();
      for (auto c : p.getHistory()) {
        history.push_back({{"granted", c.getGranted()},
                           {"atUnix", c.getAtUnix()},
                           {"recordedAtUnix", c.getRecordedAtUnix()},
                           {"basis", c.getBasis().cStr()},
                           {"noticeVersion", c.getNoticeVersion().cStr()},
                           {"expiresAtUnix", c.getExpiresAtUnix()},
                           {"source", c.getSource().cStr()}});
      }
      purposes.push_back({{"purpose", p.getPurpose().cStr()},
                          {"state", p.getState().cStr()},
                          {"description", p.getDescription().cStr()},
                          {"history", history}});
    }
    fmt::print("{}\n", out.dump());
    return;
  }
  for (auto p : response.getPurposes()) {
    fmt::print("{:<18} {}\n", p.getPurpose().cStr(), p.getState().cStr());
    fmt::print("  {}\n", p.getDescription().cStr());
    for (auto c : p.getHistory()) {
      fmt::print("  {} {:<9} on {}, recorded {}, basis {}, notice {}, expires {}, source: {}\n",
                 c.getGranted() ? "+" : "-", c.getGranted() ? "granted" : "withdrawn", date(c.getAtUnix()),
                 date(c.getRecordedAtUnix()), c.getBasis().cStr(),
                 c.getNoticeVersion().size() ? c.getNoticeVersion().cStr() : "-", date(c.getExpiresAtUnix()),
                 c.getSource().cStr());
    }
  }
}

void report(const ConsentOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto response = client.wait(client.control().consentReportRequest().send());
  if (o.json) {
    auto out = nlohmann::ordered_json::array();
    for (auto p : response.getPurposes()) {
      out.push_back({{"purpose", p.getPurpose().cStr()},
                     {"granted", p.getGranted()},
                     {"withdrawn", p.getWithdrawn()},
                     {"expired", p.getExpired()},
                     {"neverAsked", p.getNeverAsked()},
                     {"description", p.getDescription().cStr()}});
    }
    fmt::print("{}\n", out.dump());
    return;
  }
  fmt::print("{:<18} {:>9} {:>10} {:>8} {:>12}\n", "PURPOSE", "GRANTED", "WITHDRAWN", "EXPIRED", "NEVER ASKED");
  for (auto p : response.getPurposes()) {
    fmt::print("{:<18} {:>9} {:>10} {:>8} {:>12}\n", p.getPurpose().cStr(), p.getGranted(), p.getWithdrawn(),
               p.getExpired(), p.getNeverAsked());
  }
  fmt::print("\n");
  for (auto p : response.getPurposes()) fmt::print("{}: {}\n", p.getPurpose().cStr(), p.getDescription().cStr());
}

void erase(const ConsentOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto request = client.control().eraseCustomerRequest();
  request.setCustomerId(o.customer);
  auto response = client.wait(request.send());  // owns what `erased` reads
  auto erased = response.getErased();
  fmt::print("erased the customer, {} identifiers and consent for {} purposes; the store was rewritten without "
             "them ({} -> {} bytes)\n",
             erased.getIdentifiers(), erased.getConsentPurposes(), erased.getStoreBytesBefore(),
             erased.getStoreBytesAfter());
}

}  // namespace

void addConsentCommands(CLI::App& app) {
  auto* group = app.add_subcommand("consent", "Customers' consent per purpose: record, import, show, report");
  group->require_subcommand(1);
  group->footer("Example: entente consent report");

  auto s = std::make_shared<ConsentOptions>();
  auto* setCmd = group->add_subcommand("set", "Record one customer's consent decision for one purpose");
  setCmd->add_option("CUSTOMER", s->customer, "The customer's customer_id")->required();
  setCmd->add_option("PURPOSE", s->purpose, "overlap-analysis, cross-selling, enrichment (or your own)")->required();
  setCmd->add_option("STATE", s->state, "granted or withdrawn")
      ->required()
      ->check(CLI::IsMember({"granted", "withdrawn"}));
  setCmd->add_option("--source", s->source, "Where the decision came from (e.g. 'phone call, ticket 4411')");
  setCmd->add_option("--basis", s->basis, "consent, contract or legitimate-interest")->capture_default_str();
  setCmd->add_option("--notice", s->notice, "Version of the privacy notice the customer saw");
  setCmd->add_option("--expires", s->expires, "Date the consent lapses (YYYY-MM-DD)");
  addNodeOption(*setCmd, s->node);
  setCmd->footer("Example: entente consent set C-1042 cross-selling withdrawn --source 'e-mail of 2026-11-20'");
  setCmd->callback([s] { set(*s); });

  auto i = std::make_shared<ImportOptions>();
  i->kind = ImportOptions::Kind::CONSENT;
  auto* importCmd = group->add_subcommand("import", "Apply consent-only updates from a CSV file (a consent platform)");
  addImportOptions(*importCmd, *i);
  importCmd->footer(
      "Columns: customer_id, consent_<purpose> (yes/no, true/false, 1/0 or the ISO date of the grant),\n"
      "optional consent_source, consent_date, consent_basis, consent_notice_version, consent_expires.\n"
      "Example: entente consent import cmp-export.csv --map 'Member=customer_id' --map 'Offers=consent_cross-selling'");
  importCmd->callback([i] { runImportCommand(*i); });

  auto sh = std::make_shared<ConsentOptions>();
  auto* showCmd = group->add_subcommand("show", "Show one customer's consent for every purpose, with its history");
  showCmd->add_option("CUSTOMER", sh->customer, "The customer's customer_id")->required();
  showCmd->add_flag("--json", sh->json, "Print one JSON object");
  addNodeOption(*showCmd, sh->node);
  showCmd->footer("Example: entente consent show C-1042");
  showCmd->callback([sh] { show(*sh); });

  auto r = std::make_shared<ConsentOptions>();
  auto* reportCmd = group->add_subcommand("report", "How many customers granted, withdrew or were never asked, per purpose");
  reportCmd->add_flag("--json", r->json, "Print a JSON array");
  addNodeOption(*reportCmd, r->node);
  reportCmd->footer("Example: entente consent report --json");
  reportCmd->callback([r] { report(*r); });
}

void addCustomerCommands(CLI::App& app) {
  auto* group = app.add_subcommand("customer", "Act on one customer's data");
  group->require_subcommand(1);
  group->footer("Example: entente customer erase C-1042");
  auto e = std::make_shared<ConsentOptions>();
  auto* eraseCmd = group->add_subcommand("erase", "Erase a customer: record, identifiers, consent; scrub the store");
  eraseCmd->add_option("CUSTOMER", e->customer, "The customer's customer_id")->required();
  addNodeOption(*eraseCmd, e->node);
  eraseCmd->footer(
      "The audit log keeps that an erasure happened, when and by whom, not whom. The store file is rewritten\n"
      "so that no copy of it holds the erased data.\nExample: entente customer erase C-1042");
  eraseCmd->callback([e] { erase(*e); });
}

}  // namespace entente::tools
