// Local credentials: random secrets shown to a person once (control-socket tokens,
// pairing invitation secrets) and the hash under which the node keeps them. Only the
// hash is stored, so a copy of the node's store reveals no usable credential.
#pragma once

// Secrets are shown in URL-safe base64; callers of this header encode and decode it.
#include "crypto/base64.h"

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

}  // namespace entente::crypto
