#include "crypto/hash.h"

#include <sodium.h>

namespace entente::crypto {

Digest256 blake2b256(std::span<const uint8_t> bytes) {
  Digest256 digest;
  crypto_generichash(digest.data(), digest.size(), bytes.data(), bytes.size(), nullptr, 0);
  return digest;
}

static_assert(sizeof(crypto_generichash_state) <= 384 && alignof(crypto_generichash_state) <= 64,
              "Blake2b256::state_ must hold libsodium's crypto_generichash_state");

Blake2b256::Blake2b256() {
  crypto_generichash_init(reinterpret_cast<crypto_generichash_state*>(state_), nullptr, 0, sizeof(Digest256));
}

void Blake2b256::update(std::string_view part) {
  crypto_generichash_update(reinterpret_cast<crypto_generichash_state*>(state_),
                            reinterpret_cast<const uint8_t*>(part.data()), part.size());
}

Digest256 Blake2b256::finish() {
  Digest256 digest;
  crypto_generichash_final(reinterpret_cast<crypto_generichash_state*>(state_), digest.data(), digest.size());
  return digest;
}

Digest256 blake2b256(std::string_view text) {
  return blake2b256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

Digest256 blake2b256Keyed(std::span<const uint8_t, 32> key, std::string_view text) {
  Digest256 digest;
  crypto_generichash(digest.data(), digest.size(), reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                     key.data(), key.size());
  return digest;
}

std::string hexOf(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes.size());
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

}  // namespace entente::crypto
