// A customer as the store keeps it: compact (storage/compact-codec.h), or canonical
// Cap'n Proto when an earlier release wrote it, and read either way as a
// schema::Customer, so that no reader of customers knows the difference.
#pragma once

#include "storage/compact-codec.h"
#include "storage/environment.h"
#include "storage/record-codec.h"
#include "storage/records.capnp.h"

#include <capnp/message.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

// The identifiers of a stored customer, read without decoding the rest of it. A match
// reads every customer's identifiers twice (to count, then to send), and a full decode
// copies a dozen texts and looks up each attribute name's term; this reads the
// identifiers only, needs no transaction, and so may run on any thread while the
// transaction that found `stored` is open.
class StoredIdentifiers {
 public:
  // Throws StoreError when the record is damaged.
  explicit StoredIdentifiers(Bytes stored);
  StoredIdentifiers(const StoredIdentifiers&) = delete;
  StoredIdentifiers& operator=(const StoredIdentifiers&) = delete;

  // The next identifier: false after the last. `value` stays valid until the next call.
  bool next(uint8_t& kind, std::string_view& value);

 private:
  // Compact: the reader, positioned at the next identifier, and the fields an
  // identifier may refer to. Canonical: the message and the next index.
  std::optional<CompactReader> compact_;
  std::string_view email_, phone_, birthDate_, postalCode_, country_;
  std::string joined_;
  uint64_t left_ = 0;
  std::optional<StoredRecord<schema::Customer>> canonical_;
  unsigned nextCanonical_ = 0;
};

}  // namespace entente::storage
