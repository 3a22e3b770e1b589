// Batches of blinded values as the session logic sees them, independent of how a
// transport carries them (the Cap'n Proto transport packs them into Data fields).
#pragma once

#include "crypto/group.h"

#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

namespace entente::protocol {

// Values to or from a partner. The requester's batches hold whole customers: each
// customer is `valuesPerGroup` consecutive points (one per identifier kind of the
// session, padded with random points where the customer lacks a kind).
struct BlindedBatch {
  std::vector<crypto::Point> points;
};

// Refusals and protocol violations, with a message fit to show the user. Thrown by
// both roles; transports carry the message across.
class SessionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Values per session batch: 1024 points is 32 KiB on the wire, large enough to amortise
// a round trip and small enough that memory stays flat.
inline constexpr size_t kBatchValues = 1024;
// Tags per streamed tag message (8 to 16 bytes each: 32 KiB to 64 KiB).
inline constexpr size_t kTagsPerMessage = 4096;
// Customers carry at most this many values (one per identifier kind).
inline constexpr size_t kMaxGroupSize = 8;

// Packing for transports: points back to back, 32 bytes each.
std::vector<uint8_t> packPoints(std::span<const crypto::Point> points);
std::vector<crypto::Point> unpackPoints(std::span<const uint8_t> bytes);

}  // namespace entente::protocol
