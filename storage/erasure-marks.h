// What remains of an erased customer: for each of its identifiers and its customer_id,
// a keyed digest (computed by node/consent/, with a key only the node's identity can
// derive) and when the erasure took place. It lets a subject report say "an erasure
// took place on DATE" to the person who asks again, and nothing else: the digest
// cannot be reversed without the node's key, and no other field is kept.
#pragma once

#include "storage/environment.h"

#include <array>
#include <cstdint>
#include <optional>

namespace entente::storage {

using ErasureDigest = std::array<uint8_t, 32>;

class ErasureMarks {
 public:
  // Keeps the earliest time when the digest is marked already.
  static void mark(Transaction& txn, const ErasureDigest& digest, int64_t atUnix);
  static std::optional<int64_t> find(const Transaction& txn, const ErasureDigest& digest);
  // Removes the mark (the person's data was imported again and a later report shows it).
  static void clear(Transaction& txn, const ErasureDigest& digest);
};

}  // namespace entente::storage
