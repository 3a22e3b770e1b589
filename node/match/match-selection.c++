#include "node/match/match-selection.h"

#include "storage/consent-store.h"
#include "storage/customer-store.h"

#include <algorithm>
#include <ctime>

namespace entente::node {

MatchSelection::MatchSelection(storage::Environment& env, const protocol::SessionTerms& terms,
                               int64_t startedAtUnix, SelectionOptions options)
    : purpose_(terms.purpose),
      attributes_(terms.attributes),
      options_(std::move(options)),
      startedAtUnix_(startedAtUnix),
      snapshot_(env, storage::Transaction::Mode::READ) {
  for (auto kind : terms.kinds) kindMask_ |= static_cast<uint8_t>(1u << static_cast<unsigned>(kind));
  // First pass: the totals both roles announce before sending anything.
  storage::CustomerCursor counter(snapshot_);
  protocol::SelectedGroup group;
  while (counter.next()) {
    group.values.clear();
    if (select(counter.key(), counter.record(), &group)) {
      ++groups_;
      values_ += group.values.size();
    }
  }
  cursor_ = std::make_unique<storage::CustomerCursor>(snapshot_);
}

MatchSelection::~MatchSelection() = default;

bool MatchSelection::select(uint64_t key, storage::schema::Customer::Reader record,
                            protocol::SelectedGroup* into) const {
  into->customerKey = key;
  for (auto id : record.getIdentifiers()) {
    if (id.getKind() < 8 && (kindMask_ >> id.getKind() & 1)) {
      into->values.push_back({static_cast<crypto::IdentifierKind>(id.getKind()), id.getValue().cStr()});
    }
  }
  if (into->values.empty()) return false;
  if (storage::ConsentStore::state(snapshot_, key, purpose_, startedAtUnix_) != storage::ConsentState::GRANTED) {
    into->values.clear();
    if (!started_) ++withoutConsent_;
    return false;
  }
  if (options_.filter && !options_.filter(snapshot_, key, record)) {
    into->values.clear();
    if (!started_) ++filteredOut_;
    return false;
  }
  // Attributes only for customers being read: the first pass only counts.
  if (started_ && options_.shareAttributes && !attributes_.empty()) {
    into->attributes.assign(attributes_.size(), std::nullopt);
    if (storage::ConsentStore::state(snapshot_, key, kEnrichmentPurpose, startedAtUnix_) ==
        storage::ConsentState::GRANTED) {
      for (auto a : record.getAttributes()) {
        if (a.getSpecialCategory()) continue;
        auto at = std::find(attributes_.begin(), attributes_.end(), std::string_view(a.getName().cStr()));
        if (at != attributes_.end()) into->attributes[static_cast<size_t>(at - attributes_.begin())] = a.getValue().cStr();
      }
    }
  }
  return true;
}

size_t MatchSelection::read(size_t maxGroups, std::vector<protocol::SelectedGroup>& out) {
  size_t appended = 0;
  while (appended < maxGroups && !finished_) {
    started_ = true;
    if (!cursor_->next()) {
      finished_ = true;
      break;
    }
    protocol::SelectedGroup group;
    if (select(cursor_->key(), cursor_->record(), &group)) {
      readKeys_.push_back(group.customerKey);
      out.push_back(std::move(group));
      ++appended;
    }
  }
  return appended;
}

std::string MatchSelection::customerIdOf(uint64_t customerKey) {
  auto record = storage::CustomerStore::read(snapshot_, customerKey);
  return record.get().getCustomerId().cStr();
}

}  // namespace entente::node
