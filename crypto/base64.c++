#include "crypto/base64.h"

#include <sodium.h>

#include <cstring>

namespace entente::crypto {
namespace {

constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

}  // namespace

void appendBase64Url(std::string& out, std::span<const uint8_t> bytes) {
  size_t start = out.size();
  // libsodium writes a terminating NUL, which the resize below drops again.
  out.resize(start + sodium_base64_ENCODED_LEN(bytes.size(), kVariant));
  sodium_bin2base64(out.data() + start, out.size() - start, bytes.data(), bytes.size(), kVariant);
  out.resize(start + std::strlen(out.data() + start));
}

std::optional<size_t> decodeBase64Url(std::string_view text, std::span<uint8_t> out) {
  size_t length = 0;
  const char* end = nullptr;
  // Given `end`, libsodium stops at the first character outside the alphabet and
  // succeeds with the part before it: only the whole text counts as valid.
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, &end, kVariant) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  return length;
}

std::string toBase64Url(std::basic_string_view<uint8_t> bytes) {
  std::string out;
  appendBase64Url(out, bytes);
  return out;
}

bool fromBase64Url(std::string_view text, std::basic_string<uint8_t>& out) {
  // Base64 never decodes to more bytes than it has characters.
  out.resize(text.size());
  std::optional<size_t> length = decodeBase64Url(text, out);
  if (!length) return false;
  out.resize(*length);
  return true;
}

}  // namespace entente::crypto
