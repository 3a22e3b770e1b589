// The responder's side of one match session, as a transport-free state machine.
//
//   tags: every selected value hashed to the group and raised to s, truncated, sorted
//         (sorting pseudo-random tags is as good as shuffling them), handed out in
//         chunks for streaming.
//   enrich:     each tag travels with its customer's attributes, sealed under a key
//               derived from the same H(y)^s (crypto/attribute-seal.h), sorted with it.
//   ids and enrich mode: answer() raises each requester batch to s and keeps the order.
//   count mode: absorb() raises and keeps; after the last batch, nextShuffled() hands
//               the requester's customers back as whole groups in a random order.
//
// The responder never learns which of its customers matched: it sees only blinded
// values it cannot link to its own.
#pragma once

#include "crypto/attribute-seal.h"
#include "crypto/group.h"
#include "crypto/random.h"
#include "protocol/blinded-batch.h"
#include "protocol/record-source.h"
#include "protocol/session-terms.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace entente::protocol {

class ResponderSession {
 public:
  // A uniform integer in [0, bound): the source of the count-mode shuffle.
  using RandomBelow = std::function<uint32_t(uint32_t bound)>;
  // A session's own source: a crypto::RandomStream, drawn from the system once.
  static RandomBelow freshRandom();

  // `requestGroups` is what the requester announced; the session holds it to that.
  // `scalar` and `randomBelow` are parameters so that tests can fix them and predict
  // the shuffled order; a node always keeps the defaults.
  ResponderSession(const crypto::HashDomain& domain, SessionTerms terms, RecordSource& source,
                   uint64_t requestGroups, crypto::SessionScalar scalar = crypto::SessionScalar::random(),
                   RandomBelow randomBelow = freshRandom());

  uint64_t values() const { return values_; }
  size_t tagBytes() const { return tagBytes_; }

  // Computes the tags of up to kBatchValues more customers (the costly part on this
  // side); returns true once every tag is computed and sorted. A driver calls it
  // once per event-loop turn, so that the node answers the requester in between.
  bool prepareTags();
  // Whether the tags lag behind the requester: a smaller share of them is computed
  // than of the announced customers has arrived. A driver computes tags while they
  // do, so that both sides finish together: otherwise the requester, done sending
  // early, waits on tags alone for as long as a stopped partner would make it wait.
  bool tagsBehind() const;
  // The next chunk of at most kTagsPerMessage tags, tagBytes() each, or false when all
  // are out. Computes whatever prepareTags() has not yet.
  // Enrich mode: `sealed` receives the chunk's sealed records, one per tag, in order;
  // otherwise it is left empty.
  bool nextTags(std::vector<uint8_t>& packed, std::vector<uint8_t>* sealed = nullptr);
  uint64_t tagsSent() const { return tagsSent_; }

  BlindedBatch answer(const BlindedBatch& batch);   // ids and enrich mode
  void absorb(const BlindedBatch& batch);           // count mode
  // Count mode, after every announced group arrived. Throws SessionError otherwise.
  // Customers come back in a random order, and the values inside each customer are
  // shuffled too, so that the requester learns how many of a customer's values
  // matched but not which kinds.
  bool nextShuffled(BlindedBatch& out);
  // Throws SessionError unless every announced customer arrived (both modes).
  void checkComplete() const;
  uint64_t receivedGroups() const { return receivedGroups_; }

 private:
  void checkIncoming(const BlindedBatch& batch);
  void stageShuffled();

  const crypto::HashDomain& domain_;
  SessionTerms terms_;
  RecordSource& source_;
  crypto::SessionScalar s_;
  RandomBelow randomBelow_;
  uint64_t requestGroups_;
  uint64_t values_;
  size_t tagBytes_;

  crypto::TagList tags_;
  std::vector<uint8_t> sealed_;  // enrich mode: one record per tag, same order
  bool tagsComputed_ = false;
  uint64_t tagsSent_ = 0;

  uint64_t receivedGroups_ = 0;
  crypto::PointList kept_;                // count mode: received values raised to s
  // 1 GiB of address space, untouched until used: 33 million values, so that ten
  // million customers' values never make the list grow by a copy on the loop's thread.
  static constexpr uint64_t kReserveValues = uint64_t{1} << 25;
  std::vector<uint32_t> groupOrder_;      // count mode: the random order of groups
  uint64_t shuffledSent_ = 0;             // groups of groupOrder_ staged so far
  // Count mode: the next customers in their shuffled order, gathered from kept_ by the
  // workers kStagedGroups at a time, and how many of them are sent.
  static constexpr size_t kStagedGroups = 16384;
  crypto::PointList staged_;
  size_t stagedRead_ = 0;
};

}  // namespace entente::protocol
