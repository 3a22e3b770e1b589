// The identifier index after a bulk load. A customer import stores new customers with
// their identifiers put off (storage/customer-store.h, IndexTiming::LATER): inserted
// one by one into a large index they cost more than the rest of the import; sorted and
// inserted together when the import ends, little. This brings the index up to date,
// at the end of an import, and at start-up after an import that was cut off.
#pragma once

#include "node/audit/action-gate.h"

#include <cstdint>
#include <string_view>

namespace entente::node {

// Customers sorted in memory at once (storage/identifier-runs.h): the sort holds about
// 70 bytes per identifier, some 200 MB for a million customers. A larger catch-up
// writes its sorted runs to a file beside the store and merges them.
inline constexpr uint64_t kCustomersPerSortedRun = 1000000;

// Indexes every customer left outside the index, in one transaction through the gate
// (action "store.index", with `reason`). Returns the identifiers found held by another
// customer too. Does nothing, and records nothing, when the index is up to date.
uint64_t catchUpIdentifierIndex(ActionGate& gate, storage::Environment& store, std::string_view actor,
                                std::string_view reason);

}  // namespace entente::node
