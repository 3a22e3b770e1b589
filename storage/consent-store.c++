#include "storage/consent-store.h"

#include "storage/compact-codec.h"
#include "storage/record-codec.h"
#include "storage/records.capnp.h"
#include "storage/row-digests.h"
#include "storage/terms.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace entente::storage {
namespace {

// A customer's consent for every purpose is one compact record under the customer's
// key (8 bytes): its purposes in name order, each with its changes, oldest first.
// An earlier release kept one canonical Cap'n Proto record per customer and purpose,
// under the customer key followed by the purpose; such records are still read, and
// the customer's next change rewrites them all as one compact record.
constexpr const char* kWhat = "consent record";
constexpr uint8_t kGranted = 1;
constexpr uint8_t kSourceAsBefore = 2;  // the change before it in this record had the same source
constexpr uint8_t kBasisConsent = 4;    // basis "consent", by far the most common
constexpr uint8_t kHasNotice = 8;
constexpr uint8_t kHasExpiry = 16;

struct PurposeChanges {
  std::string purpose;
  std::vector<ConsentChange> changes;
};

std::string legacyKey(uint64_t customerKey, std::string_view purpose) {
  auto prefix = encodeKey(customerKey);
  std::string key(prefix.begin(), prefix.end());
  key.append(purpose);
  return key;
}

ConsentChange decodeLegacyChange(schema::ConsentChange::Reader c) {
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

// Differences of two times, wrapping instead of overflowing: any pair reads back.
int64_t minus(int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b)); }
int64_t plus(int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b)); }

// Times are written as differences from the change before in the record (the first
// from zero): one import writes all of a customer's purposes with one date and one
// recording time, so most differences are zero and take a byte.
std::string encode(Transaction& txn, const std::vector<PurposeChanges>& all) {
  CompactWriter w;
  w.unsignedNumber(all.size());
  const std::string* previousSource = nullptr;
  int64_t previousAt = 0, previousRecorded = 0;
  for (auto& [purpose, changes] : all) {
    writeTerm(txn, w, purpose);
    w.unsignedNumber(changes.size());
    for (auto& c : changes) {
      uint8_t flags = (c.granted ? kGranted : 0) |
                      (previousSource != nullptr && *previousSource == c.source ? kSourceAsBefore : 0) |
                      (c.basis == "consent" ? kBasisConsent : 0) | (c.noticeVersion.empty() ? 0 : kHasNotice) |
                      (c.expiresAtUnix != 0 ? kHasExpiry : 0);
      w.byte(flags);
      w.signedNumber(minus(c.atUnix, previousAt));
      w.signedNumber(minus(c.recordedAtUnix, previousRecorded));
      if (flags & kHasExpiry) w.signedNumber(c.expiresAtUnix);
      if (!(flags & kSourceAsBefore)) w.text(c.source);
      if (!(flags & kBasisConsent)) w.text(c.basis);
      if (flags & kHasNotice) w.text(c.noticeVersion);
      previousSource = &c.source;
      previousAt = c.atUnix;
      previousRecorded = c.recordedAtUnix;
    }
  }
  return w.bytes();
}

// Walks a compact record: each purpose, then its changes, in order.
class CompactConsent {
 public:
  // A purpose as written: its term number, or 0 and its text.
  struct Purpose {
    uint64_t number = 0;
    std::string_view text;
  };

  explicit CompactConsent(Bytes stored) : r_(stored, kWhat), purposes_(r_.count(2)) {}

  uint64_t purposes() const { return purposes_; }
  bool nextPurpose(Purpose& purpose, uint64_t& changes) {
    if (read_ == purposes_) {
      if (!r_.done()) r_.damaged();
      return false;
    }
    ++read_;
    purpose.number = r_.unsignedNumber();
    purpose.text = purpose.number == 0 ? r_.text() : std::string_view();
    changes = r_.count(3);
    return true;
  }
  std::string_view textOf(const Transaction& txn, const Purpose& purpose) {
    if (purpose.number == 0) return purpose.text;
    if (purpose.number > UINT32_MAX) r_.damaged();
    return Terms::textOf(txn, static_cast<uint32_t>(purpose.number));
  }
  // The next change, its texts viewed in the stored bytes: what judging a state
  // reads, for every customer of a match, without copying a text.
  struct ChangeView {
    bool granted = false;
    int64_t atUnix = 0, recordedAtUnix = 0, expiresAtUnix = 0;
    std::string_view source, basis, noticeVersion;
  };
  ChangeView nextView() {
    ChangeView c;
    uint8_t flags = r_.byte();
    c.granted = (flags & kGranted) != 0;
    c.atUnix = plus(previousAt_, r_.signedNumber());
    c.recordedAtUnix = plus(previousRecorded_, r_.signedNumber());
    if (flags & kHasExpiry) c.expiresAtUnix = r_.signedNumber();
    if (flags & kSourceAsBefore) {
      if (!hasPrevious_) r_.damaged();
      c.source = previousSource_;
    } else {
      c.source = r_.text();
    }
    c.basis = (flags & kBasisConsent) ? std::string_view("consent") : r_.text();
    if (flags & kHasNotice) c.noticeVersion = r_.text();
    previousSource_ = c.source;
    previousAt_ = c.atUnix;
    previousRecorded_ = c.recordedAtUnix;
    hasPrevious_ = true;
    return c;
  }
  ConsentChange nextChange() {
    auto v = nextView();
    ConsentChange c;
    c.granted = v.granted;
    c.atUnix = v.atUnix;
    c.recordedAtUnix = v.recordedAtUnix;
    c.source = v.source;
    c.basis = v.basis;
    c.noticeVersion = v.noticeVersion;
    c.expiresAtUnix = v.expiresAtUnix;
    return c;
  }

 private:
  CompactReader r_;
  uint64_t purposes_;
  uint64_t read_ = 0;
  std::string_view previousSource_;  // in the stored bytes, which outlive the reader
  int64_t previousAt_ = 0, previousRecorded_ = 0;
  bool hasPrevious_ = false;
};

struct Loaded {
  std::vector<PurposeChanges> purposes;
  std::vector<std::string> legacyKeys;  // to delete once rewritten compact
};

Loaded load(const Transaction& txn, uint64_t customerKey) {
  Loaded out;
  auto prefix = encodeKey(customerKey);
  Cursor cursor(txn, Table::CONSENT);
  for (bool ok = cursor.seek(Bytes(prefix)); ok; ok = cursor.next()) {
    auto key = cursor.key();
    if (key.size() < 8 || !std::equal(prefix.begin(), prefix.end(), key.begin())) break;
    if (key.size() == 8) {
      CompactConsent record(cursor.value());
      CompactConsent::Purpose purpose;
      uint64_t changes = 0;
      while (record.nextPurpose(purpose, changes)) {
        auto& p = out.purposes.emplace_back(PurposeChanges{std::string(record.textOf(txn, purpose)), {}});
        for (uint64_t i = 0; i < changes; ++i) p.changes.push_back(record.nextChange());
      }
    } else {
      StoredRecord<schema::ConsentRecord> record(cursor.value());
      auto& p = out.purposes.emplace_back(PurposeChanges{std::string(textOf(key.subspan(8))), {}});
      for (auto c : record.get().getChanges()) p.changes.push_back(decodeLegacyChange(c));
      out.legacyKeys.emplace_back(textOf(key));
    }
  }
  std::ranges::sort(out.purposes, {}, &PurposeChanges::purpose);
  return out;
}

bool sameTerms(const ConsentChange& a, const ConsentChange& b) {
  return a.granted == b.granted && a.basis == b.basis && a.noticeVersion == b.noticeVersion &&
         a.expiresAtUnix == b.expiresAtUnix;
}

ConsentState stateOf(bool any, bool granted, int64_t expiresAtUnix, int64_t nowUnix) {
  if (!any) return ConsentState::NEVER_ASKED;
  if (!granted) return ConsentState::WITHDRAWN;
  if (expiresAtUnix != 0 && expiresAtUnix <= nowUnix) return ConsentState::EXPIRED;
  return ConsentState::GRANTED;
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
  return record(txn, customerKey, {{purpose, &change}}).front();
}

std::vector<bool> ConsentStore::record(Transaction& txn, uint64_t customerKey,
                                       const std::vector<PurposeChange>& changes) {
  std::vector<bool> recorded(changes.size(), false);
  auto loaded = load(txn, customerKey);
  bool any = false;
  for (size_t i = 0; i < changes.size(); ++i) {
    auto purpose = changes[i].purpose;
    const ConsentChange& change = *changes[i].change;
    auto it = std::ranges::find(loaded.purposes, purpose, &PurposeChanges::purpose);
    if (it != loaded.purposes.end() && !it->changes.empty() && sameTerms(it->changes.back(), change)) continue;
    // A first "withdrawn" for a customer never asked is still worth recording: the
    // person said no, which is not the same as not being asked.
    if (it == loaded.purposes.end()) {
      it = loaded.purposes.insert(std::ranges::upper_bound(loaded.purposes, purpose, {}, &PurposeChanges::purpose),
                                  PurposeChanges{std::string(purpose), {}});
    }
    it->changes.push_back(change);
    recorded[i] = any = true;
  }
  if (!any) return recorded;
  for (auto& key : loaded.legacyKeys) txn.erase(Table::CONSENT, bytesOf(key));
  auto key = encodeKey(customerKey);
  txn.put(Table::CONSENT, Bytes(key), bytesOf(encode(txn, loaded.purposes)));
  RowDigests::erase(txn, customerKey);
  return recorded;
}

std::vector<ConsentChange> ConsentStore::history(const Transaction& txn, uint64_t customerKey,
                                                 std::string_view purpose) {
  auto loaded = load(txn, customerKey);
  auto it = std::ranges::find(loaded.purposes, purpose, &PurposeChanges::purpose);
  return it == loaded.purposes.end() ? std::vector<ConsentChange>{} : std::move(it->changes);
}

ConsentState ConsentStore::state(const Transaction& txn, uint64_t customerKey, std::string_view purpose,
                                 int64_t nowUnix) {
  ConsentQuery query(txn, purpose, nowUnix);
  return query.judge(query.find(txn, customerKey));
}

ConsentQuery::ConsentQuery(const Transaction& txn, std::string_view purpose, int64_t nowUnix)
    : purpose_(purpose), number_(Terms::find(txn, purpose)), nowUnix_(nowUnix) {}

StoredConsent ConsentQuery::find(const Transaction& txn, uint64_t customerKey) const {
  auto key = encodeKey(customerKey);
  StoredConsent found;
  if (txn.get(Table::CONSENT, Bytes(key), found.bytes)) return found;
  if (txn.get(Table::CONSENT, bytesOf(legacyKey(customerKey, purpose_)), found.bytes)) {
    found.legacy = true;
    return found;
  }
  return {};
}

ConsentWalk::ConsentWalk(const Transaction& txn, const ConsentQuery& query)
    : txn_(txn), query_(query), cursor_(txn, Table::CONSENT) {}

StoredConsent ConsentWalk::find(uint64_t customerKey) {
  if (started_ && customerKey <= last_) throw std::logic_error("ConsentWalk::find: customer keys must ascend");
  auto key = encodeKey(customerKey);
  Bytes wanted(key);
  if (!started_) {
    started_ = true;
    atEnd_ = !cursor_.seek(wanted);
  }
  // Keys are compared as LMDB orders them: bytewise, a prefix first.
  while (!atEnd_ && std::ranges::lexicographical_compare(cursor_.key(), wanted)) atEnd_ = !cursor_.next();
  last_ = customerKey;
  if (atEnd_) return {};
  auto at = cursor_.key();
  if (at.size() < key.size() || !std::equal(key.begin(), key.end(), at.begin())) return {};
  if (at.size() == key.size()) return {cursor_.value(), false};
  // Only records of an earlier release, one per purpose: the query's is looked up.
  return query_.find(txn_, customerKey);
}

ConsentState ConsentQuery::judge(const StoredConsent& stored) const {
  if (stored.bytes.empty()) return ConsentState::NEVER_ASKED;
  if (stored.legacy) {
    StoredRecord<schema::ConsentRecord> record(stored.bytes);
    auto changes = record.get().getChanges();
    if (changes.size() == 0) return ConsentState::NEVER_ASKED;
    auto last = changes[changes.size() - 1];
    return stateOf(true, last.getGranted(), last.getExpiresAtUnix(), nowUnix_);
  }
  // Purposes are compared by term number: no text is read.
  CompactConsent record(stored.bytes);
  CompactConsent::Purpose name;
  uint64_t changes = 0;
  while (record.nextPurpose(name, changes)) {
    CompactConsent::ChangeView last;
    for (uint64_t i = 0; i < changes; ++i) last = record.nextView();
    bool same = name.number == 0 ? name.text == purpose_ : number_ && name.number == *number_;
    if (same) return stateOf(changes > 0, last.granted, last.expiresAtUnix, nowUnix_);
  }
  return ConsentState::NEVER_ASKED;
}

std::vector<std::string> ConsentStore::purposesOf(const Transaction& txn, uint64_t customerKey) {
  std::vector<std::string> purposes;
  for (auto& p : load(txn, customerKey).purposes) purposes.push_back(std::move(p.purpose));
  return purposes;
}

size_t ConsentStore::eraseCustomer(Transaction& txn, uint64_t customerKey) {
  auto loaded = load(txn, customerKey);
  for (auto& key : loaded.legacyKeys) txn.erase(Table::CONSENT, bytesOf(key));
  auto key = encodeKey(customerKey);
  txn.erase(Table::CONSENT, Bytes(key));
  RowDigests::erase(txn, customerKey);
  return loaded.purposes.size();
}

uint64_t ConsentStore::recordCount(const Transaction& txn) {
  uint64_t records = 0;
  Cursor cursor(txn, Table::CONSENT);
  for (bool ok = cursor.first(); ok; ok = cursor.next()) {
    records += cursor.key().size() == 8 ? CompactConsent(cursor.value()).purposes() : 1;
  }
  return records;
}

}  // namespace entente::storage
