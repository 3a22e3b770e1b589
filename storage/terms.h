// Numbers for the short texts that recur in every customer's records (attribute
// names, consent purposes, import files, mappings, token names), so that a record
// holds a number of one or two bytes instead of the text. Never personal data: a
// value of a customer is never made a term, so that erasing a customer never has a
// term to erase.
//
// A term is numbered on first use in the caller's write transaction; if that
// transaction is aborted, the number and its use vanish together.
#pragma once

#include "storage/compact-codec.h"
#include "storage/environment.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace entente::storage {

class Terms {
 public:
  // The number of `text`, given it on first use; 0 when the text is too long to be a
  // key (it is then written out in full, see writeTerm).
  static uint32_t numberOf(Transaction& txn, std::string_view text);
  // The number of `text` if it has one (read-only, for lookups).
  static std::optional<uint32_t> find(const Transaction& txn, std::string_view text);
  // The text of a number; throws StoreError when the store has no such term.
  static std::string_view textOf(const Transaction& txn, uint32_t number);
};

// In a compact record: the term's number, or 0 and the text itself.
void writeTerm(Transaction& txn, CompactWriter& w, std::string_view text);
std::string_view readTerm(const Transaction& txn, CompactReader& r);

}  // namespace entente::storage
