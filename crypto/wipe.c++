#include "crypto/wipe.h"

#include <sodium.h>

namespace entente::crypto {

void wipe(void* data, size_t size) noexcept { sodium_memzero(data, size); }

void wipe(std::string& text) noexcept {
  // Up to the capacity: bytes past size() may hold what a shorter value left there.
  text.resize(text.capacity());
  sodium_memzero(text.data(), text.size());
  text.clear();
}

}  // namespace entente::crypto
