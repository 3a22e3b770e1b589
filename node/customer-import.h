// Turns imported rows into customer records: checks each row, normalises its
// identifiers, and stores one batch atomically (all its good rows, or none if the
// store fails). A bad row is rejected with its line and a reason that names the field
// and the rule, never the value; the good rows of the batch still go in.
//
// Canonical columns: customer_id, email, phone, first_name, last_name, birth_date,
// postal_code, country. Every other column becomes a named attribute.
#pragma once

#include "crypto/identifier.h"
#include "protocol/control.capnp.h"
#include "storage/environment.h"

#include <string>
#include <vector>

namespace entente::node {

inline constexpr const char* kCanonicalColumns[] = {"customer_id", "email",       "phone",  "first_name",
                                                    "last_name",   "birth_date", "postal_code", "country"};
bool isCanonicalColumn(std::string_view name);

struct ImportTotals {
  uint64_t inserted = 0, updated = 0, unchanged = 0, rejected = 0, sharedIdentifiers = 0;
  void add(const ImportTotals& other);
};

struct RowRejection {
  uint64_t line;
  std::string reason;
};

class CustomerImport {
 public:
  // `region`: the node's default country, used when a row has none.
  CustomerImport(storage::Environment& env, std::string region);

  // Stores the batch's good rows in one transaction. Returns the batch's counts and
  // fills `rejections`. Throws storage::StoreError when the store fails: nothing of
  // the batch is then stored.
  ImportTotals storeBatch(capnp::List<protocol::control::ImportRow>::Reader rows,
                          std::vector<RowRejection>& rejections);

 private:
  storage::Environment& env_;
  crypto::IdentifierNormaliser normaliser_;
};

}  // namespace entente::node
