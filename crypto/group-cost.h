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

// Scalar multiplications as a match runs them: in batches of `batch` through the
// worker pool (crypto/batch-pool.h), the calling thread included. Returns the wall
// time per operation times the pool's threads: the cost per operation and core, to
// set beside the all-busy cost. The difference is what handing out batches loses
// (waking the workers, the last slices of each batch finishing one by one).
double measurePooledScalarMultMicros(size_t operations, size_t batch);

}  // namespace entente::crypto
