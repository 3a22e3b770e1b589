// The audit report: every session of the period, inbound and outbound, with who asked,
// sizes, result and outcome (refusals with their reasons); totals per partner and
// purpose and per day; and the state of the log itself: the chain's verification, its
// last signed checkpoint, and the partners' receipts held, each checked against its
// session's entry.
#include "node/reports/report-kinds.h"

#include "crypto/hash.h"
#include "node/audit/audit-export.h"
#include "storage/audit-store.h"
#include "storage/peer-store.h"
#include "storage/receipt-store.h"
#include "text/utc-time.h"

#include <map>

namespace entente::node {
namespace {

std::string detail(const AuditEntry& e, const char* key) {
  for (auto& [k, v] : e.details) {
    if (k == key) return v;
  }
  return "";
}

struct SessionRow {
  uint64_t firstEntry = 0;
  int64_t at = 0;
  std::string direction, partner, purpose, mode, askedBy, sent, received, result, outcome, reason, session;
};

// What this node's log says of a completed session, to hold a partner's receipt against.
struct CompletedSession {
  std::string purpose, mode, requestCustomers, responderValues;
};

std::string receiptField(const std::string& text, const std::string& key) {
  auto at = text.find("\n" + key + "=");
  if (at == std::string::npos) return "";
  at += key.size() + 2;
  return text.substr(at, text.find('\n', at) - at);
}

// Checks a receipt: signed by the paired partner it names, and stating the purpose,
// mode and sizes this node's own entry for the session records.
std::string receiptCheck(const storage::StoredReceipt& r, const std::map<std::string, CompletedSession>& completed,
                         const std::vector<storage::PeerEntry>& peers) {
  auto it = completed.find(r.sessionId);
  if (it == completed.end()) return "NO: this log has no completed entry for the session";
  std::string signer = receiptField(r.text, r.signerRole);  // the signer's fingerprint
  const storage::PeerEntry* by = nullptr;
  for (auto& p : peers) {
    if (crypto::fingerprintOf(p.publicKey) == signer) by = &p;
  }
  if (!by) return "NO: signed by a key no paired partner holds";
  crypto::Signature signature{};
  if (r.signature.size() != signature.size()) return "NO: the signature is torn";
  std::copy(r.signature.begin(), r.signature.end(), signature.begin());
  if (!crypto::verifySignature(by->publicKey, {reinterpret_cast<const uint8_t*>(r.text.data()), r.text.size()},
                               signature)) {
    return "NO: the signature does not verify with the key of " + by->name;
  }
  const auto& s = it->second;
  if (receiptField(r.text, "purpose") != s.purpose || receiptField(r.text, "mode") != s.mode) {
    return "NO: it states another purpose or mode than the log";
  }
  if ((!s.requestCustomers.empty() && receiptField(r.text, "request_customers") != s.requestCustomers) ||
      (!s.responderValues.empty() && receiptField(r.text, "responder_values") != s.responderValues)) {
    return "NO: it states other sizes than the log";
  }
  return "yes: signed by " + by->name + ", purpose, mode and sizes as logged";
}

bool isSessionAction(const std::string& action) {
  return action == "match.request" || action == "match.session" || action == "session.serve";
}

void absorb(SessionRow& row, const AuditEntry& e) {
  if (row.firstEntry == 0) {
    row.firstEntry = e.seq;
    row.at = e.timeUnix;
  }
  auto set = [&](std::string& field, const char* key) {
    auto v = detail(e, key);
    if (!v.empty()) field = v;
  };
  bool inbound = e.action == "session.serve";
  row.direction = inbound ? "inbound" : "outbound";
  if (inbound) {
    row.partner = e.actor;
    row.askedBy = e.actor;
    set(row.sent, "own_values");
    set(row.received, "requested_customers");
    set(row.received, "received_customers");
    set(row.result, "sent_tags");
  } else {
    set(row.partner, "peer");
    if (e.action == "match.request") row.askedBy = e.actor;
    set(row.sent, "own_customers");
    set(row.received, "partner_values");
    set(row.result, "overlap");
  }
  set(row.purpose, "purpose");
  set(row.mode, "mode");
  set(row.session, "session");
  set(row.reason, "reason");
  set(row.reason, "error");
  // The last word on a session: completed, refused, failed, cancelled (opened is not an end).
  if (e.outcome != "opened" || row.outcome.empty()) row.outcome = e.outcome;
}

}  // namespace

ReportDocument auditReport(NodeContext& context, const storage::Transaction& txn, const ReportRequest& request,
                           const AuditHead& head) {
  ReportDocument d{"audit", "Audit report", reportMeta(context, request, head), {}};
  std::vector<SessionRow> rows;
  std::map<std::string, size_t> bySession;
  std::map<std::string, CompletedSession> completed;  // session id -> what the log says of it
  storage::AuditStore::forEach(txn, 1, [&](uint64_t seq, storage::Bytes stored) {
    AuditEntry e;
    std::string why;
    if (!decodeStoredEntry(stored, e, why)) {
      throw storage::StoreError("audit entry " + std::to_string(seq) + " is damaged (" + why +
                                "); run `entente audit verify`");
    }
    if (!isSessionAction(e.action)) return true;
    std::string session = detail(e, "session");
    if (!session.empty() && e.outcome == "completed" && e.action != "match.request") {
      bool inbound = e.action == "session.serve";
      completed[session] = {detail(e, "purpose"), detail(e, "mode"),
                            detail(e, inbound ? "received_customers" : "own_customers"),
                            inbound ? "" : detail(e, "partner_values")};
    }
    if (e.timeUnix < request.sinceUnix || e.timeUnix > request.untilUnix) return true;
    // match.request entries before the session opened (refused locally, partner down)
    // have no session id: each is a row of its own.
    std::string id = session.empty() ? "entry-" + std::to_string(seq) : session + "/" + (e.action == "session.serve" ? "in" : "out");
    auto [it, added] = bySession.emplace(id, rows.size());
    if (added) rows.emplace_back();
    absorb(rows[it->second], e);
    return true;
  });

  ReportSection sessions{"Sessions", {}, {}, {}, {}};
  sessions.paragraphs.push_back(
      "Outbound: this node asked a partner. Inbound: a partner asked this node. Sizes are customers (or blinded "
      "values) on each side; the result is the overlap this node learned (outbound) or the tags it sent (inbound).");
  ReportTable t{"sessions", "Every session in the period",
                {"entry", "time", "direction", "partner", "purpose", "mode", "asked by", "sent", "received", "result",
                 "outcome", "reason", "session"},
                {}, "No session in the period."};
  std::map<std::tuple<std::string, std::string, std::string>, std::array<uint64_t, 3>> totals;
  std::map<std::string, std::pair<double, double>> perDay;
  for (auto& r : rows) {
    t.rows.push_back({std::to_string(r.firstEntry), isoTime(r.at), r.direction, r.partner, r.purpose, r.mode, r.askedBy,
                      r.sent, r.received, r.result, r.outcome, r.reason, r.session});
    auto& total = totals[{r.partner, r.purpose, r.direction}];
    total[0]++;
    total[r.outcome == "completed" ? 1 : 2]++;
    auto& day = perDay[text::utcDate(r.at)];
    (r.direction == "inbound" ? day.second : day.first) += 1;
  }
  sessions.tables.push_back(std::move(t));
  d.sections.push_back(std::move(sessions));

  ReportSection sums{"Totals", {}, {}, {}, {}};
  ReportChart chart{"sessions-per-day", "Sessions per day", "", {}, {{"outbound", {}}, {"inbound", {}}}};
  uint64_t out = 0, in = 0;
  for (auto& [day, n] : perDay) {
    chart.labels.push_back(day);
    chart.series[0].values.push_back(n.first);
    chart.series[1].values.push_back(n.second);
    out += static_cast<uint64_t>(n.first);
    in += static_cast<uint64_t>(n.second);
  }
  chart.summary = std::to_string(out) + " outbound and " + std::to_string(in) + " inbound sessions over " +
                  std::to_string(perDay.size()) + " days";
  sums.charts.push_back(std::move(chart));
  ReportTable byPartner{"totals", "Sessions per partner, purpose and direction",
                        {"partner", "purpose", "direction", "sessions", "completed", "not completed"}, {}, "None."};
  for (auto& [k, v] : totals) {
    byPartner.rows.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k), std::to_string(v[0]), std::to_string(v[1]),
                              std::to_string(v[2])});
  }
  sums.tables.push_back(std::move(byPartner));
  d.sections.push_back(std::move(sums));

  ReportSection log{"The log itself", {}, {}, {}, {}};
  auto verified = context.audit.verify();
  log.facts.emplace_back("Verification", verified.ok ? "the chain verifies: no entry was altered, removed or inserted"
                                                     : "FAILED: " + verified.reason);
  log.facts.emplace_back("Entries", std::to_string(verified.entries));
  auto checkpoints = context.audit.checkpoints();
  if (checkpoints.empty()) {
    log.facts.emplace_back("Last signed checkpoint", "none yet");
  } else {
    auto& last = checkpoints.back();
    log.facts.emplace_back("Last signed checkpoint", "entry " + std::to_string(last.count) + ", signed " +
                                                         isoTime(last.timeUnix) + ", head hash " + crypto::hexOf(last.headHash));
  }
  log.facts.emplace_back("Entries not yet covered by a signature", std::to_string(verified.uncoveredEntries));
  ReportTable receipts{"receipts", "Partners' signed receipts held, each checked against its session's entry",
                       {"session", "signed as", "matches its session"}, {}, "No receipt held."};
  auto peers = storage::PeerStore::list(txn);
  for (auto& r : storage::ReceiptStore::list(txn)) {
    receipts.rows.push_back({r.sessionId, r.signerRole, receiptCheck(r, completed, peers)});
  }
  log.tables.push_back(std::move(receipts));
  d.sections.push_back(std::move(log));
  return d;
}

}  // namespace entente::node
