// Unkeyed hashes for integrity (the audit chain), so that no layer above crypto/
// calls libsodium itself. Keyed hashes of secrets live in crypto/credential.h.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace entente::crypto {

using Digest256 = std::array<uint8_t, 32>;

// BLAKE2b with a 32-byte output and no key (libsodium's crypto_generichash).
Digest256 blake2b256(std::span<const uint8_t> bytes);
Digest256 blake2b256(std::string_view text);
// BLAKE2b-256 keyed with a 32-byte secret (a MAC): who lacks the key can neither
// compute nor reverse it, even for a value as guessable as an e-mail address.
Digest256 blake2b256Keyed(std::span<const uint8_t, 32> key, std::string_view text);

// BLAKE2b-256 fed in parts: blake2b256 of the parts joined. A copy carries what was
// fed so far, so that a prefix common to many inputs is hashed once.
class Blake2b256 {
 public:
  Blake2b256();
  void update(std::string_view part);
  Digest256 finish();

 private:
  // libsodium's crypto_generichash_state, opaque here (checked in hash.c++).
  alignas(64) unsigned char state_[384];
};

// Lower-case hex, two digits a byte.
std::string hexOf(std::span<const uint8_t> bytes);

}  // namespace entente::crypto
