#include "crypto/sodium-init.h"

#include <sodium.h>

#include <stdexcept>

namespace entente::crypto {

void requireSodium() {
  // sodium_init returns 1 when already initialised, -1 on failure.
  static const int status = sodium_init();
  if (status < 0) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace entente::crypto
