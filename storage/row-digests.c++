#include "storage/row-digests.h"

#include <algorithm>

namespace entente::storage {

std::optional<RowDigest> RowDigests::find(const Transaction& txn, uint64_t customerKey) {
  auto key = encodeKey(customerKey);
  Bytes stored;
  if (!txn.get(Table::ROW_DIGESTS, Bytes(key), stored) || stored.size() != RowDigest{}.size()) return std::nullopt;
  RowDigest digest;
  std::copy(stored.begin(), stored.end(), digest.begin());
  return digest;
}

void RowDigests::put(Transaction& txn, uint64_t customerKey, const RowDigest& digest) {
  auto key = encodeKey(customerKey);
  txn.put(Table::ROW_DIGESTS, Bytes(key), Bytes(digest));
}

void RowDigests::erase(Transaction& txn, uint64_t customerKey) {
  auto key = encodeKey(customerKey);
  txn.erase(Table::ROW_DIGESTS, Bytes(key));
}

}  // namespace entente::storage
