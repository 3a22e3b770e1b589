// URL-safe base64 without padding (RFC 4648, section 5): the one text form of bytes in
// Entente's secrets and files, from tokens and invitations to identity.key. One
// module, so that every writer and reader agrees on the alphabet and on padding.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace entente::crypto {

std::string toBase64Url(std::basic_string_view<uint8_t> bytes);
// Returns false when `text` is not valid URL-safe base64.
bool fromBase64Url(std::string_view text, std::basic_string<uint8_t>& out);

// For key material, which must not leave copies behind in memory: the encoding is
// written into `out` itself (reserve it up front and wipe it after use), the
// decoding into the caller's buffer.
void appendBase64Url(std::string& out, std::span<const uint8_t> bytes);
// The number of bytes decoded into `out`, or nothing when `text` is not valid
// URL-safe base64 as a whole or encodes more than out.size() bytes.
std::optional<size_t> decodeBase64Url(std::string_view text, std::span<uint8_t> out);

}  // namespace entente::crypto
