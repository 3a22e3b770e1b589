// The one gate every action of a node passes: each control request (import, pairing,
// match, consent, erasure, a report read) and each partner session (opened, refused,
// completed, failed) is recorded here with who asked and what came of it.
//
// What is true by construction:
// - An action that changes the store makes its change inside the transaction the
//   gate opens (change()); the gate appends the audit entry, and the signed checkpoint
//   when one is due, to that same transaction and commits once. Either the change and
//   its entry are both in the store, or neither is (LevelDB's WriteBatch idea).
// - An action that only reads, or an event (a refusal, a session opened), gets its
//   entry in a write transaction of its own (record(), perform()); perform() returns
//   the body's result only once its entry committed.
// - The node.log line is written after the commit, says what the entry says and
//   carries its number. When no entry could be written, the line says so
//   (`outcome=failed audit=not-written intended_outcome=...`), never "ok".
// - A failed body leaves nothing of its change; the gate records "failed" with the
//   error in an entry of its own and rethrows.
//
// The gate is used from the event-loop thread only (docs/architecture.md, section 4),
// so it needs no lock. recordNoThrow() is for destructors and failure paths.
#pragma once

#include "node/audit/audit-chain.h"
#include "node/audit/node-log.h"

#include <kj/exception.h>

#include <functional>
#include <string_view>
#include <type_traits>

namespace entente::node {

class ActionGate {
 public:
  ActionGate(storage::Environment& store, const AuditChain& chain, NodeLog& log)
      : store_(store), chain_(chain), log_(log) {}

  // Runs `body(txn, details)` in a write transaction, appends the entry (`outcome`,
  // with the details as the body left them) to it and commits; then writes node.log.
  // Returns the body's result.
  template <typename Body>
  auto change(std::string_view action, std::string_view actor, Details details, Body&& body,
              std::string_view outcome = "ok") {
    return guarded(action, actor, details, [&] {
      storage::Transaction txn(store_, storage::Transaction::Mode::WRITE);
      if constexpr (std::is_void_v<decltype(body(txn, details))>) {
        body(txn, details);
        commit(txn, action, actor, outcome, details);
      } else {
        auto result = body(txn, details);
        commit(txn, action, actor, outcome, details);
        return result;
      }
    });
  }

  // Runs `body(details)`, which changes nothing in the store, then records "ok" with
  // the details it left; returns its result once the entry committed.
  template <typename Body>
  auto perform(std::string_view action, std::string_view actor, Details details, Body&& body) {
    return guarded(action, actor, details, [&] {
      if constexpr (std::is_void_v<decltype(body(details))>) {
        body(details);
        record(action, actor, "ok", details);
      } else {
        auto result = body(details);
        record(action, actor, "ok", details);
        return result;
      }
    });
  }

  // An entry in a transaction of its own, then the node.log line. Throws
  // storage::StoreError when the entry cannot be written (the line then says so).
  void record(std::string_view action, std::string_view actor, std::string_view outcome,
              const Details& details = {});
  // The same, for destructors and failure paths: never throws.
  void recordNoThrow(std::string_view action, std::string_view actor, std::string_view outcome,
                     const Details& details = {}) noexcept;

 // Called with each entry once it is committed and logged (the node's metrics,
  // node/server/node-metrics.h). It must not throw; one observer at a time.
  using Observer = std::function<void(const AuditEntry&)>;
  void observe(Observer observer) { observer_ = std::move(observer); }

 private:
  // Runs `run`; on an error records "failed" with it (never throwing over it) and
  // rethrows.
  template <typename Run>
  auto guarded(std::string_view action, std::string_view actor, const Details& details, Run&& run) {
    try {
      return run();
    } catch (const kj::Exception& e) {
      failed(action, actor, details, e.getDescription().cStr());
      throw;
    } catch (const std::exception& e) {
      failed(action, actor, details, e.what());
      throw;
    }
  }

  void commit(storage::Transaction& txn, std::string_view action, std::string_view actor, std::string_view outcome,
              const Details& details);
  void failed(std::string_view action, std::string_view actor, Details details, std::string_view error) noexcept;

  storage::Environment& store_;
  const AuditChain& chain_;
  NodeLog& log_;
  Observer observer_;
};

}  // namespace entente::node
