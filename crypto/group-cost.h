// Measures what one group operation costs on this machine, single-threaded: the
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

}  // namespace entente::crypto
