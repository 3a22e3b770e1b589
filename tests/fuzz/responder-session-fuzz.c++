// Fuzz target: the responder's side of a match session (protocol/responder-session.h)
// driven by a hostile requester: any batches (valid points, invalid points, wrong
// sizes, more customers than announced, splits of a customer) in any order, mixed with
// the session's own steps (tags, completion check, shuffled values), in either mode.
// The input format is in responder-session-input.h.
//
// SessionError and any other std::exception are refusals, a fine outcome; a crash, a
// sanitizer report or a broken invariant (each fail() below says which) is a bug.
#include "protocol/responder-session.h"
#include "tests/fuzz/responder-session-input.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <vector>

using namespace entente;
using namespace entente::fuzz;
using protocol::BlindedBatch;
using protocol::MatchMode;
using protocol::ResponderSession;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "responder-session-fuzz: %s\n", what);
  std::abort();
}

const crypto::HashDomain& domain() {
  static const crypto::HashDomain instance("fuzz");
  return instance;
}

const std::array<crypto::Point, kValidPoints>& validPoints() {
  static const auto table = [] {
    std::array<crypto::Point, kValidPoints> points;
    for (size_t i = 0; i < points.size(); ++i) {
      points[i] = crypto::hashToGroup(domain(), crypto::IdentifierKind::EMAIL, "v" + std::to_string(i));
    }
    return points;
  }();
  return table;
}

crypto::SessionScalar fixedScalar() {
  std::array<uint8_t, 32> bytes;
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i + 1);
  return crypto::SessionScalar::fromBytes(bytes);
}

// Three customers with one, two and three values (at most one per kind of the session);
// when `changing`, it announces one value more than it hands out, as a selection that
// changed between the count and the reading does.
ListedCustomers fuzzSource(const std::vector<crypto::IdentifierKind>& kinds, bool changing) {
  std::vector<protocol::SelectedGroup> groups;
  for (uint64_t i = 0; i < 3; ++i) {
    protocol::SelectedGroup group{i + 1, {}, {}};
    for (size_t j = 0; j < kinds.size() && j <= i; ++j) {
      group.values.push_back({kinds[j], "v" + std::to_string(i * 3 + j)});
    }
    if (!group.values.empty()) groups.push_back(std::move(group));
  }
  return ListedCustomers(std::move(groups), changing ? 1 : 0);
}

class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool done() const { return at_ == size_; }
  uint8_t byte() { return at_ < size_ ? data_[at_++] : 0; }
  // Up to `n` bytes, fewer at the end of the input.
  std::span<const uint8_t> bytes(size_t n) {
    n = std::min(n, size_ - at_);
    std::span<const uint8_t> out(data_ + at_, n);
    at_ += n;
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

BlindedBatch selectedBatch(Input& in) {
  uint8_t c = in.byte();
  size_t count = c >= 250 ? protocol::kBatchValues - 4 + 2 * (c - 250) : c;
  BlindedBatch batch;
  batch.points.resize(count);
  for (auto& point : batch.points) {
    uint8_t s = in.byte();
    switch (s % 4) {
      case kIdentityPoint: point.fill(0); break;
      case kNonCanonicalPoint: point.fill(0xff); break;
      case kRawPoint: {
        point.fill(0);
        auto raw = in.bytes(point.size());
        std::copy(raw.begin(), raw.end(), point.begin());
        break;
      }
      case kValidPoint: point = validPoints()[(s / 4) % kValidPoints]; break;
    }
  }
  return batch;
}

BlindedBatch packedBatch(Input& in) {
  size_t length = in.byte();
  length |= size_t{in.byte()} << 8;
  return BlindedBatch{protocol::unpackPoints(in.bytes(length))};  // may throw SessionError
}

// What the driver has seen of the session, to check it against what the session says.
struct Observed {
  uint64_t tagsOut = 0;
  bool tagsEnded = false;
  std::vector<uint8_t> lastTag;
  uint64_t shuffledValues = 0;
  bool shuffledEnded = false;
};

void run(Input& in) {
  uint8_t config = in.byte();
  uint8_t announced = in.byte();
  const bool ids = config & kIdsMode;
  const size_t k = (config >> kKindsShift) & 0x0f;
  uint64_t requestGroups = announced == kAnnounceHuge        ? uint64_t{1} << 32
                           : announced == kAnnounceFullBatch ? 1100
                                                             : announced % 32;
  protocol::SessionTerms terms{ids ? MatchMode::IDS : MatchMode::COUNT, {}, "fuzz", {}};
  for (size_t j = 0; j < k; ++j) terms.kinds.push_back(crypto::kAllIdentifierKinds[j % 3]);
  auto source = fuzzSource(terms.kinds, config & kChangingSource);

  uint64_t lcg = config * 0x9e3779b97f4a7c15ull + announced;
  auto randomBelow = [&lcg](uint32_t bound) -> uint32_t {
    if (bound == 0) fail("randomBelow(0)");
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>((lcg >> 32) % bound);
  };

  const bool refused = k == 0 || k > protocol::kMaxGroupSize || (!ids && requestGroups > UINT32_MAX);
  std::optional<ResponderSession> session;
  try {
    session.emplace(domain(), terms, source, requestGroups, fixedScalar(), randomBelow);
  } catch (const protocol::SessionError&) {
    if (!refused) fail("the constructor refused valid terms");
    return;
  }
  if (refused) fail("the constructor accepted invalid terms");
  const size_t tagBytes = session->tagBytes();
  if (tagBytes < crypto::kMinTagBytes || tagBytes > crypto::kMaxTagBytes) fail("a tag length out of range");

  Observed seen;
  while (!in.done()) {
    uint8_t op = in.byte() % kOpCount;
    const uint64_t receivedBefore = session->receivedGroups();
    try {
      switch (op) {
        case kAnswer:
        case kAnswerPacked: {
          BlindedBatch batch = op == kAnswer ? selectedBatch(in) : packedBatch(in);
          BlindedBatch answer = session->answer(batch);
          if (!ids) fail("a count-mode session answered a batch");
          if (answer.points.size() != batch.points.size()) fail("an answer of another size than its batch");
          break;
        }
        case kAbsorb:
        case kAbsorbPacked: {
          BlindedBatch batch = op == kAbsorb ? selectedBatch(in) : packedBatch(in);
          session->absorb(batch);
          if (ids) fail("an ids-mode session absorbed a batch");
          if (seen.shuffledValues > 0 || seen.shuffledEnded) fail("a batch absorbed after the shuffled values went out");
          break;
        }
        case kPrepareTags: session->prepareTags(); break;
        case kNextTags: {
          std::vector<uint8_t> chunk;
          bool more = session->nextTags(chunk);
          if (more) {
            if (seen.tagsEnded) fail("tags after nextTags() said all were out");
            if (chunk.empty() || chunk.size() % tagBytes != 0 || chunk.size() > protocol::kTagsPerMessage * tagBytes) {
              fail("a tag chunk of a wrong size");
            }
            for (size_t at = 0; at < chunk.size(); at += tagBytes) {
              std::vector<uint8_t> tag(chunk.begin() + at, chunk.begin() + at + tagBytes);
              if (tag < seen.lastTag) fail("tags out of order");
              seen.lastTag = std::move(tag);
            }
            seen.tagsOut += chunk.size() / tagBytes;
          } else {
            seen.tagsEnded = true;
            if (seen.tagsOut != session->values()) fail("the tags ended before every value had its tag");
          }
          if (session->tagsSent() != seen.tagsOut) fail("tagsSent() differs from the tags handed out");
          break;
        }
        case kCheckComplete: {
          bool complete = session->receivedGroups() == requestGroups;
          try {
            session->checkComplete();
          } catch (const protocol::SessionError&) {
            if (complete) fail("checkComplete() refused a complete session");
            throw;
          }
          if (!complete) fail("checkComplete() passed an incomplete session");
          break;
        }
        case kNextShuffled: {
          BlindedBatch out;
          bool more = session->nextShuffled(out);
          if (ids) fail("an ids-mode session returned shuffled values");
          if (session->receivedGroups() != requestGroups) fail("shuffled values before every customer arrived");
          if (more) {
            if (seen.shuffledEnded) fail("shuffled values after nextShuffled() said all were out");
            if (out.points.empty() || out.points.size() % k != 0 || out.points.size() > protocol::kBatchValues) {
              fail("a shuffled batch of a wrong size");
            }
            seen.shuffledValues += out.points.size();
            if (seen.shuffledValues > session->receivedGroups() * k) fail("more shuffled values than were received");
          } else {
            if (!seen.shuffledEnded && seen.shuffledValues != session->receivedGroups() * k) {
              fail("the shuffled values ended before every received value went back");
            }
            seen.shuffledEnded = true;
          }
          break;
        }
      }
    } catch (const std::exception&) {
      // A refusal (SessionError, or std::runtime_error for an invalid point): fine.
    }
    if (session->receivedGroups() > requestGroups) fail("more customers received than announced");
    if (session->receivedGroups() < receivedBefore) fail("the count of received customers went down");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  run(in);
  return 0;
}
