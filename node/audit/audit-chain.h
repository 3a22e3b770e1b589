// The node's tamper-evident audit log: a hash chain of entries in the store, with
// signed checkpoints. Each entry carries the hash of the one before it, and every
// `checkpointEvery` entries (and at shutdown, checkpoint()) the node signs the entry
// count and the head hash with its Ed25519 identity key. verify() recomputes all of
// it. The formats are in audit-entry.h; the JSON-lines export in audit-export.h.
//
// Entries are appended inside the caller's write transaction, so an action's change
// and its entry commit together or not at all (the gate, action-gate.h, is the only
// caller in a running node). The chain keeps no state between calls: the head is read
// from the store each time, so an aborted transaction leaves nothing to undo and the
// chain needs no lock.
//
// What it proves: a changed, reordered or removed entry is found, at that entry, and
// so is the removal of entries a checkpoint covers. What it cannot prove: entries
// after the last checkpoint can be removed or rewritten as a whole by whoever holds
// the file, so verify() reports how many are not yet covered by a signature.
//
// Errors: append() and checkpoint() throw storage::StoreError when the log cannot be
// continued (entries a checkpoint covers are missing, the last entry is damaged) or
// the write fails: the caller's transaction must then not commit. verify() never
// throws on bad data; it reports.
#pragma once

#include "node/audit/audit-entry.h"

#include <functional>
#include <optional>
#include <vector>

namespace entente::node {

class AuditChain {
 public:
  using Clock = std::function<int64_t()>;  // Unix seconds

  // checkpointEvery = 0 signs only on checkpoint(). `clock` defaults to the system's.
  AuditChain(storage::Environment& env, const crypto::NodeIdentity& identity, uint64_t checkpointEvery = 100,
             Clock clock = {});

  // Appends one entry inside `txn` (a write transaction the caller commits) and, when
  // the count reaches a multiple of checkpointEvery, its signed checkpoint. Returns
  // the entry as written (number, time, cleaned text, hashes).
  AuditEntry append(storage::Transaction& txn, std::string_view action, std::string_view actor,
                    std::string_view outcome, const Details& details = {}) const;

  // Signs a checkpoint of the current head now (at shutdown, say), in a transaction of
  // its own. Does nothing when the log is empty or its head is checkpointed already.
  void checkpoint();

  VerifyReport verify() const;

  // Reading back, for the export, `entente audit show` and tests. Entries are decoded
  // as stored, without verification; a damaged one throws StoreError.
  std::optional<AuditEntry> read(uint64_t seq) const;
  std::vector<AuditCheckpoint> checkpoints() const;

  storage::Environment& store() const { return env_; }
  const crypto::NodeIdentity& identity() const { return identity_; }
  int64_t now() const { return clock_(); }

 private:
  storage::Environment& env_;
  const crypto::NodeIdentity& identity_;
  uint64_t checkpointEvery_;
  Clock clock_;
};

}  // namespace entente::node
