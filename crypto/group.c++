#include "crypto/group.h"

#include "crypto/batch-pool.h"
#include "crypto/sodium-init.h"

#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <stdexcept>

namespace entente::crypto {
namespace {

unsigned ceilLog2(uint64_t v) { return v <= 1 ? 0 : 64 - std::countl_zero(v - 1); }

// Every thread's CPU in slices of group operations: two clock reads per slice of
// dozens of multiplications.
std::atomic<uint64_t> groupOperationNanos{0};

}  // namespace

size_t tagBytesFor(uint64_t requesterValues, uint64_t responderValues) {
  unsigned bits = kTagSecurityBits + ceilLog2(requesterValues) + ceilLog2(responderValues);
  size_t bytes = (bits + 7) / 8;
  if (bytes < kMinTagBytes) bytes = kMinTagBytes;
  if (bytes > kMaxTagBytes) bytes = kMaxTagBytes;
  return bytes;
}

HashDomain::HashDomain(std::string_view consortium) : bytes_("entente/psi/v1/") {
  bytes_.append(consortium);
}

Point hashToGroup(const HashDomain& domain, IdentifierKind kind, std::string_view normalised) {
  requireSodium();
  // BLAKE2b-512(domain || kind || 0x00 || value). The domain is length-prefixed so that
  // no choice of consortium name can make one domain a prefix of another's input.
  crypto_generichash_blake2b_state state;
  uint8_t digest[crypto_core_ristretto255_HASHBYTES];
  crypto_generichash_blake2b_init(&state, nullptr, 0, sizeof digest);
  uint8_t domainLength[2] = {static_cast<uint8_t>(domain.bytes().size() >> 8),
                             static_cast<uint8_t>(domain.bytes().size())};
  crypto_generichash_blake2b_update(&state, domainLength, sizeof domainLength);
  crypto_generichash_blake2b_update(
      &state, reinterpret_cast<const uint8_t*>(domain.bytes().data()), domain.bytes().size());
  std::string_view name = kindName(kind);
  crypto_generichash_blake2b_update(&state, reinterpret_cast<const uint8_t*>(name.data()),
                                    name.size());
  const uint8_t separator = 0;
  crypto_generichash_blake2b_update(&state, &separator, 1);
  crypto_generichash_blake2b_update(
      &state, reinterpret_cast<const uint8_t*>(normalised.data()), normalised.size());
  crypto_generichash_blake2b_final(&state, digest, sizeof digest);

  Point point;
  crypto_core_ristretto255_from_hash(point.data(), digest);
  sodium_memzero(digest, sizeof digest);
  sodium_memzero(&state, sizeof state);
  return point;
}

SessionScalar::SessionScalar() { bytes_.fill(0); }

SessionScalar SessionScalar::random() {
  requireSodium();
  SessionScalar scalar;
  crypto_core_ristretto255_scalar_random(scalar.bytes_.data());
  return scalar;
}

SessionScalar SessionScalar::fromBytes(std::span<const uint8_t, 32> bytes) {
  requireSodium();
  uint8_t wide[crypto_core_ristretto255_NONREDUCEDSCALARBYTES] = {};
  std::copy(bytes.begin(), bytes.end(), wide);
  SessionScalar scalar;
  crypto_core_ristretto255_scalar_reduce(scalar.bytes_.data(), wide);
  sodium_memzero(wide, sizeof wide);
  if (sodium_is_zero(scalar.bytes_.data(), scalar.bytes_.size())) {
    throw std::invalid_argument("a session scalar must not be zero mod the group order");
  }
  return scalar;
}

SessionScalar::SessionScalar(SessionScalar&& other) noexcept : bytes_(other.bytes_) {
  sodium_memzero(other.bytes_.data(), other.bytes_.size());
}

SessionScalar::~SessionScalar() { sodium_memzero(bytes_.data(), bytes_.size()); }

SessionScalar SessionScalar::inverse() const {
  SessionScalar inverted;
  if (crypto_core_ristretto255_scalar_invert(inverted.bytes_.data(), bytes_.data()) != 0) {
    throw std::logic_error("session scalar is zero and has no inverse");
  }
  return inverted;
}

namespace {
void checkSizes(const char* what, size_t in, size_t out, std::span<Tag> tags) {
  if (in != out || (!tags.empty() && tags.size() != out)) {
    throw std::logic_error(std::string(what) + ": input, output and tag counts differ");
  }
}
}  // namespace

void SessionScalar::blind(std::span<const Point> in, std::span<Point> out, std::span<Tag> tags,
                          size_t tagBytes) const {
  checkSizes("blind", in.size(), out.size(), tags);
  parallelFor(in.size(), [&](size_t begin, size_t end) {
    ThreadCpuTo counted(groupOperationNanos);
    for (size_t i = begin; i < end; ++i) {
      // Fails for a non-canonical encoding or a result equal to the identity, which an
      // honest peer never produces.
      if (crypto_scalarmult_ristretto255(out[i].data(), bytes_.data(), in[i].data()) != 0) {
        throw std::runtime_error("a blinded value from the partner is not a valid group element");
      }
      if (!tags.empty()) tags[i] = tagOf(out[i], tagBytes);
    }
  });
}

void SessionScalar::hashAndBlind(const HashDomain& domain, std::span<const HashInput> in,
                                 std::span<Point> out, std::span<Tag> tags, size_t tagBytes) const {
  checkSizes("hashAndBlind", in.size(), out.size(), tags);
  parallelFor(in.size(), [&](size_t begin, size_t end) {
    ThreadCpuTo counted(groupOperationNanos);
    for (size_t i = begin; i < end; ++i) {
      if (!in[i].normalised) {
        crypto_core_ristretto255_random(out[i].data());
        continue;
      }
      Point p = hashToGroup(domain, in[i].kind, *in[i].normalised);
      if (crypto_scalarmult_ristretto255(out[i].data(), bytes_.data(), p.data()) != 0) {
        throw std::logic_error("an identifier hashed to the identity element");
      }
      if (!tags.empty()) tags[i] = tagOf(out[i], tagBytes);
    }
  });
}

double groupOperationCpuSeconds() { return static_cast<double>(groupOperationNanos.load()) / 1e9; }

Tag tagOf(const Point& blinded, size_t tagBytes) {
  Tag tag{};
  uint8_t digest[kMaxTagBytes];
  crypto_generichash_blake2b(digest, sizeof digest, blinded.data(), blinded.size(), nullptr, 0);
  for (size_t i = 0; i < tagBytes && i < kMaxTagBytes; ++i) tag[i] = digest[i];
  return tag;
}

void sortTags(TagList& tags) {
  // Below this, one thread sorts faster than the split and the hand-offs take.
  constexpr size_t kSplitFrom = 65536;
  if (tags.size() < kSplitFrom || parallelism() == 1) {
    std::sort(tags.begin(), tags.end());
    return;
  }
  // Every step on the workers, the event loop's thread only adding up 256 counts per
  // chunk: the count and the scatter were 4% of a responder's serial work at 2^20.
  // Each chunk counts its tags by first byte, then writes them to its own part of
  // each run, so that no two chunks write the same element.
  const size_t chunks = parallelism() * 4;
  const size_t n = tags.size();
  auto chunkBegin = [&](size_t c) { return n * c / chunks; };
  std::vector<std::array<size_t, 256>> at(chunks);
  parallelFor(chunks, [&](size_t begin, size_t end) {
    for (size_t c = begin; c < end; ++c) {
      at[c].fill(0);
      for (size_t i = chunkBegin(c); i < chunkBegin(c + 1); ++i) ++at[c][tags[i][0]];
    }
  });
  std::array<size_t, 257> start{};
  size_t next = 0;
  for (size_t b = 0; b < 256; ++b) {
    start[b] = next;
    for (size_t c = 0; c < chunks; ++c) {
      size_t count = at[c][b];
      at[c][b] = next;
      next += count;
    }
  }
  start[256] = next;
  TagList byFirst(n);
  parallelFor(chunks, [&](size_t begin, size_t end) {
    for (size_t c = begin; c < end; ++c) {
      auto& to = at[c];
      for (size_t i = chunkBegin(c); i < chunkBegin(c + 1); ++i) byFirst[to[tags[i][0]]++] = tags[i];
    }
  });
  parallelFor(256, [&](size_t begin, size_t end) {
    for (size_t b = begin; b < end; ++b) {
      std::sort(byFirst.begin() + static_cast<std::ptrdiff_t>(start[b]),
                byFirst.begin() + static_cast<std::ptrdiff_t>(start[b + 1]));
    }
  });
  tags.swap(byFirst);
}

}  // namespace entente::crypto
