// identity.key: a node's 32-byte Ed25519 seed in a small text file, sealed with a
// passphrase (Argon2id, then crypto_secretbox) or, only with the operator's consent,
// in plaintext; the format is at the top of crypto/node-identity.h. Also the file
// handling both identity files share: a bounded read and an atomic write. Internal to
// crypto/; NodeIdentity is the API.
//
// Callers have initialised libsodium. Errors are IdentityError naming the file and
// what to do next; buffers that held key material are wiped before they are released.
#pragma once

#include "crypto/node-identity.h"

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace entente::crypto {

// Seals `seed` with protection.passphrase, or stores it in plaintext when there is no
// passphrase and protection.allowPlaintext says so, and writes keyPath (mode 0600)
// atomically. Refuses an empty passphrase and an unconsented plaintext key before it
// writes anything.
void writeKeyFile(const std::filesystem::path& keyPath, std::span<const uint8_t> seed,
                  const KeyProtection& protection);

// The seed in keyPath. Refuses a file that other users can read, a damaged or altered
// file, and a sealed one without its passphrase or with a wrong one.
SecretBytes readKeyFile(const std::filesystem::path& keyPath, const KeyProtection& protection);

// Whether keyPath is sealed, from its first line. Does not check the rest of the file.
bool keyFileIsSealed(const std::filesystem::path& keyPath);

// Writes one of the identity files atomically (crypto/private-file.h), failing with
// IdentityError so that callers see one error type for the identity.
void writeIdentityFile(const std::filesystem::path& target, std::string_view contents, mode_t mode);

// The whole file, refused beyond maxBytes (a bound so that a wrong path cannot make us
// read a disk image into memory). The buffer is reserved once, so a key file leaves no
// stray copies behind when its reader wipes the result.
std::string readSmallFile(const std::filesystem::path& path, size_t maxBytes);

}  // namespace entente::crypto
