#include "storage/audit-store.h"

#include <string>

namespace entente::storage {
namespace {

uint64_t seqOf(Bytes key, const char* table) {
  if (key.size() != 8) {
    throw StoreError(std::string("the ") + table +
                     " table holds a key that is not a sequence number: the store was altered or damaged; "
                     "restore it from a backup");
  }
  return decodeKey(key);
}

void walk(const Transaction& txn, Table table, const char* name, uint64_t fromSeq,
          const AuditStore::Visitor& visit) {
  Cursor cursor(txn, table);
  auto from = encodeKey(fromSeq);
  for (bool ok = cursor.seek(from); ok; ok = cursor.next()) {
    if (!visit(seqOf(cursor.key(), name), cursor.value())) return;
  }
}

}  // namespace

uint64_t AuditStore::count(const Transaction& txn) { return txn.entries(Table::AUDIT); }

void AuditStore::append(Transaction& txn, uint64_t seq, Bytes entry) {
  uint64_t stored = count(txn);
  if (seq != stored + 1) {
    throw StoreError("audit entry " + std::to_string(seq) + " is out of sequence: the log holds " +
                     std::to_string(stored) + " entries, so the next is " + std::to_string(stored + 1));
  }
  auto key = encodeKey(seq);
  Bytes existing;
  if (txn.get(Table::AUDIT, key, existing)) {
    throw StoreError("the audit log holds " + std::to_string(stored) + " entries but already has entry " +
                     std::to_string(seq) + ": an earlier entry was removed; run `entente audit verify` and "
                     "restore the store from a backup");
  }
  txn.put(Table::AUDIT, key, entry);
}

bool AuditStore::read(const Transaction& txn, uint64_t seq, Bytes& entry) {
  auto key = encodeKey(seq);
  return txn.get(Table::AUDIT, key, entry);
}

void AuditStore::forEach(const Transaction& txn, uint64_t fromSeq, const Visitor& visit) {
  walk(txn, Table::AUDIT, "audit", fromSeq, visit);
}

void AuditStore::putCheckpoint(Transaction& txn, uint64_t seq, Bytes checkpoint) {
  uint64_t entries = count(txn);
  if (seq == 0 || seq > entries) {
    throw StoreError("an audit checkpoint must cover 1 to " + std::to_string(entries) + " entries, not " +
                     std::to_string(seq));
  }
  uint64_t last = 0;
  Bytes ignored;
  if (lastCheckpoint(txn, last, ignored) && seq <= last) {
    throw StoreError("an audit checkpoint of " + std::to_string(seq) +
                     " entries comes after one that covers " + std::to_string(last) + " already");
  }
  auto key = encodeKey(seq);
  txn.put(Table::AUDIT_CHECKPOINTS, key, checkpoint);
}

uint64_t AuditStore::checkpointCount(const Transaction& txn) { return txn.entries(Table::AUDIT_CHECKPOINTS); }

void AuditStore::forEachCheckpoint(const Transaction& txn, const Visitor& visit) {
  walk(txn, Table::AUDIT_CHECKPOINTS, "audit-checkpoints", 0, visit);
}

bool AuditStore::lastCheckpoint(const Transaction& txn, uint64_t& seq, Bytes& checkpoint) {
  // The cursor API has no "last": a walk is cheap, as there is one checkpoint per
  // hundred entries or so and this runs once per checkpoint.
  bool found = false;
  forEachCheckpoint(txn, [&](uint64_t s, Bytes value) {
    seq = s;
    checkpoint = value;
    found = true;
    return true;
  });
  return found;
}

}  // namespace entente::storage
