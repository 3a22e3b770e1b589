#include "node/match/match-selection.h"

#include "crypto/batch-pool.h"
#include "storage/customer-store.h"

#include <algorithm>

namespace entente::node {

MatchSelection::MatchSelection(storage::Environment& env, const protocol::SessionTerms& terms,
                               int64_t startedAtUnix, SelectionOptions options)
    : attributes_(terms.attributes),
      options_(std::move(options)),
      snapshot_(env, storage::Transaction::Mode::READ),
      consent_(snapshot_, terms.purpose, startedAtUnix),
      enrichment_(snapshot_, kEnrichmentPurpose, startedAtUnix) {
  for (auto kind : terms.kinds) kindMask_ |= static_cast<uint8_t>(1u << static_cast<unsigned>(kind));
  // First pass: the totals both roles announce before sending anything.
  storage::CustomerCursor counter(snapshot_);
  storage::ConsentWalk consent(snapshot_, consent_);
  std::vector<Candidate> chunk;
  while (scan(counter, consent, chunk)) {
    for (auto& c : chunk) {
      if (c.verdict == Candidate::Verdict::NO_VALUES) continue;
      if (c.verdict == Candidate::Verdict::NO_CONSENT) {
        ++withoutConsent_;
      } else if (!passesFilter(c)) {
        ++filteredOut_;
      } else {
        ++groups_;
        values_ += c.valueCount;
        chosen_.push_back({c.key, c.record});
      }
    }
  }
}

MatchSelection::~MatchSelection() = default;

bool MatchSelection::scan(storage::CustomerCursor& cursor, storage::ConsentWalk& consent,
                          std::vector<Candidate>& chunk) {
  chunk.clear();
  // Only this thread may use the snapshot: it finds the records, the workers read them.
  while (chunk.size() < kScanChunk && cursor.next()) {
    auto& c = chunk.emplace_back();
    c.key = cursor.key();
    c.record = cursor.stored();
    c.consent = consent.find(c.key);
  }
  if (chunk.empty()) return false;
  crypto::parallelFor(chunk.size(), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) judge(chunk[i]);
  });
  return true;
}

template <class Each>
void MatchSelection::forEachSessionValue(storage::Bytes record, Each each) const {
  storage::StoredIdentifiers identifiers(record);
  uint8_t kind = 0;
  std::string_view value;
  while (identifiers.next(kind, value)) {
    if (kind < 8 && (kindMask_ >> kind & 1)) each(static_cast<crypto::IdentifierKind>(kind), value);
  }
}

void MatchSelection::judge(Candidate& c) const {
  forEachSessionValue(c.record, [&](crypto::IdentifierKind, std::string_view) { ++c.valueCount; });
  if (c.valueCount == 0) {
    c.verdict = Candidate::Verdict::NO_VALUES;
  } else if (consent_.judge(c.consent) != storage::ConsentState::GRANTED) {
    c.verdict = Candidate::Verdict::NO_CONSENT;
  } else {
    c.verdict = Candidate::Verdict::SELECTED;
  }
}

bool MatchSelection::passesFilter(const Candidate& c) {
  if (!options_.filter) return true;
  storage::CustomerRecord record(snapshot_, c.record);
  return options_.filter(snapshot_, c.key, record.get());
}

void MatchSelection::addAttributes(Candidate& c) {
  auto& into = c.group.attributes;
  into.assign(attributes_.size(), std::nullopt);
  if (enrichment_.judge(enrichment_.find(snapshot_, c.key)) != storage::ConsentState::GRANTED) return;
  storage::CustomerRecord record(snapshot_, c.record);
  for (auto a : record.get().getAttributes()) {
    if (a.getSpecialCategory()) continue;
    auto at = std::find(attributes_.begin(), attributes_.end(), std::string_view(a.getName().cStr()));
    if (at != attributes_.end()) into[static_cast<size_t>(at - attributes_.begin())] = a.getValue().cStr();
  }
}

void MatchSelection::readValues(Candidate& c) const {
  c.group.customerKey = c.key;
  forEachSessionValue(c.record, [&](crypto::IdentifierKind kind, std::string_view value) {
    c.group.values.push_back({kind, std::string(value)});
  });
}

bool MatchSelection::takeChosen() {
  chunkRead_ = 0;
  chunk_.clear();
  size_t n = std::min(kScanChunk, chosen_.size() - chosenTaken_);
  if (n == 0) {
    std::vector<Chosen>().swap(chosen_);
    chosenTaken_ = 0;
    return false;
  }
  chunk_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    chunk_[i].key = chosen_[chosenTaken_ + i].key;
    chunk_[i].record = chosen_[chosenTaken_ + i].record;
  }
  chosenTaken_ += n;
  crypto::parallelFor(n, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) readValues(chunk_[i]);
  });
  return true;
}

size_t MatchSelection::read(size_t maxGroups, std::vector<protocol::SelectedGroup>& out) {
  size_t appended = 0;
  while (appended < maxGroups) {
    if (chunkRead_ == chunk_.size() && !takeChosen()) break;
    auto& c = chunk_[chunkRead_++];
    if (options_.shareAttributes && !attributes_.empty()) addAttributes(c);
    readKeys_.push_back(c.key);
    out.push_back(std::move(c.group));
    ++appended;
  }
  return appended;
}

std::string MatchSelection::customerIdOf(uint64_t customerKey) {
  auto record = storage::CustomerStore::read(snapshot_, customerKey);
  return record.get().getCustomerId().cStr();
}

}  // namespace entente::node
