#include "storage/participation-store.h"

#include "storage/key-list.h"
#include "storage/record-codec.h"
#include "storage/records.capnp.h"

#include <algorithm>

namespace entente::storage {
namespace {

std::string keyOf(int64_t atUnix, const std::string& sessionId, const std::string& role) {
  auto time = encodeKey(static_cast<uint64_t>(atUnix) ^ (uint64_t{1} << 63));  // sorts negative times first
  std::string key(reinterpret_cast<const char*>(time.data()), time.size());
  return key + sessionId + "/" + role;
}

std::span<const uint8_t> span(capnp::Data::Reader d) { return {d.begin(), d.size()}; }

void sortUnique(std::vector<uint64_t>& keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
}

ParticipationRecord summaryOf(schema::Participation::Reader r, size_t bytes) {
  ParticipationRecord p;
  p.sessionId = r.getSessionId();
  p.partner = r.getPartner();
  p.role = r.getRole();
  p.purpose = r.getPurpose();
  p.mode = r.getMode();
  p.outcome = r.getOutcome();
  p.atUnix = r.getAtUnix();
  for (auto a : r.getAttributes()) p.attributes.emplace_back(a);
  p.erased = r.getErased();
  p.offeredCount = r.getOfferedCount();
  p.matchedCount = r.getMatchedCount();
  p.storedBytes = bytes;
  p.released = r.getReleased();
  p.releasedExact = r.getReleasedExact();
  return p;
}

void write(Transaction& txn, const std::string& key, const ParticipationRecord& p) {
  capnp::MallocMessageBuilder message;
  auto r = message.initRoot<schema::Participation>();
  r.setSessionId(p.sessionId);
  r.setPartner(p.partner);
  r.setRole(p.role);
  r.setPurpose(p.purpose);
  r.setMode(p.mode);
  r.setOutcome(p.outcome);
  r.setAtUnix(p.atUnix);
  auto offered = encodeKeyList(p.offered);
  auto matched = encodeKeyList(p.matched);
  r.setOffered(capnp::Data::Reader(reinterpret_cast<const uint8_t*>(offered.data()), offered.size()));
  r.setOfferedCount(p.offered.size());
  r.setMatched(capnp::Data::Reader(reinterpret_cast<const uint8_t*>(matched.data()), matched.size()));
  r.setMatchedCount(p.matched.size());
  auto attributes = r.initAttributes(static_cast<unsigned>(p.attributes.size()));
  for (unsigned i = 0; i < p.attributes.size(); ++i) attributes.set(i, p.attributes[i]);
  r.setErased(p.erased);
  r.setReleased(p.released);
  r.setReleasedExact(p.releasedExact);
  auto words = encodeRecord(r.asReader());
  txn.put(Table::PARTICIPATION, bytesOf(key), bytesOf(words));
}

}  // namespace

void ParticipationStore::put(Transaction& txn, ParticipationRecord record) {
  sortUnique(record.offered);
  sortUnique(record.matched);
  write(txn, keyOf(record.atUnix, record.sessionId, record.role), record);
}

std::vector<ParticipationRecord> ParticipationStore::list(const Transaction& txn, int64_t sinceUnix,
                                                          int64_t untilUnix) {
  std::vector<ParticipationRecord> out;
  Cursor cursor(txn, Table::PARTICIPATION);
  auto from = keyOf(sinceUnix, "", "");
  for (bool ok = cursor.seek(bytesOf(from.substr(0, 8))); ok; ok = cursor.next()) {
    StoredRecord<schema::Participation> stored(cursor.value());
    auto r = stored.get();
    if (r.getAtUnix() > untilUnix) break;
    out.push_back(summaryOf(r, cursor.value().size()));
  }
  return out;
}

std::vector<ParticipationRecord> ParticipationStore::exactReleases(const Transaction& txn, int64_t sinceUnix,
                                                                   const std::string& partner,
                                                                   const std::string& purpose) {
  std::vector<ParticipationRecord> out;
  Cursor cursor(txn, Table::PARTICIPATION);
  auto from = keyOf(sinceUnix, "", "");
  for (bool ok = cursor.seek(bytesOf(from.substr(0, 8))); ok; ok = cursor.next()) {
    StoredRecord<schema::Participation> stored(cursor.value());
    auto r = stored.get();
    if (!r.getReleasedExact() || r.getRole() != "requester" || r.getPartner() != partner ||
        r.getPurpose() != purpose || r.getOutcome() != "completed") {
      continue;
    }
    auto p = summaryOf(r, cursor.value().size());
    p.offered = decodeKeyList(span(r.getOffered()));
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<CustomerSession> ParticipationStore::involving(const Transaction& txn, uint64_t customerKey) {
  std::vector<CustomerSession> out;
  Cursor cursor(txn, Table::PARTICIPATION);
  for (bool ok = cursor.first(); ok; ok = cursor.next()) {
    StoredRecord<schema::Participation> stored(cursor.value());
    auto r = stored.get();
    bool offered = keyListContains(span(r.getOffered()), customerKey);
    bool matched = keyListContains(span(r.getMatched()), customerKey);
    if (offered || matched) out.push_back({summaryOf(r, cursor.value().size()), offered, matched});
  }
  return out;
}

uint64_t ParticipationStore::eraseCustomer(Transaction& txn, uint64_t customerKey) {
  std::vector<std::pair<std::string, ParticipationRecord>> changed;
  {
    Cursor cursor(txn, Table::PARTICIPATION);
    for (bool ok = cursor.first(); ok; ok = cursor.next()) {
      StoredRecord<schema::Participation> stored(cursor.value());
      auto r = stored.get();
      bool offered = keyListContains(span(r.getOffered()), customerKey);
      bool matched = keyListContains(span(r.getMatched()), customerKey);
      if (!offered && !matched) continue;
      auto p = summaryOf(r, 0);
      p.offered = decodeKeyList(span(r.getOffered()));
      p.matched = decodeKeyList(span(r.getMatched()));
      std::erase(p.offered, customerKey);
      std::erase(p.matched, customerKey);
      ++p.erased;
      changed.emplace_back(std::string(textOf(cursor.key())), std::move(p));
    }
  }
  for (auto& [key, p] : changed) write(txn, key, p);
  return changed.size();
}

}  // namespace entente::storage
