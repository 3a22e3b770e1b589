// The node's tamper-evident audit log. Every action that passes the ActionLog gate is
// also appended here; each entry carries the hash of the one before it, and every
// `checkpointEvery` entries (and at shutdown, checkpoint()) the node signs the entry
// count and the head hash with its Ed25519 identity key. verify() recomputes all of
// it; an export in JSON lines lets an auditor do the same offline with the node's
// public key alone.
//
// What it proves: a changed, reordered or removed entry is found, at that entry, and
// so is the removal of entries a checkpoint covers. What it cannot prove: entries
// after the last checkpoint can be removed or rewritten as a whole by whoever holds
// the file, so verify() reports how many are not yet covered by a signature.
//
// Entry bytes, the input of the chain (version 1): one line of tab-separated fields,
//   "entente-audit-v1" TAB seq TAB time TAB action TAB actor TAB outcome
//       ( TAB key TAB value )* TAB prevHash
// seq and time in decimal (time in Unix seconds, may be negative), no leading zeros
// or '+'; prevHash the previous entry's hash in 64 lower-case hex digits (all zeros for
// entry 1); in text fields '\' is written "\\", TAB "\t", LF "\n" and CR "\r", and
// nothing else is escaped. Text is UTF-8: append() replaces invalid sequences with
// U+FFFD, so that an export is valid JSON. Details keep their order and duplicates.
//   hash(entry) = BLAKE2b-256(entry bytes)      (crypto_generichash, no key)
// Stored value of entry n: entry bytes || hash (32 raw bytes). The stored hash is
// redundant; it lets verify() point at a changed entry itself, not at the next one.
//
// Checkpoint: signature = Ed25519 over
//   "entente-audit-checkpoint-v1" || count (u64 BE) || head hash || time (i64 BE)
// where head hash is the hash of entry `count`. Stored value (144 bytes):
//   count (8, BE) || head hash (32) || time (8, BE) || signature (64) || public key (32)
//
// Export (exportJsonl), one JSON object a line, no spaces, keys in this order:
//   {"type":"header","version":1,"node":..,"publicKey":"<hex>","fingerprint":".."}
//   {"type":"entry","seq":..,"time":..,"action":..,"actor":..,"outcome":..,
//    "details":{"k":"v",..},"prevHash":"<hex>","hash":"<hex>"}
//   {"type":"checkpoint","count":..,"headHash":"<hex>","time":..,"signature":"<hex>"}
// A checkpoint follows the entry it covers. An export from a later entry starts with
// the checkpoint of the entry before it when there is one, which anchors the first
// entry's prevHash; without it that link is taken as given. The order of "details"
// matters (the hash covers it), and verifyExport() accepts only lines exactly as
// exportJsonl() writes them: re-formatting the file breaks it.
//
// Errors: append() and checkpoint() throw (storage::StoreError) when the write fails:
// the caller must then treat the action as not done. verify() and verifyExport()
// never throw on bad data; they report.
#pragma once

#include "crypto/node-identity.h"
#include "node/audit/action-log.h"
#include "storage/environment.h"

#include <array>
#include <cstdint>
#include <functional>
#include <istream>
#include <limits>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace entente::node {

using AuditHash = std::array<uint8_t, 32>;

struct AuditEntry {
  uint64_t seq = 0;
  int64_t timeUnix = 0;
  std::string action;
  std::string actor;
  std::string outcome;
  Details details;
  AuditHash prevHash{};
  AuditHash hash{};  // of this entry's bytes
};

struct AuditCheckpoint {
  uint64_t count = 0;
  AuditHash headHash{};
  int64_t timeUnix = 0;
  crypto::Signature signature{};
  crypto::PublicKey signer{};
};

struct VerifyReport {
  bool ok = false;
  uint64_t entries = 0;           // entries in the store (or export)
  uint64_t checkpoints = 0;       // checkpoints in the store (or export)
  uint64_t uncoveredEntries = 0;  // entries after the last checkpoint
  uint64_t firstEntry = 0;        // the first entry checked: 1, or where an export starts
  std::optional<uint64_t> firstBadEntry;
  // What failed and what to do; when ok, a note on what is not covered (or empty).
  std::string reason;
};

class AuditTrail {
 public:
  using Clock = std::function<int64_t()>;  // Unix seconds

  // checkpointEvery = 0 signs only on checkpoint(). `clock` defaults to the system's.
  AuditTrail(storage::Environment& env, const crypto::NodeIdentity& identity, uint64_t checkpointEvery = 100,
             Clock clock = {});

  // Appends one entry in its own committed write transaction and returns its number;
  // also signs a checkpoint when the count reaches a multiple of checkpointEvery.
  uint64_t append(std::string_view action, std::string_view actor, std::string_view outcome,
                  const Details& details = {});

  // Signs a checkpoint of the current head now (at shutdown, say). Does nothing when
  // the log is empty or its head is checkpointed already.
  void checkpoint();

  VerifyReport verify() const;

  // Entries from the first one at or after `sinceUnix`, with their checkpoints.
  void exportJsonl(std::ostream& out, int64_t sinceUnix = std::numeric_limits<int64_t>::min()) const;
  std::string exportJsonl(int64_t sinceUnix = std::numeric_limits<int64_t>::min()) const;

  // Checks an export with the key in its header; refuses it when `expectedKey` is
  // given and the header's key is another.
  static VerifyReport verifyExport(std::istream& jsonl, std::optional<crypto::PublicKey> expectedKey);

  // Reading back, for `entente audit show` and tests. Entries are decoded as stored,
  // without verification.
  std::optional<AuditEntry> read(uint64_t seq) const;
  std::vector<AuditCheckpoint> checkpoints() const;

 private:
  storage::Environment& env_;
  const crypto::NodeIdentity& identity_;
  uint64_t checkpointEvery_;
  Clock clock_;

  // The head as this process last wrote it, so that an entry changed on disk while the
  // node runs is not chained over. Reloaded when another process appended.
  std::mutex mutex_;
  uint64_t headCount_ = 0;
  AuditHash head_{};
  bool headKnown_ = false;
};

}  // namespace entente::node
