// Sealed attributes for enrichment (labelled PSI): the responder seals each of its
// values' attributes under a key only the holder of the same identifier can derive,
// and the requester opens exactly the records its own customers matched.
//
//   key    = BLAKE2b-256 keyed with "entente/enrich/v1" over the 32-byte H(y)^s
//   sealed = nonce (24 random bytes) || XChaCha20-Poly1305(key, nonce, record)
//   record = one slot of kAttributeSlotBytes per requested attribute, in the order
//            the request named them: byte 0 is the value's length (0xFF: absent),
//            the rest the value's bytes, zero-padded
//
// The tag (crypto/group.h tagOf) is an unkeyed BLAKE2b of the same point truncated to
// at most 16 bytes: a different function, so a tag says nothing about the key. Every
// sealed record of a session has the same length, whatever it holds, so its size
// tells nothing of its values or of which were absent. The nonce is random because
// two of the responder's customers may share an identifier, hence a key.
#pragma once

#include "crypto/group.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace entente::crypto {

inline constexpr size_t kAttributeSlotBytes = 64;
// The longest value a slot holds; a longer value is sealed as absent.
inline constexpr size_t kMaxAttributeValueBytes = kAttributeSlotBytes - 1;
inline constexpr size_t kMaxSealedAttributes = 16;

using SealKey = std::array<uint8_t, 32>;

// The key for the record sealed beside the tag of `blinded` (H(y)^s on either side).
SealKey sealKeyOf(const Point& blinded);

// Length of one sealed record of `attributes` attributes.
size_t sealedBytes(size_t attributes);

// Appends the sealed record of `values` (absent values as std::nullopt) to `out`.
void sealAttributes(const SealKey& key, std::span<const std::optional<std::string>> values,
                    std::vector<uint8_t>& out);

// The values of a sealed record, or std::nullopt when `key` does not open it (the
// record belongs to another value, or was altered). Throws std::invalid_argument for
// a record of the wrong length.
std::optional<std::vector<std::optional<std::string>>> openAttributes(const SealKey& key,
                                                                      std::span<const uint8_t> sealed,
                                                                      size_t attributes);

}  // namespace entente::crypto
