#include "crypto/credential.h"

#include <sodium.h>

#include <stdexcept>

namespace entente::crypto {
namespace {

void requireSodium() {
  static const int status = sodium_init();
  if (status < 0) throw std::runtime_error("libsodium failed to initialise");
}

constexpr uint8_t kContext[] = "entente/credential/v1";

}  // namespace

std::string toBase64Url(std::basic_string_view<uint8_t> bytes) {
  requireSodium();
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

bool fromBase64Url(std::string_view text, std::basic_string<uint8_t>& out) {
  requireSodium();
  out.resize(text.size());
  size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return false;
  }
  out.resize(length);
  return true;
}

std::string newSecret(std::string_view prefix) {
  requireSodium();
  uint8_t bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  std::string secret(prefix);
  secret += toBase64Url(std::basic_string_view<uint8_t>(bytes, sizeof bytes));
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
