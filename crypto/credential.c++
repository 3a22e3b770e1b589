#include "crypto/credential.h"

#include "crypto/sodium-init.h"

#include <sodium.h>

#include <stdexcept>

namespace entente::crypto {
namespace {

constexpr uint8_t kContext[] = "entente/credential/v1";

}  // namespace

std::string newSecret(std::string_view prefix) {
  requireSodium();
  uint8_t bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  std::string secret(prefix);
  appendBase64Url(secret, bytes);
  sodium_memzero(bytes, sizeof bytes);
  return secret;
}

SecretHash hashSecret(std::string_view secret) {
  requireSodium();
  SecretHash hash;
  crypto_generichash(hash.data(), hash.size(), reinterpret_cast<const uint8_t*>(secret.data()), secret.size(),
                     kContext, sizeof kContext - 1);
  return hash;
}

bool sameHash(const SecretHash& a, const SecretHash& b) { return sodium_memcmp(a.data(), b.data(), a.size()) == 0; }

}  // namespace entente::crypto
