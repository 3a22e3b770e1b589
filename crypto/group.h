// The group side of the private set intersection: identifiers hashed to ristretto255
// points, per-session secret scalars, and the blinding of whole batches.
//
//   P = crypto_core_ristretto255_from_hash(
//         BLAKE2b-512(len(domain) as 2 bytes big-endian || domain || kind || 0x00 || value))
//
// (docs/protocol.md section 2 has the layout and a worked example.) `domain` names the protocol version and the consortium, so that two consortia never
// produce comparable values. A blinded value P^s is safe to send; P itself is not (it
// is a deterministic function of the identifier) and never leaves the node.
#pragma once

#include "crypto/identifier-kind.h"
#include "crypto/uninitialised-list.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace entente::crypto {

// A ristretto255 point in its canonical 32-byte encoding.
using Point = std::array<uint8_t, 32>;

// Truncated hash of a blinded point: what the responder sends as its tags and what the
// requester compares. Up to 16 bytes are used; the session decides how many
// (see tagBytesFor). Unused trailing bytes are zero.
using Tag = std::array<uint8_t, 16>;

// The large lists of a session: grown on the event loop's thread, written by workers.
using PointList = UninitialisedList<Point>;
using TagList = UninitialisedList<Tag>;

inline constexpr size_t kMinTagBytes = 8;
inline constexpr size_t kMaxTagBytes = 16;
// Bits of margin against a false match over the whole session: P(false match) < 2^-40.
inline constexpr unsigned kTagSecurityBits = 40;

// Tag length in bytes for sets of the given sizes: ceil((40 + log2(|R|*|S|)) / 8),
// at least 8 and at most 16 bytes.
size_t tagBytesFor(uint64_t requesterValues, uint64_t responderValues);

// The hash domain: "entente/psi/v1/" + consortium. Kept as a type so that no caller
// mixes it up with an identifier value.
class HashDomain {
 public:
  explicit HashDomain(std::string_view consortium);
  std::string_view bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

Point hashToGroup(const HashDomain& domain, IdentifierKind kind, std::string_view normalised);

// A secret scalar of one session. Drawn fresh from libsodium, never copied, wiped on
// destruction: a scalar that outlives its session would let a partner link sessions.
class SessionScalar {
 public:
  static SessionScalar random();
  // A chosen scalar (little-endian, reduced mod the group order), for tests that must
  // predict blinded values. Never for a real session: its scalar must be unpredictable.
  // Throws std::invalid_argument for a scalar that is zero mod the order.
  static SessionScalar fromBytes(std::span<const uint8_t, 32> bytes);
  SessionScalar(SessionScalar&& other) noexcept;
  SessionScalar& operator=(SessionScalar&&) = delete;
  SessionScalar(const SessionScalar&) = delete;
  SessionScalar& operator=(const SessionScalar&) = delete;
  ~SessionScalar();

  // r^-1 mod the group order, to remove this scalar from a double-blinded value.
  SessionScalar inverse() const;

  // out[i] = in[i]^this. Spread over all cores. Throws std::runtime_error when an
  // input is not a valid point (only a broken or hostile peer sends one).
  // With `tags` (as long as `out`), also tags[i] = tagOf(out[i], tagBytes) in the same
  // pass: hashing each result on the caller's thread afterwards would be serial work.
  void blind(std::span<const Point> in, std::span<Point> out, std::span<Tag> tags = {}, size_t tagBytes = 0) const;

  // One value to hash and blind, or a padding slot: an absent value becomes a random
  // point, indistinguishable from a blinded one and never equal to any (with
  // overwhelming probability).
  struct HashInput {
    IdentifierKind kind;
    std::optional<std::string_view> normalised;
  };
  // out[i] = hashToGroup(domain, in[i])^this, in one pass over all cores; `tags` as
  // for blind.
  void hashAndBlind(const HashDomain& domain, std::span<const HashInput> in, std::span<Point> out,
                    std::span<Tag> tags = {}, size_t tagBytes = 0) const;

 private:
  SessionScalar();
  std::array<uint8_t, 32> bytes_;
};

// CPU seconds that every thread of the process spent in SessionScalar::blind and
// hashAndBlind (their slices, with the tags taken in the same pass) since it
// started: the floor's operations at the speed they actually ran, which a
// benchmark compares a match's wall time against, free of the machine's drift
// between a separate measurement and the match.
double groupOperationCpuSeconds();

// BLAKE2b of a blinded point, truncated to `tagBytes` (zero-padded to 16).
Tag tagOf(const Point& blinded, size_t tagBytes);

// Sorts tags (as std::sort would) on every core. Tags are hashes, spread evenly over
// their first byte, so they are split by it into 256 runs sorted independently; a
// peer that sends tags alike in it only makes its own sort serial again. The split
// (a count and a scatter) runs on the workers too.
void sortTags(TagList& tags);

}  // namespace entente::crypto
