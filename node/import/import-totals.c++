#include "node/import/import-totals.h"

namespace entente::node {

void ImportTotals::add(const ImportTotals& o) {
  inserted += o.inserted;
  updated += o.updated;
  unchanged += o.unchanged;
  rejected += o.rejected;
  sharedIdentifiers += o.sharedIdentifiers;
  consentChanges += o.consentChanges;
}

}  // namespace entente::node
