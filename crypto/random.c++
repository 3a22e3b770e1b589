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

std::string randomHex(size_t bytes) {
  std::vector<uint8_t> raw(bytes);
  randomBytes(raw);
  std::string hex(2 * bytes + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  hex.pop_back();
  return hex;
}

}  // namespace entente::crypto
