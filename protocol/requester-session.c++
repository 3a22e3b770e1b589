#include "protocol/requester-session.h"

#include "crypto/batch-pool.h"

#include <algorithm>

namespace entente::protocol {

RequesterSession::RequesterSession(const crypto::HashDomain& domain, SessionTerms terms,
                                   RecordSource& source)
    : domain_(domain),
      terms_(std::move(terms)),
      source_(source),
      r_(crypto::SessionScalar::random()),
      rInverse_(r_.inverse()),
      groups_(source.groupCount()) {
  if (terms_.kinds.empty() || terms_.kinds.size() > kMaxGroupSize) {
    throw SessionError("a match needs between 1 and 8 identifier kinds");
  }
  if ((terms_.mode == MatchMode::ENRICH) != !terms_.attributes.empty() ||
      terms_.attributes.size() > crypto::kMaxSealedAttributes) {
    throw SessionError("an enrich-mode match asks for 1 to 16 attributes, and only enrich mode asks for any");
  }
}

void RequesterSession::accept(uint64_t responderValues, size_t tagBytes) {
  size_t needed = crypto::tagBytesFor(values(), responderValues);
  if (tagBytes < needed || tagBytes > crypto::kMaxTagBytes) {
    throw SessionError("the partner offered " + std::to_string(tagBytes) + "-byte tags where " +
                       std::to_string(needed) + " are needed for these set sizes; it may run an "
                       "incompatible version of entente");
  }
  responderValues_ = responderValues;
  tagBytes_ = tagBytes;
  accepted_ = true;
  partnerPacked_.reserve(responderValues * tagBytes);
  if (learnsWhich(terms_.mode)) {
    ownTags_.resize(values());
  } else {
    ownTags_.reserve(values());
  }
  if (learnsWhich(terms_.mode)) sentKeys_.reserve(groups_);
  if (terms_.mode == MatchMode::ENRICH) {
    ownKeys_.resize(values());
    partnerSealed_.reserve(responderValues * crypto::sealedBytes(terms_.attributes.size()));
  }
  std::vector<uint8_t> early, earlySealed;
  early.swap(earlyTags_);
  earlySealed.swap(earlySealed_);
  if (!early.empty()) addTags(early, earlySealed);
  if (earlyTagsDone_) tagsDone(*earlyTagsDone_);
}

bool RequesterSession::nextBatch(BlindedBatch& out) {
  const size_t k = terms_.kinds.size();
  std::vector<SelectedGroup> groups;
  source_.read(kBatchValues / k, groups);
  if (groups.empty()) {
    if (sentGroups_ != groups_) {
      throw SessionError("the customer selection changed during the session; run the match again");
    }
    return false;
  }
  std::vector<crypto::SessionScalar::HashInput> inputs(groups.size() * k);
  for (size_t g = 0; g < groups.size(); ++g) {
    for (size_t slot = 0; slot < k; ++slot) inputs[g * k + slot] = {terms_.kinds[slot], std::nullopt};
    for (auto& value : groups[g].values) {
      auto slot = std::find(terms_.kinds.begin(), terms_.kinds.end(), value.kind) - terms_.kinds.begin();
      if (static_cast<size_t>(slot) < k) inputs[g * k + slot].normalised = value.normalised;
    }
    if (learnsWhich(terms_.mode)) sentKeys_.push_back(groups[g].customerKey);
  }
  out.points.resize(inputs.size());
  r_.hashAndBlind(domain_, inputs, out.points);
  batchFirstGroup_.push_back(sentGroups_);
  sentGroups_ += groups.size();
  ++batchesSent_;
  return true;
}

void RequesterSession::addTags(std::span<const uint8_t> packed, std::span<const uint8_t> sealed) {
  if (!accepted_) {
    // The responder starts streaming as soon as it accepts, so its first tags may
    // arrive before its offer does; they wait here until the offer says their length.
    if (earlyTags_.size() + packed.size() + earlySealed_.size() + sealed.size() > kMaxEarlyTagBytes) {
      throw SessionError("the partner sent tags before it accepted the session");
    }
    earlyTags_.insert(earlyTags_.end(), packed.begin(), packed.end());
    earlySealed_.insert(earlySealed_.end(), sealed.begin(), sealed.end());
    return;
  }
  if (!accepted_ || tagsComplete_ || packed.size() % tagBytes_ != 0 ||
      tagsReceived() + packed.size() / tagBytes_ > responderValues_) {
    throw SessionError("the partner sent more tags than it announced, or tags of the wrong length");
  }
  size_t recordBytes = terms_.mode == MatchMode::ENRICH ? crypto::sealedBytes(terms_.attributes.size()) : 0;
  if (sealed.size() != packed.size() / tagBytes_ * recordBytes) {
    throw SessionError("the partner's sealed attributes do not match its tags (one record of " +
                       std::to_string(recordBytes) + " bytes per tag expected)");
  }
  partnerSealed_.insert(partnerSealed_.end(), sealed.begin(), sealed.end());
  partnerPacked_.insert(partnerPacked_.end(), packed.begin(), packed.end());
  tagsReceived_ += packed.size() / tagBytes_;
}

void RequesterSession::tagsDone(uint64_t count) {
  if (!accepted_) {
    earlyTagsDone_ = count;
    return;
  }
  if (count != tagsReceived() || count != responderValues_) {
    throw SessionError("the partner's tag stream ended early (" + std::to_string(tagsReceived()) +
                       " of " + std::to_string(responderValues_) + " received)");
  }
  tagsComplete_ = true;
}

void RequesterSession::tagAnswer(const std::vector<crypto::Point>& points, std::span<crypto::Tag> into,
                                 crypto::SealKey* keys) {
  crypto::PointList unblinded(points.size());
  rInverse_.blind(points, unblinded, into, tagBytes_);
  if (keys != nullptr) {
    for (size_t i = 0; i < points.size(); ++i) keys[i] = crypto::sealKeyOf(unblinded[i]);
  }
}

void RequesterSession::addAnswer(uint64_t index, const BlindedBatch& answer) {
  const size_t k = terms_.kinds.size();
  if (!learnsWhich(terms_.mode) || index >= batchesSent_) {
    throw SessionError("the partner answered a batch that was never sent");
  }
  if (answered_.size() < batchesSent_) answered_.resize(batchesSent_, false);
  uint64_t first = batchFirstGroup_[index];
  uint64_t end = index + 1 < batchFirstGroup_.size() ? batchFirstGroup_[index + 1] : sentGroups_;
  if (answered_[index] || answer.points.size() != (end - first) * k) {
    throw SessionError("the partner's answer does not match the batch it answers");
  }
  tagAnswer(answer.points, std::span<crypto::Tag>(ownTags_).subspan(first * k, answer.points.size()),
            terms_.mode == MatchMode::ENRICH ? ownKeys_.data() + first * k : nullptr);
  answered_[index] = true;
  ++answeredBatches_;
  valuesAnswered_ += answer.points.size();
}

void RequesterSession::addShuffled(const BlindedBatch& batch) {
  const size_t k = terms_.kinds.size();
  if (terms_.mode != MatchMode::COUNT || batch.points.size() % k != 0 ||
      ownTags_.size() + batch.points.size() > values()) {
    throw SessionError("the partner returned more values than were sent, or split a customer");
  }
  size_t base = ownTags_.size();
  ownTags_.resize(base + batch.points.size());
  tagAnswer(batch.points, std::span<crypto::Tag>(ownTags_).subspan(base), nullptr);
  valuesAnswered_ += batch.points.size();
}

crypto::TagList RequesterSession::unpackPartnerTags() {
  crypto::TagList tags(tagsReceived_);
  crypto::parallelFor(tags.size(), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      crypto::Tag tag{};  // unused trailing bytes are zero, as in crypto::tagOf
      std::copy_n(partnerPacked_.begin() + static_cast<ptrdiff_t>(i * tagBytes_), tagBytes_, tag.begin());
      tags[i] = tag;
    }
  });
  std::vector<uint8_t>().swap(partnerPacked_);
  return tags;
}

MatchOutcome RequesterSession::finish() {
  const size_t k = terms_.kinds.size();
  if (!tagsComplete_) throw SessionError("the partner did not finish sending its tags");
  if (ownTags_.size() != values() || (learnsWhich(terms_.mode) && answeredBatches_ != batchesSent_)) {
    throw SessionError("the partner did not answer every value (" + std::to_string(ownTags_.size()) + " of " +
                       std::to_string(values()) + ")");
  }
  const bool enrich = terms_.mode == MatchMode::ENRICH;
  partnerTags_ = unpackPartnerTags();
  // Enrich mode keeps each tag's position, to find the sealed record received with it.
  std::vector<uint32_t> order;
  if (enrich) {
    order.resize(partnerTags_.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return partnerTags_[a] < partnerTags_[b]; });
    crypto::TagList sorted(partnerTags_.size());
    for (size_t i = 0; i < order.size(); ++i) sorted[i] = partnerTags_[order[i]];
    partnerTags_.swap(sorted);
  } else {
    crypto::sortTags(partnerTags_);
  }
  // Each customer's lookups are independent of the others': on all cores, like the
  // blinding, so that the event loop's thread does not search a million tags alone.
  std::vector<uint8_t> masks(groups_, 0);
  crypto::parallelFor(groups_, [&](size_t begin, size_t end) {
    for (size_t g = begin; g < end; ++g) {
      uint8_t mask = 0;
      for (size_t slot = 0; slot < k; ++slot) {
        if (std::binary_search(partnerTags_.begin(), partnerTags_.end(), ownTags_[g * k + slot])) {
          mask |= static_cast<uint8_t>(1u << slot);
        }
      }
      masks[g] = mask;
    }
  });
  MatchOutcome outcome;
  for (uint64_t g = 0; g < groups_; ++g) {
    uint8_t mask = masks[g];
    if (mask == 0) continue;
    ++outcome.overlap;
    if (!learnsWhich(terms_.mode)) continue;
    outcome.matched.push_back({sentKeys_[g], mask, {}});
    if (enrich) outcome.matched.back().attributes = openMatched(g, mask, order);
  }
  return outcome;
}

std::vector<std::optional<std::string>> RequesterSession::openMatched(uint64_t group, uint8_t mask,
                                                                      const std::vector<uint32_t>& order) const {
  const size_t k = terms_.kinds.size();
  const size_t n = terms_.attributes.size();
  const size_t recordBytes = crypto::sealedBytes(n);
  // Every matched value of the customer leads to the partner's records under the same
  // tag; the first record our key opens is the partner customer's. Several partner
  // customers may share an identifier: then the first that opens is taken.
  for (size_t slot = 0; slot < k; ++slot) {
    if (!(mask >> slot & 1)) continue;
    const auto& tag = ownTags_[group * k + slot];
    auto [from, to] = std::equal_range(partnerTags_.begin(), partnerTags_.end(), tag);
    for (auto it = from; it != to; ++it) {
      uint32_t received = order[static_cast<size_t>(it - partnerTags_.begin())];
      auto record = std::span<const uint8_t>(partnerSealed_).subspan(received * recordBytes, recordBytes);
      if (auto values = crypto::openAttributes(ownKeys_[group * k + slot], record, n)) return *values;
    }
  }
  return std::vector<std::optional<std::string>>(n);
}

}  // namespace entente::protocol
