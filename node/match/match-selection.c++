#include "node/match/match-selection.h"

#include "storage/consent-store.h"
#include "storage/customer-store.h"

#include <ctime>

namespace entente::node {

MatchSelection::MatchSelection(storage::Environment& env, const protocol::SessionTerms& terms)
    : purpose_(terms.purpose),
      startedAtUnix_(static_cast<int64_t>(std::time(nullptr))),
      snapshot_(env, storage::Transaction::Mode::READ) {
  for (auto kind : terms.kinds) kindMask_ |= static_cast<uint8_t>(1u << static_cast<unsigned>(kind));
  // First pass: the totals both roles announce before sending anything.
  storage::Cursor counter(snapshot_, storage::Table::CUSTOMERS);
  protocol::SelectedGroup group;
  for (bool ok = counter.first(); ok; ok = counter.next()) {
    group.values.clear();
    if (select(storage::decodeKey(counter.key()), counter.value(), &group)) {
      ++groups_;
      values_ += group.values.size();
    }
  }
  cursor_ = std::make_unique<storage::Cursor>(snapshot_, storage::Table::CUSTOMERS);
}

MatchSelection::~MatchSelection() = default;

bool MatchSelection::select(uint64_t key, storage::Bytes bytes, protocol::SelectedGroup* into) const {
  storage::StoredRecord<storage::schema::Customer> record(bytes);
  into->customerKey = key;
  for (auto id : record.get().getIdentifiers()) {
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
  return true;
}

size_t MatchSelection::read(size_t maxGroups, std::vector<protocol::SelectedGroup>& out) {
  size_t appended = 0;
  while (appended < maxGroups && !finished_) {
    bool ok = started_ ? cursor_->next() : cursor_->first();
    started_ = true;
    if (!ok) {
      finished_ = true;
      break;
    }
    protocol::SelectedGroup group;
    if (select(storage::decodeKey(cursor_->key()), cursor_->value(), &group)) {
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
