// A digest of the imported row each customer was last stored from, so that a
// re-import can tell an unchanged row from its bytes alone and skip normalising it
// (node/import/customer-import.h computes the digest; the store keeps it opaque).
//
// A digest is only valid while the customer's record and consent are what that row
// made them: CustomerStore::upsert (when it writes), CustomerStore::erase,
// ConsentStore::record (when it appends) and ConsentStore::eraseCustomer drop it, so
// any other change to the customer (a `consent set`, another file, an erasure) makes
// the next import of the row normalise and compare it in full again.
//
// The digest is unkeyed: it says no more than the record it sits next to, which holds
// the row's values themselves, and an erasure removes it with the record.
#pragma once

#include "storage/environment.h"

#include <array>
#include <cstdint>
#include <optional>

namespace entente::storage {

using RowDigest = std::array<uint8_t, 16>;

class RowDigests {
 public:
  static std::optional<RowDigest> find(const Transaction& txn, uint64_t customerKey);
  static void put(Transaction& txn, uint64_t customerKey, const RowDigest& digest);
  static void erase(Transaction& txn, uint64_t customerKey);
};

}  // namespace entente::storage
