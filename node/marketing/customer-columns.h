// What a marketer may name about the firm's own customers, and each customer's value
// of it: the canonical profile columns (country, postal_code, ...), the imported
// attributes (segment, income_band, ...), and the purchase-history facts
// (purchases.last_12m, ...; node/import/history-facts.h). Filters (`--where`),
// breakdowns (`--by ours:`) and campaign lists (`--columns`) read values here, so the
// three agree on what a name means.
//
// A special-category attribute (GDPR Art. 9) is refused by name for filters and
// breakdowns: using health or religion to pick whom to sell to is what Art. 9 forbids
// without explicit consent, which the node does not record.
#pragma once

#include "node/import/history-facts.h"
#include "storage/environment.h"
#include "storage/records.capnp.h"

#include <cstdint>
#include <optional>
#include <string>

namespace entente::node {

enum class ColumnKind { PROFILE, ATTRIBUTE, FACT };

// Classifies a column name; ATTRIBUTE for any name that is neither a profile column
// nor a fact (the store decides whether a customer has it).
ColumnKind kindOfColumn(const std::string& name);

// One customer's values, read lazily from one snapshot: facts are computed once, on
// first use.
class CustomerColumns {
 public:
  CustomerColumns(const storage::Transaction& txn, uint64_t key, storage::schema::Customer::Reader record,
                  int64_t nowUnix)
      : txn_(txn), key_(key), record_(record), now_(nowUnix) {}

  // The value, or nothing when the customer has none. Facts are printed as numbers
  // ("3", "12.5"). Throws (failWith) when `name` is a special-category attribute of
  // this customer and `forTargeting` is set.
  std::optional<std::string> value(const std::string& name, bool forTargeting);
  // A fact's number, or nothing.
  std::optional<double> number(const std::string& name);

 private:
  const storage::Transaction& txn_;
  uint64_t key_;
  storage::schema::Customer::Reader record_;
  int64_t now_;
  std::optional<HistoryFacts> facts_;
};

// "12.5", "3": a fact's value as text, without trailing zeros.
std::string numberText(double value);

}  // namespace entente::node
