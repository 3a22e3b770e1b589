// A customer as the store keeps it: compact (storage/compact-codec.h), or canonical
// Cap'n Proto when an earlier release wrote it, and read either way as a
// schema::Customer, so that no reader of customers knows the difference.
#pragma once

#include "storage/environment.h"
#include "storage/record-codec.h"
#include "storage/records.capnp.h"

#include <capnp/message.h>

#include <optional>
#include <string>

namespace entente::storage {

// The compact bytes of a customer. An identifier equal to the e-mail or phone field
// as stored (the usual case: a clean CRM already writes them normalised) is kept as
// a reference to that field rather than a second copy.
// Attribute names are terms (terms.h), numbered in `txn` on first use.
std::string encodeCustomer(Transaction& txn, schema::Customer::Reader customer);

class CustomerRecord {
 public:
  // Reads a stored value; throws StoreError when it is damaged.
  CustomerRecord(const Transaction& txn, Bytes stored);
  CustomerRecord(const CustomerRecord&) = delete;
  CustomerRecord& operator=(const CustomerRecord&) = delete;

  schema::Customer::Reader get();
  // True for a canonical record read in place from the map (written by an earlier
  // release); a compact one is always decoded.
  bool readInPlace() const { return canonical_.has_value() && canonical_->readInPlace(); }

 private:
  std::optional<StoredRecord<schema::Customer>> canonical_;
  std::optional<capnp::MallocMessageBuilder> decoded_;
};

}  // namespace entente::storage
