// Random bytes for everything above crypto/: session ids, shuffles, secrets. One
// place that draws from libsodium's generator, so that no other layer calls
// libsodium and tests can see where randomness enters.
#pragma once

#include <array>
#include <cstddef>
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

// Uniform integers for shuffling a session's values: a ChaCha20 keystream under a key
// drawn from the operating system once, instead of a system call per number (a
// shuffle of a million values made a million getrandom calls on the event loop). The
// key and the unused keystream are wiped when the stream goes.
class RandomStream {
 public:
  RandomStream();
  ~RandomStream();
  RandomStream(const RandomStream&) = delete;
  RandomStream& operator=(const RandomStream&) = delete;

  // A uniform integer in [0, bound), without modulo bias; 0 when bound < 2.
  uint32_t below(uint32_t bound);

 private:
  uint32_t next();

  std::array<uint8_t, 32> key_{};
  uint64_t block_ = 0;
  std::array<uint32_t, 256> buffer_{};
  size_t used_ = buffer_.size();
};

}  // namespace entente::crypto
