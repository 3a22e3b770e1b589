// Random bytes for everything above crypto/: session ids, shuffles, secrets. One
// place that draws from libsodium's generator, so that no other layer calls
// libsodium and tests can see where randomness enters.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace entente::crypto {

// Fills `out` from the operating system's generator (libsodium's randombytes_buf).
void randomBytes(std::span<uint8_t> out);
// A uniform integer in [0, bound), without modulo bias. `bound` must be > 0.
uint32_t randomBelow(uint32_t bound);
// `bytes` random bytes as 2 * bytes lower-case hex digits (a session id, say).
std::string randomHex(size_t bytes);

}  // namespace entente::crypto
