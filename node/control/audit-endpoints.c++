#include "node/control/audit-endpoints.h"

#include "node/audit/audit-export.h"
#include "node/match/session-receipt.h"

#include <memory>

namespace entente::node {
namespace control = protocol::control;
namespace {

// Streams the export a few hundred lines per message.
kj::Promise<uint64_t> sendLines(control::LineSink::Client sink, std::shared_ptr<std::string> text, size_t from,
                                uint64_t sent = 0) {
  std::vector<std::string> lines;
  size_t at = from;
  while (at < text->size() && lines.size() < 500) {
    size_t end = text->find('\n', at);
    if (end == std::string::npos) end = text->size();
    lines.push_back(text->substr(at, end - at));
    at = end + 1;
  }
  if (lines.empty()) return sent;
  auto request = sink.linesRequest();
  auto list = request.initLines(static_cast<unsigned>(lines.size()));
  for (unsigned i = 0; i < lines.size(); ++i) list.set(i, lines[i]);
  uint64_t now = sent + lines.size();
  return request.send().then([sink, text, at, now]() mutable { return sendLines(kj::mv(sink), text, at, now); });
}

}  // namespace

void auditVerify(NodeContext& context, const std::string& actor, AuditVerifyCall call) {
  auto report = context.audit.verify();
  // Each partner receipt held here names a session this node's log must show: a
  // receipt without its entry means entries were removed after the last checkpoint.
  uint64_t receipts = 0, missing = 0;
  std::vector<std::string> sessions;
  {
    storage::Transaction txn(context.store, storage::Transaction::Mode::READ);
    sessions = receiptSessions(txn);
  }
  try {
    auto logged = sessionsInLog(context.audit);
    for (auto& session : sessions) {
      ++receipts;
      if (logged.count(session) == 0) ++missing;
    }
  } catch (const std::exception&) {
    // A damaged entry is already reported by verify(); receipts cannot be checked.
    receipts = sessions.size();
  }
  if (missing > 0 && report.ok) {
    report.ok = false;
    report.reason = std::to_string(missing) + " partner receipt(s) name sessions that are missing from the audit "
                                              "log: its last entries were removed";
  }
  auto out = call.getResults().initReport();
  out.setReceipts(receipts);
  out.setReceiptsWithoutEntry(missing);
  out.setOk(report.ok);
  out.setEntries(report.entries);
  out.setCheckpoints(report.checkpoints);
  out.setUncoveredEntries(report.uncoveredEntries);
  out.setFirstBadEntry(report.firstBadEntry.value_or(0));
  out.setReason(report.reason);
  out.setFingerprint(context.identity.fingerprint());
  // A log too damaged to take this entry is what was just reported: the report still
  // reaches the CLI, and node.log says the entry is missing.
  context.gate.recordNoThrow("audit.verify", actor, report.ok ? "ok" : "failed",
                             {{"entries", std::to_string(report.entries)},
                              {"first_bad_entry", std::to_string(report.firstBadEntry.value_or(0))}});
}

kj::Promise<void> auditExport(NodeContext& context, const std::string& actor, AuditExportCall call) {
  int64_t since = call.getParams().getSinceUnix();
  Details details;
  if (since != std::numeric_limits<int64_t>::min()) details.emplace_back("since", std::to_string(since));
  auto text = userFacing([&] {
    return context.gate.perform("audit.export", actor, details, [&](Details&) {
      return std::make_shared<std::string>(auditExportText(context.audit, since));
    });
  });
  auto sink = call.getParams().getSink();
  return sendLines(kj::mv(sink), text, 0).then([call](uint64_t lines) mutable { call.getResults().setLines(lines); });
}

}  // namespace entente::node
