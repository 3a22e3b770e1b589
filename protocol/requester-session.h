// The requester's side of one match session, as a state machine that knows nothing
// of the transport: a driver (node/match/match-driver.h over Cap'n Proto, or a test
// in-process) feeds it the responder's messages and sends what it produces.
//
//   1. nextBatch(): its customers' values hashed to the group and blinded with r,
//      whole customers per batch, each padded to one value per kind.
//   2. addTags(): the responder's tags H(y)^s, truncated.
//   3. ids mode: addAnswer() receives (H(x)^r)^s for each batch in order;
//      count mode: addShuffled() receives them as whole customers, shuffled.
//   4. finish(): removes r, tags H(x)^s, and looks each customer up; in enrich mode it
//      opens the responder's sealed attributes of each matched customer with the key
//      derived from its own H(x)^s (crypto/attribute-seal.h).
#pragma once

#include "crypto/attribute-seal.h"
#include "crypto/group.h"
#include "protocol/blinded-batch.h"
#include "protocol/record-source.h"
#include "protocol/session-terms.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace entente::protocol {

class RequesterSession {
 public:
  RequesterSession(const crypto::HashDomain& domain, SessionTerms terms, RecordSource& source);

  uint64_t groups() const { return groups_; }
  uint64_t values() const { return groups_ * terms_.kinds.size(); }
  const SessionTerms& terms() const { return terms_; }

  // The responder's offer: its value count and tag length. Throws SessionError when
  // the tag length is too short for the sets to be compared safely.
  void accept(uint64_t responderValues, size_t tagBytes);
  size_t tagBytes() const { return tagBytes_; }
  uint64_t responderValues() const { return responderValues_; }

  // The next batch to send, or false when every customer has been sent.
  bool nextBatch(BlindedBatch& out);
  uint64_t batchesSent() const { return batchesSent_; }
  // For progress reports: customers sent so far, and the partner's tags received.
  uint64_t sentGroups() const { return sentGroups_; }
  uint64_t tagsReceived() const { return tagsReceived_; }
  bool accepted() const { return accepted_; }
  // Our values back from the partner, raised to its scalar (answers or shuffled).
  uint64_t valuesAnswered() const { return valuesAnswered_; }

  // Enrich mode: `sealed` holds one sealed record per tag, in the same order.
  void addTags(std::span<const uint8_t> packed, std::span<const uint8_t> sealed = {});
  void tagsDone(uint64_t count);

  // Ids and enrich mode: the answer to batch number `index` (0-based, in the order sent).
  void addAnswer(uint64_t index, const BlindedBatch& answer);
  // Count mode: whole customers in the responder's random order.
  void addShuffled(const BlindedBatch& batch);

  // Throws SessionError when a message is missing.
  MatchOutcome finish();

 private:
  // Raises `points` to 1/r and writes their tags to `into` (and seal keys to `keys`).
  void tagAnswer(const std::vector<crypto::Point>& points, std::span<crypto::Tag> into, crypto::SealKey* keys);
  // The partner's tags as 16-byte tags, expanded on the workers from the bytes received.
  crypto::TagList unpackPartnerTags();
  std::vector<std::optional<std::string>> openMatched(uint64_t group, uint8_t mask,
                                                      const std::vector<uint32_t>& order) const;

  const crypto::HashDomain& domain_;
  SessionTerms terms_;
  RecordSource& source_;
  crypto::SessionScalar r_;
  crypto::SessionScalar rInverse_;
  uint64_t groups_;
  uint64_t responderValues_ = 0;
  size_t tagBytes_ = 0;
  bool accepted_ = false;

  // Ids mode: customer keys in the order sent, and per batch its first group.
  std::vector<uint64_t> sentKeys_;
  std::vector<uint64_t> batchFirstGroup_;
  uint64_t batchesSent_ = 0;
  uint64_t sentGroups_ = 0;

  // Tags that overtook the offer (bounded: an honest responder streams flow-controlled).
  static constexpr size_t kMaxEarlyTagBytes = 64u << 20;
  std::vector<uint8_t> earlyTags_;
  std::vector<uint8_t> earlySealed_;
  std::optional<uint64_t> earlyTagsDone_;
  // The partner's tags as received, tagBytes_ each: appending bytes is all the event
  // loop's thread does per message; finish() expands them on the workers.
  std::vector<uint8_t> partnerPacked_;
  uint64_t tagsReceived_ = 0;
  crypto::TagList partnerTags_;  // finish(): the partner's tags, expanded and sorted
  bool tagsComplete_ = false;
  // Our values as H(x)^s tags: in send order (ids) or in the responder's order (count).
  crypto::TagList ownTags_;
  std::vector<bool> answered_;
  // Enrich mode: the partner's sealed records, in the order of its tags as received,
  // and the seal key of each of our values, in send order.
  std::vector<uint8_t> partnerSealed_;
  std::vector<crypto::SealKey> ownKeys_;
  uint64_t answeredBatches_ = 0;
  uint64_t valuesAnswered_ = 0;
};

}  // namespace entente::protocol
