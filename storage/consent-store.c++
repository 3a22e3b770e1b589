#include "storage/consent-store.h"

#include "storage/record-codec.h"
#include "storage/records.capnp.h"
#include "storage/row-digests.h"

#include <capnp/message.h>

namespace entente::storage {
namespace {

std::string keyOf(uint64_t customerKey, std::string_view purpose) {
  auto prefix = encodeKey(customerKey);
  std::string key(prefix.begin(), prefix.end());
  key.append(purpose);
  return key;
}

ConsentChange decodeChange(schema::ConsentChange::Reader c) {
  ConsentChange change;
  change.granted = c.getGranted();
  change.atUnix = c.getAtUnix();
  change.recordedAtUnix = c.getRecordedAtUnix();
  change.source = c.getSource().cStr();
  change.basis = c.getBasis().cStr();
  change.noticeVersion = c.getNoticeVersion().cStr();
  change.expiresAtUnix = c.getExpiresAtUnix();
  return change;
}

bool sameTerms(const ConsentChange& a, const ConsentChange& b) {
  return a.granted == b.granted && a.basis == b.basis && a.noticeVersion == b.noticeVersion &&
         a.expiresAtUnix == b.expiresAtUnix;
}

}  // namespace

const char* consentStateName(ConsentState state) {
  switch (state) {
    case ConsentState::NEVER_ASKED: return "never-asked";
    case ConsentState::GRANTED: return "granted";
    case ConsentState::WITHDRAWN: return "withdrawn";
    case ConsentState::EXPIRED: return "expired";
  }
  return "unknown";
}

bool ConsentStore::record(Transaction& txn, uint64_t customerKey, std::string_view purpose,
                          const ConsentChange& change) {
  auto changes = history(txn, customerKey, purpose);
  if (!changes.empty() && sameTerms(changes.back(), change)) return false;
  // A first "withdrawn" for a customer never asked is still worth recording: the
  // person said no, which is not the same as not being asked.
  changes.push_back(change);
  capnp::MallocMessageBuilder message;
  auto list = message.initRoot<schema::ConsentRecord>().initChanges(static_cast<unsigned>(changes.size()));
  for (unsigned i = 0; i < changes.size(); ++i) {
    auto c = list[i];
    c.setGranted(changes[i].granted);
    c.setAtUnix(changes[i].atUnix);
    c.setRecordedAtUnix(changes[i].recordedAtUnix);
    c.setSource(changes[i].source);
    c.setBasis(changes[i].basis);
    c.setNoticeVersion(changes[i].noticeVersion);
    c.setExpiresAtUnix(changes[i].expiresAtUnix);
  }
  auto encoded = encodeRecord(message.getRoot<schema::ConsentRecord>().asReader());
  txn.put(Table::CONSENT, bytesOf(keyOf(customerKey, purpose)), bytesOf(encoded));
  RowDigests::erase(txn, customerKey);
  return true;
}

std::vector<ConsentChange> ConsentStore::history(const Transaction& txn, uint64_t customerKey,
                                                 std::string_view purpose) {
  Bytes stored;
  std::vector<ConsentChange> changes;
  if (!txn.get(Table::CONSENT, bytesOf(keyOf(customerKey, purpose)), stored)) return changes;
  StoredRecord<schema::ConsentRecord> record(stored);
  for (auto c : record.get().getChanges()) changes.push_back(decodeChange(c));
  return changes;
}

ConsentState ConsentStore::state(const Transaction& txn, uint64_t customerKey, std::string_view purpose,
                                 int64_t nowUnix) {
  Bytes stored;
  if (!txn.get(Table::CONSENT, bytesOf(keyOf(customerKey, purpose)), stored)) return ConsentState::NEVER_ASKED;
  StoredRecord<schema::ConsentRecord> record(stored);
  auto changes = record.get().getChanges();
  if (changes.size() == 0) return ConsentState::NEVER_ASKED;
  auto last = changes[changes.size() - 1];
  if (!last.getGranted()) return ConsentState::WITHDRAWN;
  if (last.getExpiresAtUnix() != 0 && last.getExpiresAtUnix() <= nowUnix) return ConsentState::EXPIRED;
  return ConsentState::GRANTED;
}

std::vector<std::string> ConsentStore::purposesOf(const Transaction& txn, uint64_t customerKey) {
  std::vector<std::string> purposes;
  auto prefix = encodeKey(customerKey);
  Cursor cursor(txn, Table::CONSENT);
  for (bool ok = cursor.seek(Bytes(prefix)); ok; ok = cursor.next()) {
    auto key = cursor.key();
    if (key.size() < 8 || !std::equal(prefix.begin(), prefix.end(), key.begin())) break;
    purposes.emplace_back(textOf(key.subspan(8)));
  }
  return purposes;
}

size_t ConsentStore::eraseCustomer(Transaction& txn, uint64_t customerKey) {
  auto purposes = purposesOf(txn, customerKey);
  for (auto& purpose : purposes) txn.erase(Table::CONSENT, bytesOf(keyOf(customerKey, purpose)));
  RowDigests::erase(txn, customerKey);
  return purposes.size();
}

}  // namespace entente::storage
