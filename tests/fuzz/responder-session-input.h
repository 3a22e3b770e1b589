// The input format of responder-session-fuzz.c++, shared with make-seeds.c++, which
// writes the seed corpus in it.
//
//   byte 0   the session: bit 0 the mode (0 count, 1 ids); bits 1-4 the number of
//            identifier kinds (0 to 15; the constructor refuses 0 and more than 8);
//            bit 5 a record source whose selection changes during the session
//   byte 1   the customers the requester announces: the byte % 32, except
//            kAnnounceHuge (2^32, which count mode refuses) and kAnnounceFullBatch
//            (1100: room for a full batch of kBatchValues points)
//   then operations until the input ends, each an opcode byte (% kOpCount) and its
//   operands:
//     kAnswer, kAbsorb         a count byte c: c points, or 1020 + 2 (c - 250) when
//                              c >= 250 (around the kBatchValues limit); then one
//                              selector byte s per point (see PointSelector)
//     kAnswerPacked,           a length (2 bytes, little-endian) and that many bytes,
//     kAbsorbPacked            unpacked as a transport does (protocol::unpackPoints)
//     kPrepareTags, kNextTags, kCheckComplete, kNextShuffled: no operands
// Missing operand bytes at the end of the input read as 0: an empty batch, or points
// of the cheap kind (the identity, refused at once), so that a short input cannot
// cost a thousand scalar multiplications.
#pragma once

#include "protocol/record-source.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace entente::fuzz {

enum ResponderOp : uint8_t {
  kAnswer = 0,
  kAbsorb = 1,
  kAnswerPacked = 2,
  kAbsorbPacked = 3,
  kPrepareTags = 4,
  kNextTags = 5,
  kCheckComplete = 6,
  kNextShuffled = 7,
};
inline constexpr uint8_t kOpCount = 8;

// Byte 0.
inline constexpr uint8_t kIdsMode = 0x01;
inline constexpr uint8_t kKindsShift = 1;  // 4 bits
inline constexpr uint8_t kChangingSource = 0x20;
// Byte 1.
inline constexpr uint8_t kAnnounceHuge = 255;
inline constexpr uint8_t kAnnounceFullBatch = 254;

// Selector byte of a point, s % 4: 0 the identity (all zeros, refused by the group),
// 1 a non-canonical encoding (all 0xff), 2 the next 32 input bytes as they are,
// 3 a valid point, number (s / 4) % kValidPoints of the target's table (the points of
// the responder's own values, "v0" .. "v7" as e-mail addresses).
enum PointSelector : uint8_t { kIdentityPoint = 0, kNonCanonicalPoint = 1, kRawPoint = 2, kValidPoint = 3 };
inline constexpr uint8_t kValidPoints = 8;

inline constexpr uint8_t validPoint(uint8_t index) { return static_cast<uint8_t>(index * 4 + kValidPoint); }

// The responder's customers, handed out in order; `extraAnnounced` values more are
// announced than handed out, as a selection that changed between the count and the
// reading does. Shared by the target and the seed generator, so that seeds meet the
// customers the target fuzzes.
class ListedCustomers : public protocol::RecordSource {
 public:
  explicit ListedCustomers(std::vector<protocol::SelectedGroup> groups, uint64_t extraAnnounced = 0)
      : groups_(std::move(groups)), extraAnnounced_(extraAnnounced) {}
  uint64_t groupCount() const override { return groups_.size(); }
  uint64_t valueCount() const override {
    uint64_t n = extraAnnounced_;
    for (auto& g : groups_) n += g.values.size();
    return n;
  }
  size_t read(size_t maxGroups, std::vector<protocol::SelectedGroup>& out) override {
    size_t n = 0;
    for (; n < maxGroups && next_ < groups_.size(); ++n) out.push_back(groups_[next_++]);
    return n;
  }
  std::string customerIdOf(uint64_t key) override { return "C" + std::to_string(key); }

 private:
  std::vector<protocol::SelectedGroup> groups_;
  uint64_t extraAnnounced_;
  size_t next_ = 0;
};

}  // namespace entente::fuzz
