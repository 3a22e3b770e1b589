// What one batch of an import did: the counts the CLI sums and shows, and the rows it
// rejected with their lines. Shared by every import of rows (customers, consent,
// history), so that one import session reports them all alike.
#pragma once

#include <cstdint>
#include <string>

namespace entente::node {

struct ImportTotals {
  uint64_t inserted = 0, updated = 0, unchanged = 0, rejected = 0, sharedIdentifiers = 0, consentChanges = 0;
  void add(const ImportTotals& other);
};

struct RowRejection {
  uint64_t line;
  std::string reason;  // names the field and the rule, never the value
};

}  // namespace entente::node
