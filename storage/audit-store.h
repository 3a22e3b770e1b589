// The audit log's two tables: entries under their sequence number (1, 2, 3, ...) and
// signed checkpoints under the number of entries they cover. Both are append-only:
// this module offers no way to change or remove what was written. The values are
// opaque bytes; node/audit/audit-entry.h defines them, and node/audit/audit-chain.h
// chains the entries by hash and signs the checkpoints, so that this layer stays free
// of crypto.
//
// Append-only here is a promise of the code, not of the file: anyone who can write the
// LMDB file can change it. Making that visible is the audit chain's job
// (AuditChain::verify()).
//
// Errors: StoreError, as everywhere in storage/.
#pragma once

#include "storage/environment.h"

#include <cstdint>
#include <functional>

namespace entente::storage {

class AuditStore {
 public:
  // Called for each record in key order with its number; returns false to stop.
  using Visitor = std::function<bool(uint64_t seq, Bytes value)>;

  // The number of entries stored. In an intact log this is also the last entry's
  // number; append() refuses to write when the two differ (an entry was removed).
  static uint64_t count(const Transaction& txn);

  // Stores entry `seq`. Refuses a seq that is not count() + 1, and refuses to write
  // over an entry that is there (a log with a gap), so an entry is never replaced.
  static void append(Transaction& txn, uint64_t seq, Bytes entry);

  // Returns false when there is no entry `seq`.
  static bool read(const Transaction& txn, uint64_t seq, Bytes& entry);

  // Entries numbered `fromSeq` and up, in order. Throws StoreError on a key that is
  // not a sequence number (the table was written by something else).
  static void forEach(const Transaction& txn, uint64_t fromSeq, const Visitor& visit);

  // Stores a checkpoint covering entries 1..seq. Refuses seq 0, a seq beyond the last
  // entry, and a seq not after the last checkpoint's.
  static void putCheckpoint(Transaction& txn, uint64_t seq, Bytes checkpoint);

  static uint64_t checkpointCount(const Transaction& txn);
  // Checkpoints in order of the entries they cover, from the first.
  static void forEachCheckpoint(const Transaction& txn, const Visitor& visit);
  // The checkpoint covering the most entries; returns false when there is none.
  static bool lastCheckpoint(const Transaction& txn, uint64_t& seq, Bytes& checkpoint);
};

}  // namespace entente::storage
