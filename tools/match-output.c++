#include "tools/match-output.h"

#include "text/csv.h"
#include "text/number-text.h"
#include "tools/commands.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>

namespace entente::tools {
namespace {

std::vector<std::string> texts(capnp::List<capnp::Text>::Reader list) {
  std::vector<std::string> out;
  for (auto t : list) out.emplace_back(t.cStr());
  return out;
}

std::string percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? "-" : fmt::format("{:.1f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

std::string hiddenText(const MatchReport& r) { return "< " + thousands(r.minGroupSize); }

std::string join(const std::vector<std::string>& parts, const std::string& by) {
  std::string out;
  for (auto& p : parts) out += (out.empty() ? "" : by) + p;
  return out;
}

void writeCustomerRows(csv::Writer& writer, const std::vector<MatchedRow>& matched, bool campaign) {
  if (!campaign) {
    writer.row({"customer_id", "matched_kinds"});
    for (auto& m : matched) writer.row({m.customerId, m.kinds});
    return;
  }
  std::vector<std::string> header = {"customer_id"};
  if (!matched.empty()) {
    for (auto& f : matched.front().fields) header.push_back(f.first);
  }
  writer.row(header);
  for (auto& m : matched) {
    std::vector<std::string> row = {m.customerId};
    for (auto& f : m.fields) row.push_back(f.second);
    writer.row(row);
  }
}

}  // namespace

std::string thousands(uint64_t n) { return text::thousands(n); }

MatchReport readReport(protocol::control::MatchSummary::Reader s, const std::string& mode) {
  MatchReport r;
  r.sessionId = s.getSessionId();
  r.peer = s.getPeer();
  r.purpose = s.getPurpose();
  r.mode = mode;
  switch (s.getMode()) {
    case protocol::wire::MatchMode::COUNT: r.wireMode = "count"; break;
    case protocol::wire::MatchMode::IDS: r.wireMode = "ids"; break;
    case protocol::wire::MatchMode::ENRICH: r.wireMode = "enrich"; break;
  }
  r.ownCustomers = s.getOwnCustomers();
  r.ownValues = s.getOwnValues();
  r.ownIdentifiers = s.getOwnIdentifiers();
  r.partnerValues = s.getPartnerValues();
  r.overlap = s.getOverlap();
  r.selectedBeforeFilter = s.getSelectedBeforeFilter();
  r.tagBytes = s.getTagBytes();
  r.seconds = s.getSeconds();
  r.wireBytesSent = s.getWireBytesSent();
  r.wireBytesReceived = s.getWireBytesReceived();
  r.withheld = s.getWithheld();
  r.withheldBecause = s.getWithheldBecause();
  r.minReportableOverlap = s.getMinReportableOverlap();
  r.minGroupSize = s.getMinGroupSize();
  r.noiseEpsilon = s.getNoiseEpsilon();
  r.budgetLeft = s.getBudgetLeft();
  r.startedAtUnix = s.getStartedAtUnix();
  for (auto k : s.getMatchesByKind()) r.byKind.emplace_back(k.getKind().cStr(), k.getCustomers());
  r.filters = texts(s.getFiltered());
  r.by = texts(s.getBy());
  r.attributes = texts(s.getAttributes());
  for (auto g : s.getGroups()) r.groups.push_back({texts(g.getValues()), g.getCount(), g.getSuppressed()});
  return r;
}

void writeMatchedFile(std::ostream& out, const MatchReport& r, const std::vector<MatchedRow>& matched,
                      bool campaign) {
  if (campaign) {
    // The first line ties the list to its session: `entente audit export` on either
    // node finds the entries with this session id.
    out << "# entente campaign list: session " << r.sessionId << ", partner " << r.peer << ", purpose " << r.purpose
        << ", " << utcTime(r.startedAtUnix) << "; every customer here consented to " << r.purpose
        << " on both sides; find the session in `entente audit export` on either node\n";
  }
  csv::Writer writer(out);
  writeCustomerRows(writer, matched, campaign);
}

void printMatchText(const MatchReport& r, const std::vector<MatchedRow>& matched, bool listOnStdout,
                    const std::string& outPath) {
  if (r.withheld && r.withheldBecause.rfind("differencing:", 0) == 0) {
    fmt::print("the overlap with {} is withheld: session {} counted a set of our customers that holds this one's (or "
               "lies inside it), and the two counts differ by fewer than {}, so together they would reveal a group "
               "below the minimum group size; add --noise EPSILON to see a noisy count{}\n",
               r.peer, r.withheldBecause.substr(13), r.minGroupSize,
               outPath.empty() ? "" : ", and " + outPath + " was not written");
    return;
  }
  if (r.withheld) {
    fmt::print("the overlap with {} is below the minimum group size of {} (the stricter of this node's minimum "
               "reportable overlap and {}'s): no count and no customers are shown{}\n",
               r.peer, r.minGroupSize, r.peer, outPath.empty() ? "" : ", and " + outPath + " was not written");
    return;
  }
  if (listOnStdout) {
    csv::Writer writer(std::cout);
    writeCustomerRows(writer, matched, !r.attributes.empty() || (!matched.empty() && !matched.front().fields.empty()));
  }
  auto out = listOnStdout ? stderr : stdout;
  std::string noisy = r.noiseEpsilon > 0 ? " (with noise)" : "";
  fmt::print(out, "{} of our {} customers are also customers of {} ({}){}\n", thousands(r.overlap),
             thousands(r.ownCustomers), r.peer, percent(r.overlap, r.ownCustomers), noisy);
  if (!r.filters.empty()) {
    fmt::print(out, "  our customers filtered by {}: {} of {} consented\n", join(r.filters, " and "),
               thousands(r.ownCustomers), thousands(r.selectedBeforeFilter));
  }
  for (auto& [kind, n] : r.byKind) fmt::print(out, "  matched by {:<16} {}\n", kind, thousands(n));
  if (!r.by.empty()) {
    // An aligned table: one column per --by, then customers and their share.
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> header = r.by;
    header.push_back("customers");
    header.push_back("share");
    rows.push_back(header);
    for (auto& g : r.groups) {
      auto row = g.values;
      row.push_back(g.suppressed ? hiddenText(r) : thousands(g.count));
      row.push_back(g.suppressed ? "" : percent(g.count, r.overlap));
      rows.push_back(row);
    }
    std::vector<std::string> total(r.by.size(), "");
    total[0] = "total";
    total.push_back(thousands(r.overlap));
    total.push_back("100.0%");
    rows.push_back(total);
    std::vector<size_t> width(header.size(), 0);
    for (auto& row : rows) {
      for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    }
    fmt::print(out, "\n");
    for (auto& row : rows) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) {
        bool number = i >= r.by.size();
        line += "  " + (number ? fmt::format("{:>{}}", row[i], width[i]) : fmt::format("{:<{}}", row[i], width[i]));
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      fmt::print(out, "{}\n", line);
    }
    fmt::print(out, "\n  groups of fewer than {} customers show as \"{}\"; where one such group could be worked out "
                    "from the total, the next smallest is hidden too\n",
               thousands(r.minGroupSize), hiddenText(r));
  }
  if (r.noiseEpsilon > 0) {
    fmt::print(out, "  every count has discrete Laplace noise (epsilon {:.3g}); privacy budget left this month for {} "
                    "and {}: {:.3g}\n",
               r.noiseEpsilon, r.peer, r.purpose, r.budgetLeft);
  }
  if (!outPath.empty()) {
    fmt::print(out, "  {} matched customers written to {}\n", thousands(matched.size()), outPath);
  }
  std::string mode = r.wireMode == r.mode ? r.mode : r.wireMode + " (for the breakdown; only counts are shown)";
  fmt::print(out, "  session {}, purpose {}, mode {}, {:.2f} s, {} bytes sent, {} received\n", r.sessionId, r.purpose,
             mode, r.seconds, thousands(r.wireBytesSent), thousands(r.wireBytesReceived));
}

void printMatchJson(const MatchReport& r, const std::vector<MatchedRow>& matched, bool withMatched) {
  nlohmann::ordered_json j;
  j["session"] = r.sessionId;
  j["peer"] = r.peer;
  j["purpose"] = r.purpose;
  j["mode"] = r.mode;
  j["sessionMode"] = r.wireMode;
  j["ownCustomers"] = r.ownCustomers;
  j["ownValues"] = r.ownValues;
  j["ownIdentifiers"] = r.ownIdentifiers;
  j["partnerValues"] = r.partnerValues;
  j["overlap"] = r.overlap;
  j["tagBytes"] = r.tagBytes;
  j["seconds"] = std::round(r.seconds * 1000) / 1000;
  j["wireBytesSent"] = r.wireBytesSent;
  j["wireBytesReceived"] = r.wireBytesReceived;
  j["withheld"] = r.withheld;
  if (!r.withheldBecause.empty()) j["withheldBecause"] = r.withheldBecause;
  j["minGroupSize"] = r.minGroupSize;
  j["noiseEpsilon"] = r.noiseEpsilon;
  if (r.noiseEpsilon > 0) j["budgetLeft"] = r.budgetLeft;
  j["matchesByKind"] = nlohmann::ordered_json::object();
  for (auto& [kind, n] : r.byKind) j["matchesByKind"][kind] = n;
  j["filters"] = r.filters;
  j["selectedBeforeFilter"] = r.selectedBeforeFilter;
  j["attributes"] = r.attributes;
  j["by"] = r.by;
  j["groups"] = nlohmann::ordered_json::array();
  for (auto& g : r.groups) {
    nlohmann::ordered_json row;
    row["values"] = g.values;
    row["customers"] = g.suppressed ? nlohmann::ordered_json() : nlohmann::ordered_json(g.count);
    row["suppressed"] = g.suppressed;
    j["groups"].push_back(row);
  }
  if (withMatched) {
    j["matched"] = nlohmann::ordered_json::array();
    for (auto& m : matched) {
      nlohmann::ordered_json row;
      row["customer_id"] = m.customerId;
      row["matched_kinds"] = m.kinds;
      for (auto& [name, value] : m.fields) row[name] = value;
      j["matched"].push_back(row);
    }
  }
  std::cout << j.dump() << "\n";
}

void printMatchCsv(const MatchReport& r, const std::vector<MatchedRow>& matched, bool listOnStdout) {
  csv::Writer writer(std::cout);
  if (r.withheld) {
    writer.row({"overlap", "suppressed"});
    writer.row({"", "true"});
    return;
  }
  if (listOnStdout) {
    writeCustomerRows(writer, matched, !r.attributes.empty() || (!matched.empty() && !matched.front().fields.empty()));
    return;
  }
  if (r.by.empty()) {
    writer.row({"session", "peer", "purpose", "own_customers", "overlap", "noise_epsilon"});
    writer.row({r.sessionId, r.peer, r.purpose, std::to_string(r.ownCustomers), std::to_string(r.overlap),
                fmt::format("{}", r.noiseEpsilon)});
    return;
  }
  std::vector<std::string> header = r.by;
  header.push_back("customers");
  header.push_back("suppressed");
  writer.row(header);
  for (auto& g : r.groups) {
    auto row = g.values;
    row.push_back(g.suppressed ? "" : std::to_string(g.count));
    row.push_back(g.suppressed ? "true" : "false");
    writer.row(row);
  }
}

}  // namespace entente::tools
