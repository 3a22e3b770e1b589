// libsodium must be initialised once before use (it picks its fastest code paths and
// seeds its generator). Every module of crypto/ that calls libsodium calls this first.
#pragma once

namespace entente::crypto {

// Idempotent and thread-safe (sodium_init is); throws std::runtime_error when libsodium
// cannot initialise.
void requireSodium();

}  // namespace entente::crypto
