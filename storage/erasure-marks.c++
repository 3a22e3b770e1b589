#include "storage/erasure-marks.h"

namespace entente::storage {

void ErasureMarks::mark(Transaction& txn, const ErasureDigest& digest, int64_t atUnix) {
  if (find(txn, digest)) return;
  auto value = encodeKey(static_cast<uint64_t>(atUnix));
  txn.put(Table::ERASURE_MARKS, {digest.data(), digest.size()}, {value.data(), value.size()});
}

std::optional<int64_t> ErasureMarks::find(const Transaction& txn, const ErasureDigest& digest) {
  Bytes value;
  if (!txn.get(Table::ERASURE_MARKS, {digest.data(), digest.size()}, value)) return std::nullopt;
  if (value.size() != 8) throw StoreError("an erasure mark is torn: the store is damaged; restore it from a backup");
  return static_cast<int64_t>(decodeKey(value));
}

void ErasureMarks::clear(Transaction& txn, const ErasureDigest& digest) {
  txn.erase(Table::ERASURE_MARKS, {digest.data(), digest.size()});
}

}  // namespace entente::storage
