// Checking one imported row before it becomes a customer record: the limits every
// field obeys, then the normalisation of its identifiers.
//
// Two kinds of problem, kept apart on purpose:
// - A row that cannot be a customer (no customer_id, a field over its limit, a
//   control character, a consent value that cannot be read) is rejected whole, with
//   its line and a reason naming the field and the rule.
// - An optional field that is invalid (a phone "n/a", an ambiguous birth date, an
//   e-mail without '@') is dropped with a warning naming its column; the customer
//   goes in with its other identifiers and attributes. Under `strict` the row is
//   rejected instead, for firms that want whole rows or nothing.
//
// A re-import with fewer columns than the first one keeps what the file does not
// mention: a column absent from the file leaves its field as stored; a column present
// with an empty value clears it.
#pragma once

#include "crypto/identifier-kind.h"
#include "protocol/control.capnp.h"
#include "storage/records.capnp.h"
#include "text/identifier-normaliser.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace entente::node {

class SpecialCategories;

// How one import reads its rows (from the CLI's `--date-format`, mapping and
// `--strict`).
struct ImportRules {
  std::map<std::string, std::string, std::less<>> dateFormats;  // canonical column -> strftime pattern
  bool strict = false;
  // Provenance, kept per customer for the subject report (storage/customer-sources.h).
  std::string mapping;  // "preset salesforce", "map-file crm.toml", "" (canonical columns)
  std::string actor;    // the token that runs the import
};

struct DroppedField {
  std::string column;  // canonical column name
  std::string reason;  // names the rule, never the value
};

// The content of one row, as the checks go.
struct CheckedRow {
  std::string customerId;
  // The canonical columns the row holds (trimmed; normalised once checked).
  std::map<std::string, std::string, std::less<>> canonical;
  std::map<std::string, std::string, std::less<>> consent;
  // The row's attribute columns in name order, empty values included (they clear).
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<std::pair<crypto::IdentifierKind, std::string>> identifiers;
  std::vector<DroppedField> dropped;
};

// Reading a row in two steps, so that the copying can be done on another thread.
// checkRow makes every check and copies nothing: the limits of docs/operations.md
// ("Limits of an import") and a customer_id; it returns why the row is rejected, or
// nullopt, and `customerId` then views the row's trimmed customer_id. copyRow copies
// the fields of a row that checkRow passed into `out`. With `consentOnly`, only
// customer_id and the consent columns are read.
std::optional<std::string> checkRow(protocol::control::ImportRow::Reader row, bool consentOnly,
                                    std::string_view& customerId);
void copyRow(protocol::control::ImportRow::Reader row, bool consentOnly, CheckedRow& out);

// The row's customer_id as checkRow reads it (trimmed), without reading the rest;
// empty when the row has none.
std::string_view customerIdIn(protocol::control::ImportRow::Reader row);

// Completes `row` with the stored customer's fields and attributes of the columns the
// file does not have.
void keepAbsentFields(storage::schema::Customer::Reader stored, CheckedRow& row);

// Normalises the identifiers and the fields stored normalised (country, birth date).
// An invalid optional field is dropped into `row.dropped`; under `rules.strict` the
// first one is returned as the row's rejection instead.
std::optional<std::string> normaliseRow(const text::IdentifierNormaliser& normaliser, const ImportRules& rules,
                                        CheckedRow& row);

// The record the row becomes, its attributes marked special-category as `categories`
// decides.
void buildCustomer(const CheckedRow& row, SpecialCategories& categories, storage::schema::Customer::Builder customer);

}  // namespace entente::node
