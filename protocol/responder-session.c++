#include "protocol/responder-session.h"

#include "crypto/batch-pool.h"

#include <algorithm>
#include <memory>
#include <numeric>

namespace entente::protocol {

ResponderSession::RandomBelow ResponderSession::freshRandom() {
  return [stream = std::make_shared<crypto::RandomStream>()](uint32_t bound) { return stream->below(bound); };
}

ResponderSession::ResponderSession(const crypto::HashDomain& domain, SessionTerms terms,
                                   RecordSource& source, uint64_t requestGroups,
                                   crypto::SessionScalar scalar, RandomBelow randomBelow)
    : domain_(domain),
      terms_(std::move(terms)),
      source_(source),
      s_(std::move(scalar)),
      randomBelow_(std::move(randomBelow)),
      requestGroups_(requestGroups),
      values_(source.valueCount()),
      tagBytes_(crypto::tagBytesFor(requestGroups * terms_.kinds.size(), values_)) {
  if (terms_.kinds.empty() || terms_.kinds.size() > kMaxGroupSize) {
    throw SessionError("a match needs between 1 and 8 identifier kinds");
  }
  if ((terms_.mode == MatchMode::ENRICH) != !terms_.attributes.empty() ||
      terms_.attributes.size() > crypto::kMaxSealedAttributes) {
    throw SessionError("an enrich-mode match asks for 1 to 16 attributes, and only enrich mode asks for any");
  }
  if (terms_.mode == MatchMode::COUNT && requestGroups > UINT32_MAX) {
    throw SessionError("a count-mode request is limited to 4294967295 customers");
  }
}

bool ResponderSession::prepareTags() {
  if (tagsComputed_) return true;
  if (tags_.empty()) tags_.reserve(values_);
  std::vector<SelectedGroup> groups;
  if (source_.read(kBatchValues, groups) > 0) {
    std::vector<crypto::SessionScalar::HashInput> inputs;
    for (auto& g : groups) {
      for (auto& v : g.values) inputs.push_back({v.kind, v.normalised});
    }
    crypto::PointList blinded(inputs.size());
    size_t base = tags_.size();
    tags_.resize(base + inputs.size());
    s_.hashAndBlind(domain_, inputs, blinded, std::span<crypto::Tag>(tags_).subspan(base), tagBytes_);
    if (terms_.mode == MatchMode::ENRICH) {
      size_t i = 0;
      for (auto& g : groups) {
        if (g.attributes.size() != terms_.attributes.size()) g.attributes.resize(terms_.attributes.size());
        for (size_t v = 0; v < g.values.size(); ++v) {
          crypto::sealAttributes(crypto::sealKeyOf(blinded[i++]), g.attributes, sealed_);
        }
      }
    }
    if (tags_.size() <= values_) return false;
  }
  if (tags_.size() != values_) {
    throw SessionError("the customer selection changed during the session; the requester may retry");
  }
  if (terms_.mode == MatchMode::ENRICH) {
    // The records move with their tags: the sorted order must not reveal the store's.
    const size_t recordBytes = crypto::sealedBytes(terms_.attributes.size());
    std::vector<uint32_t> order(tags_.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return tags_[a] < tags_[b]; });
    crypto::TagList tags(tags_.size());
    std::vector<uint8_t> sealed(sealed_.size());
    for (size_t i = 0; i < order.size(); ++i) {
      tags[i] = tags_[order[i]];
      std::copy_n(sealed_.begin() + static_cast<ptrdiff_t>(order[i] * recordBytes), recordBytes,
                  sealed.begin() + static_cast<ptrdiff_t>(i * recordBytes));
    }
    tags_.swap(tags);
    sealed_.swap(sealed);
  } else {
    crypto::sortTags(tags_);
  }
  tagsComputed_ = true;
  return true;
}

bool ResponderSession::tagsBehind() const {
  if (tagsComputed_ || values_ == 0 || requestGroups_ == 0) return false;
  // Shares, not products of counts, which could pass 64 bits; a pace needs no exactness.
  return static_cast<double>(tags_.size()) / static_cast<double>(values_) <
         static_cast<double>(receivedGroups_) / static_cast<double>(requestGroups_);
}

bool ResponderSession::nextTags(std::vector<uint8_t>& packed, std::vector<uint8_t>* sealed) {
  while (!prepareTags()) {
  }
  packed.clear();
  if (sealed != nullptr) sealed->clear();
  // Once every tag is out the list is freed (below) and tagsSent_ stays: a later call
  // must answer false again, not read past the end (found by the responder fuzzer).
  if (tagsSent_ >= tags_.size()) {
    crypto::TagList().swap(tags_);
    std::vector<uint8_t>().swap(sealed_);
    return false;
  }
  size_t n = std::min<uint64_t>(kTagsPerMessage, tags_.size() - tagsSent_);
  if (n == 0) {
    // The tags are no longer needed: free them before the rest of the session.
    crypto::TagList().swap(tags_);
    std::vector<uint8_t>().swap(sealed_);
    return false;
  }
  if (terms_.mode == MatchMode::ENRICH) {
    if (sealed == nullptr) throw SessionError("an enrich-mode session sends sealed attributes with its tags");
    const size_t recordBytes = crypto::sealedBytes(terms_.attributes.size());
    auto from = sealed_.begin() + static_cast<ptrdiff_t>(tagsSent_ * recordBytes);
    sealed->assign(from, from + static_cast<ptrdiff_t>(n * recordBytes));
  }
  packed.reserve(n * tagBytes_);
  for (size_t i = 0; i < n; ++i) {
    auto& tag = tags_[tagsSent_ + i];
    packed.insert(packed.end(), tag.begin(), tag.begin() + tagBytes_);
  }
  tagsSent_ += n;
  return true;
}

void ResponderSession::checkIncoming(const BlindedBatch& batch) {
  const size_t k = terms_.kinds.size();
  if (batch.points.empty() || batch.points.size() % k != 0 || batch.points.size() > kBatchValues) {
    throw SessionError("the requester sent a malformed batch (not whole customers, or too large)");
  }
  uint64_t groups = batch.points.size() / k;
  if (receivedGroups_ + groups > requestGroups_) {
    throw SessionError("the requester sent more customers than it announced (" +
                       std::to_string(requestGroups_) + ")");
  }
  receivedGroups_ += groups;
}

BlindedBatch ResponderSession::answer(const BlindedBatch& batch) {
  if (!learnsWhich(terms_.mode)) throw SessionError("this session is in count mode: values are submitted, not answered");
  checkIncoming(batch);
  BlindedBatch out;
  out.points.resize(batch.points.size());
  s_.blind(batch.points, out.points);
  return out;
}

void ResponderSession::absorb(const BlindedBatch& batch) {
  if (terms_.mode != MatchMode::COUNT) throw SessionError("this session is in ids or enrich mode: values are answered, not submitted");
  if (!groupOrder_.empty() || shuffledSent_ > 0) throw SessionError("values arrived after the session was finished");
  checkIncoming(batch);
  // Room for every value announced, up to a bound: growing by doubling copied the
  // whole list each time on the event loop's thread, and the bound keeps a partner
  // that announces more than it sends from reserving much.
  if (kept_.capacity() == 0) kept_.reserve(std::min<uint64_t>(requestGroups_ * terms_.kinds.size(), kReserveValues));
  size_t base = kept_.size();
  kept_.resize(base + batch.points.size());
  s_.blind(batch.points, std::span<crypto::Point>(kept_).subspan(base));
}

void ResponderSession::checkComplete() const {
  if (receivedGroups_ != requestGroups_) {
    throw SessionError("the requester finished after " + std::to_string(receivedGroups_) + " of the " +
                       std::to_string(requestGroups_) + " customers it announced");
  }
}

bool ResponderSession::nextShuffled(BlindedBatch& out) {
  const size_t k = terms_.kinds.size();
  if (terms_.mode != MatchMode::COUNT) throw SessionError("only a count-mode session returns shuffled values");
  checkComplete();
  if (groupOrder_.empty() && shuffledSent_ == 0 && receivedGroups_ > 0) {
    groupOrder_.resize(receivedGroups_);
    std::iota(groupOrder_.begin(), groupOrder_.end(), 0u);
    // Fisher-Yates with an unbiased generator (crypto::randomBelow unless a test
    // injects one): the requester must not be able to predict the order, or count
    // mode would degrade to ids mode.
    for (size_t i = groupOrder_.size(); i > 1; --i) {
      std::swap(groupOrder_[i - 1], groupOrder_[randomBelow_(static_cast<uint32_t>(i))]);
    }
  }
  if (stagedRead_ * k == staged_.size()) stageShuffled();
  size_t groups = std::min(kBatchValues / k, staged_.size() / k - stagedRead_);
  if (groups == 0) {
    crypto::PointList().swap(kept_);
    crypto::PointList().swap(staged_);
    out.points.clear();
    return false;
  }
  auto from = staged_.begin() + static_cast<ptrdiff_t>(stagedRead_ * k);
  out.points.assign(from, from + static_cast<ptrdiff_t>(groups * k));
  stagedRead_ += groups;
  return true;
}

void ResponderSession::stageShuffled() {
  const size_t k = terms_.kinds.size();
  const size_t groups = std::min<uint64_t>(kStagedGroups, groupOrder_.size() - shuffledSent_);
  // The draws stay on this thread and in the order they always came, each customer's
  // inner shuffle after the one before, so that an injected source still predicts
  // the order. Reading the kept values in random order, a cache miss per customer,
  // is the costly part: it runs on the workers.
  std::vector<uint8_t> draws(groups * (k - 1));
  for (size_t g = 0, d = 0; g < groups; ++g) {
    for (size_t i = k; i > 1; --i) draws[d++] = static_cast<uint8_t>(randomBelow_(static_cast<uint32_t>(i)));
  }
  staged_.resize(groups * k);
  crypto::parallelFor(groups, [&](size_t begin, size_t end) {
    for (size_t g = begin; g < end; ++g) {
      crypto::Point* to = staged_.data() + g * k;
      std::copy_n(kept_.data() + size_t{groupOrder_[shuffledSent_ + g]} * k, k, to);
      const uint8_t* draw = draws.data() + g * (k - 1);
      for (size_t i = k; i > 1; --i) std::swap(to[i - 1], to[*draw++]);
    }
  });
  shuffledSent_ += groups;
  stagedRead_ = 0;
}

}  // namespace entente::protocol
