#include "crypto/random.h"
#include "crypto/sodium-init.h"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace entente::crypto {

void randomBytes(std::span<uint8_t> out) {
  requireSodium();
  randombytes_buf(out.data(), out.size());
}

uint32_t randomBelow(uint32_t bound) {
  if (bound == 0) throw std::logic_error("randomBelow: the bound must be positive");
  requireSodium();
  return randombytes_uniform(bound);
}

RandomStream::RandomStream() {
  static_assert(crypto_stream_chacha20_ietf_KEYBYTES == 32, "the key is 32 bytes");
  randomBytes(key_);
}

RandomStream::~RandomStream() {
  sodium_memzero(key_.data(), key_.size());
  sodium_memzero(buffer_.data(), sizeof buffer_);
}

uint32_t RandomStream::next() {
  if (used_ == buffer_.size()) {
    // A fresh nonce for each block of keystream: the block counter.
    std::array<uint8_t, crypto_stream_chacha20_ietf_NONCEBYTES> nonce{};
    for (size_t i = 0; i < sizeof block_; ++i) nonce[i] = static_cast<uint8_t>(block_ >> (8 * i));
    ++block_;
    crypto_stream_chacha20_ietf(reinterpret_cast<uint8_t*>(buffer_.data()), sizeof buffer_, nonce.data(),
                                key_.data());
    used_ = 0;
  }
  return buffer_[used_++];
}

uint32_t RandomStream::below(uint32_t bound) {
  if (bound < 2) return 0;
  // As randombytes_uniform: reject the values below 2^32 mod bound, so that every
  // remainder is equally likely.
  uint32_t min = (1U + ~bound) % bound;
  uint32_t r;
  do {
    r = next();
  } while (r < min);
  return r % bound;
}

std::string randomHex(size_t bytes) {
  std::vector<uint8_t> raw(bytes);
  randomBytes(raw);
  std::string hex(2 * bytes + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  hex.pop_back();
  return hex;
}

}  // namespace entente::crypto
