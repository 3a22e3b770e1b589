// Local credentials: random secrets shown to a person once (control-socket tokens,
// pairing invitation secrets) and the hash under which the node keeps them. Only the
// hash is stored, so a copy of the node's store reveals no usable credential.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace entente::crypto {

using SecretHash = std::array<uint8_t, 32>;

// "<prefix>" followed by 32 random bytes in URL-safe base64 (43 characters).
std::string newSecret(std::string_view prefix);
// BLAKE2b-256 of the secret, keyed with a fixed context so these hashes are useless
// for anything else.
SecretHash hashSecret(std::string_view secret);
// Constant-time comparison of two hashes.
bool sameHash(const SecretHash& a, const SecretHash& b);

// URL-safe base64 without padding, as used in tokens and invitations.
std::string toBase64Url(std::basic_string_view<uint8_t> bytes);
// Returns false when `text` is not valid URL-safe base64.
bool fromBase64Url(std::string_view text, std::basic_string<uint8_t>& out);

}  // namespace entente::crypto
