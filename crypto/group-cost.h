// Measures what one group operation costs on this machine, on one core: the
// ingredients of the floor that benchmarks compare a whole match against (the
// design brief's "per-element group-operation cost"). Measured in the same run as the
// match because the figures vary by machine and load.
#pragma once

#include <cstddef>

namespace entente::crypto {

struct GroupCost {
  double hashToGroupMicros = 0;  // BLAKE2b-512 + crypto_core_ristretto255_from_hash
  double scalarMultMicros = 0;   // crypto_scalarmult_ristretto255
};

GroupCost measureGroupCost(size_t operations);

// The same measured on `threads` threads at once, started together: the cost of an
// operation on one core while every core does the same, which is what a match gets.
// A core alone is faster on most machines (a higher boost clock; on a virtual
// machine, no busy sibling): on the 2-core machine of docs/scaling.md a scalar
// multiplication took 45 µs alone and 61 to 65 µs with both cores busy.
GroupCost measureGroupCostAllBusy(size_t operations, size_t threads);

}  // namespace entente::crypto
