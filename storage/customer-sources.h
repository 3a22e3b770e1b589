// Where each customer's record came from: every import file that created or changed
// it, with the mapping it was read with (a CRM preset or the firm's map file), the
// token that ran it, and when. The subject report's "sources" section (GDPR Art. 15(1)(g))
// reads it. An import that finds a row unchanged does not write here, so a daily
// re-import of the same file costs nothing.
#pragma once

#include "storage/environment.h"

#include <cstdint>
#include <string>
#include <vector>

namespace entente::storage {

struct CustomerSourceEntry {
  std::string source;   // "import crm.csv"
  std::string mapping;  // "preset salesforce", "map-file crm.toml", "" (canonical columns)
  std::string actor;
  int64_t firstAtUnix = 0;
  int64_t lastAtUnix = 0;
  uint64_t lastLine = 0;
};

class CustomerSources {
 public:
  // Records that `entry.source` wrote the customer now (entry.lastAtUnix): a new
  // source is added, a known one gets its time, line, mapping and actor updated.
  static void note(Transaction& txn, uint64_t customerKey, const CustomerSourceEntry& entry);
  static std::vector<CustomerSourceEntry> read(const Transaction& txn, uint64_t customerKey);
  static void erase(Transaction& txn, uint64_t customerKey);
};

}  // namespace entente::storage
