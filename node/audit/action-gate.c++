#include "node/audit/action-gate.h"

namespace entente::node {

void ActionGate::commit(storage::Transaction& txn, std::string_view action, std::string_view actor,
                        std::string_view outcome, const Details& details) {
  AuditEntry entry = chain_.append(txn, action, actor, outcome, details);
  txn.commit();
  log_.write(entry.timeUnix, entry.action, entry.actor, entry.outcome, entry.seq, entry.details);
  if (observer_) observer_(entry);
}

void ActionGate::record(std::string_view action, std::string_view actor, std::string_view outcome,
                        const Details& details) {
  try {
    storage::Transaction txn(store_, storage::Transaction::Mode::WRITE);
    commit(txn, action, actor, outcome, details);
  } catch (const std::exception& e) {
    // No entry: the line must not claim the outcome the entry would have had.
    Details noted = details;
    noted.emplace_back("audit", "not-written");
    noted.emplace_back("intended_outcome", std::string(outcome));
    noted.emplace_back("audit_error", e.what());
    log_.write(chain_.now(), action, actor, "failed", std::nullopt, noted);
    throw;
  }
}

void ActionGate::recordNoThrow(std::string_view action, std::string_view actor, std::string_view outcome,
                               const Details& details) noexcept {
  try {
    record(action, actor, outcome, details);
  } catch (...) {
    // record() has said in node.log that the entry is missing; nothing more to do here.
  }
}

void ActionGate::failed(std::string_view action, std::string_view actor, Details details,
                        std::string_view error) noexcept {
  try {
    details.emplace_back("error", std::string(error));
  } catch (...) {
  }
  recordNoThrow(action, actor, "failed", details);
}

}  // namespace entente::node
