// The columns an import understands, for the node and for the CLI that checks a
// file's header before sending it: the canonical columns, and consent as customer
// files carry it: columns consent_<purpose> (yes/no, true/false,
// 1/0, or the ISO date the consent was granted), with optional consent_source,
// consent_date, consent_basis, consent_notice_version and consent_expires applying to
// every purpose of the row. Used by `entente import` and `entente consent import`.
#pragma once

#include "node/server/node-config.h"
#include "storage/consent-store.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace entente::node {

// Canonical columns: customer_id, the identifiers' parts and country; every other
// column (not a consent column) becomes a named attribute.
inline constexpr const char* kCanonicalColumns[] = {"customer_id", "email",       "phone",  "first_name",
                                                    "last_name",   "birth_date", "postal_code", "country"};
bool isCanonicalColumn(std::string_view name);
bool isConsentColumn(std::string_view name);

struct ConsentUpdate {
  std::string purpose;
  storage::ConsentChange change;
};

// Reads the consent columns of one row (name -> trimmed value). `source` names where
// the row came from ("import crm.csv:17"); `dateFormats` the import's strftime
// pattern per date column (consent_date, consent_expires), ISO 8601 being read
// always (text/date-reading.h). Returns a rejection reason, naming the column and
// rule (never the value), or nullopt with the updates in `out`.
std::optional<std::string> readConsentColumns(const std::map<std::string, std::string, std::less<>>& columns,
                                              const NodeConfig& config, const std::string& source, int64_t nowUnix,
                                              const std::map<std::string, std::string, std::less<>>& dateFormats,
                                              std::vector<ConsentUpdate>& out);

// "YYYY-MM-DD" to Unix time at 00:00 UTC; nullopt when not a valid date.
std::optional<int64_t> isoDateToUnix(std::string_view text);

}  // namespace entente::node
