#include "storage/customer-store.h"

#include "storage/compact-codec.h"
#include "storage/identifier-runs.h"
#include "storage/row-digests.h"

#include <algorithm>
#include <string>
#include <vector>

namespace entente::storage {
namespace {

constexpr std::string_view kNextKey = "next_customer_key";
constexpr std::string_view kSharedCount = "shared_identifiers";
// The first customer key outside the identifier index (IndexTiming::LATER); absent when
// every customer is in it. Keys are handed out in increasing order, so the customers
// outside the index are exactly those from this key on.
constexpr std::string_view kUnindexedFrom = "identifiers_unindexed_from";

std::optional<uint64_t> unindexedFrom(const Transaction& txn) {
  Bytes stored;
  if (!txn.get(Table::META, bytesOf(kUnindexedFrom), stored)) return std::nullopt;
  return decodeKey(stored);
}

bool inIndex(const std::optional<uint64_t>& unindexed, uint64_t key) { return !unindexed || key < *unindexed; }

std::string identifierKey(uint8_t kind, std::string_view value) {
  std::string key(1, static_cast<char>(kind));
  key.append(value);
  return key;
}

uint64_t allocateKey(Transaction& txn) {
  Bytes stored;
  uint64_t next = 1;
  if (txn.get(Table::META, bytesOf(kNextKey), stored)) next = decodeKey(stored);
  auto encoded = encodeKey(next + 1);
  txn.put(Table::META, bytesOf(kNextKey), Bytes(encoded));
  return next;
}

uint64_t scanSharedIdentifiers(const Transaction& txn) {
  uint64_t shared = 0;
  Cursor cursor(txn, Table::IDENTIFIERS);
  std::string previous;
  bool counted = false;
  for (bool ok = cursor.first(); ok; ok = cursor.next()) {
    std::string_view key = textOf(cursor.key());
    if (key == previous) {
      if (!counted) ++shared;
      counted = true;
    } else {
      previous.assign(key);
      counted = false;
    }
  }
  return shared;
}

// The number of identifiers held by more than one customer is kept as the index
// changes, so that `entente node status` does not scan the whole index. Called after
// each change to the index; indexIdentifiers makes sure it exists before.
void adjustSharedIdentifiers(Transaction& txn, int64_t delta) {
  Bytes stored;
  uint64_t value = txn.get(Table::META, bytesOf(kSharedCount), stored)
                       ? static_cast<uint64_t>(static_cast<int64_t>(decodeKey(stored)) + delta)
                       : scanSharedIdentifiers(txn);
  auto encoded = encodeKey(value);
  txn.put(Table::META, bytesOf(kSharedCount), Bytes(encoded));
}

// Kept from the first change on, even while nothing is shared (a fresh store, or one of
// an earlier release, counted once here), so that reading it never scans.
void keepSharedCount(Transaction& txn) {
  Bytes kept;
  if (!txn.get(Table::META, bytesOf(kSharedCount), kept)) {
    auto encoded = encodeKey(scanSharedIdentifiers(txn));
    txn.put(Table::META, bytesOf(kSharedCount), Bytes(encoded));
  }
}

// Adds one (identifier, customer) pair; returns whether another customer holds it too.
bool addToIndex(Transaction& txn, std::string_view identifier, Bytes encodedKey) {
  txn.put(Table::IDENTIFIERS, bytesOf(identifier), encodedKey);
  size_t holders = txn.duplicateCount(Table::IDENTIFIERS, bytesOf(identifier));
  if (holders == 2) adjustSharedIdentifiers(txn, +1);
  return holders > 1;
}

void indexIdentifiers(Transaction& txn, schema::Customer::Reader customer, uint64_t key,
                      bool add, uint32_t* shared) {
  keepSharedCount(txn);
  auto encoded = encodeKey(key);
  for (auto id : customer.getIdentifiers()) {
    std::string k = identifierKey(id.getKind(), id.getValue().cStr());
    if (add) {
      if (addToIndex(txn, k, Bytes(encoded)) && shared != nullptr) ++*shared;
    } else {
      size_t holders = txn.duplicateCount(Table::IDENTIFIERS, bytesOf(k));
      if (txn.eraseDuplicate(Table::IDENTIFIERS, bytesOf(k), Bytes(encoded)) && holders == 2) {
        adjustSharedIdentifiers(txn, -1);
      }
    }
  }
}

// Puts sorted entries into the index. Those past the index's last key are appended,
// the holders of one identifier counted as they go; the others are put in place (a
// first load appends them all: every identifier, a kind byte and more, sorts after
// the empty string).
class IndexPlacer {
 public:
  explicit IndexPlacer(Transaction& txn) : txn_(txn) {
    keepSharedCount(txn);
    Cursor cursor(txn, Table::IDENTIFIERS);
    if (cursor.last()) lastIndexed_ = textOf(cursor.key());
  }
  IndexPlacer(const IndexPlacer&) = delete;
  IndexPlacer& operator=(const IndexPlacer&) = delete;

  void place(IndexEntry entry) {
    auto encoded = encodeKey(entry.customerKey);
    appending_ = appending_ || entry.identifier > lastIndexed_;
    if (!appending_) {
      if (addToIndex(txn_, entry.identifier, Bytes(encoded))) ++shared_;
      return;
    }
    bool sameKey = holders_ > 0 && entry.identifier == previous_;
    txn_.append(Table::IDENTIFIERS, bytesOf(entry.identifier), Bytes(encoded), sameKey);
    if (!sameKey) previous_.assign(entry.identifier);
    holders_ = sameKey ? holders_ + 1 : 1;
    if (holders_ == 2) adjustSharedIdentifiers(txn_, +1);
    if (holders_ > 1) ++shared_;
  }
  // Of the entries placed, those whose identifier another customer holds too.
  uint64_t shared() const { return shared_; }

 private:
  Transaction& txn_;
  std::string lastIndexed_;
  bool appending_ = false;
  std::string previous_;
  uint64_t holders_ = 0;
  uint64_t shared_ = 0;
};

}  // namespace

UpsertResult CustomerStore::upsert(Transaction& txn, schema::Customer::Reader customer, IndexTiming timing) {
  std::string encoded = encodeCustomer(txn, customer);
  Bytes newBytes = bytesOf(encoded);
  std::string_view customerId = customer.getCustomerId().cStr();
  if (customerId.empty()) throw StoreError("a customer without customer_id cannot be stored");

  UpsertResult result{UpsertOutcome::INSERTED, 0};
  auto unindexed = unindexedFrom(txn);
  if (auto existing = keyOf(txn, customerId)) {
    result.key = *existing;
    auto keyBytes = encodeKey(result.key);
    Bytes oldBytes;
    if (!txn.get(Table::CUSTOMERS, Bytes(keyBytes), oldBytes)) {
      throw StoreError("customer index points to a missing record: the store is damaged; restore it from a backup");
    }
    if (std::ranges::equal(oldBytes, newBytes)) {
      result.outcome = UpsertOutcome::UNCHANGED;
      return result;
    }
    if (!isCompact(oldBytes) && std::ranges::equal(oldBytes, bytesOf(encodeRecord(customer)))) {
      // Written by an earlier release and unchanged: kept in the compact form from
      // now on, which changes nothing a reader sees.
      txn.put(Table::CUSTOMERS, Bytes(keyBytes), newBytes);
      result.outcome = UpsertOutcome::UNCHANGED;
      return result;
    }
    if (inIndex(unindexed, result.key)) {
      CustomerRecord old(txn, oldBytes);
      indexIdentifiers(txn, old.get(), result.key, false, nullptr);
    }
    RowDigests::erase(txn, result.key);
    result.outcome = UpsertOutcome::UPDATED;
  } else {
    result.key = allocateKey(txn);
    auto keyBytes = encodeKey(result.key);
    txn.put(Table::CUSTOMER_IDS, bytesOf(customerId), Bytes(keyBytes));
  }
  auto keyBytes = encodeKey(result.key);
  txn.put(Table::CUSTOMERS, Bytes(keyBytes), newBytes);
  if (inIndex(unindexed, result.key) && result.outcome == UpsertOutcome::INSERTED && timing == IndexTiming::LATER) {
    txn.put(Table::META, bytesOf(kUnindexedFrom), Bytes(keyBytes));
    unindexed = result.key;
  }
  if (inIndex(unindexed, result.key)) indexIdentifiers(txn, customer, result.key, true, &result.sharedIdentifiers);
  return result;
}

IndexCatchUp CustomerStore::indexPending(Transaction& txn, uint64_t customersPerRun,
                                         const std::filesystem::path& spillDir) {
  IndexCatchUp done;
  auto unindexed = unindexedFrom(txn);
  if (!unindexed) return done;
  // Sorted by (identifier, key): index pages are then written in order, each once, and
  // the holders of one identifier are added in key order, as one by one they would
  // have been. Runs past the first go to a file and are merged back (identifier-runs.h).
  SortedRun run;
  std::optional<SpilledRuns> spilled;
  {
    Cursor cursor(txn, Table::CUSTOMERS);
    auto from = encodeKey(*unindexed);
    uint64_t inRun = 0;
    for (bool more = cursor.seek(Bytes(from)); more; more = cursor.next(), ++done.customers, ++inRun) {
      if (inRun == customersPerRun) {
        if (!spilled) spilled.emplace(spillDir);
        run.sort();
        spilled->write(run);
        run.clear();
        inRun = 0;
      }
      uint64_t key = decodeKey(cursor.key());
      StoredIdentifiers identifiers(cursor.value());
      uint8_t kind;
      std::string_view value;
      while (identifiers.next(kind, value)) run.add(key, kind, value);
    }
  }
  run.sort();
  IndexPlacer placer(txn);
  if (spilled) {
    spilled->write(run);
    run.clear();
    spilled->merge([&](IndexEntry entry) { placer.place(entry); });
  } else {
    for (size_t i = 0; i < run.size(); ++i) placer.place(run[i]);
  }
  done.sharedIdentifiers = placer.shared();
  done.runs = spilled ? spilled->runs() : 1;
  txn.erase(Table::META, bytesOf(kUnindexedFrom));
  return done;
}

bool CustomerStore::indexIsPending(const Transaction& txn) { return unindexedFrom(txn).has_value(); }

std::optional<uint32_t> CustomerStore::erase(Transaction& txn, std::string_view customerId) {
  auto key = keyOf(txn, customerId);
  if (!key) return std::nullopt;
  auto keyBytes = encodeKey(*key);
  Bytes stored;
  uint32_t identifiers = 0;
  if (txn.get(Table::CUSTOMERS, Bytes(keyBytes), stored)) {
    CustomerRecord record(txn, stored);
    identifiers = record.get().getIdentifiers().size();
    if (inIndex(unindexedFrom(txn), *key)) indexIdentifiers(txn, record.get(), *key, false, nullptr);
    txn.erase(Table::CUSTOMERS, Bytes(keyBytes));
  }
  txn.erase(Table::CUSTOMER_IDS, bytesOf(customerId));
  RowDigests::erase(txn, *key);
  return identifiers;
}

std::optional<uint64_t> CustomerStore::keyOf(const Transaction& txn, std::string_view customerId) {
  Bytes stored;
  if (!txn.get(Table::CUSTOMER_IDS, bytesOf(customerId), stored)) return std::nullopt;
  return decodeKey(stored);
}

CustomerRecord CustomerStore::read(const Transaction& txn, uint64_t key) {
  auto keyBytes = encodeKey(key);
  Bytes stored;
  if (!txn.get(Table::CUSTOMERS, Bytes(keyBytes), stored)) {
    throw StoreError("no customer under key " + std::to_string(key));
  }
  return CustomerRecord(txn, stored);
}

uint64_t CustomerStore::count(const Transaction& txn) { return txn.entries(Table::CUSTOMERS); }

std::vector<uint64_t> CustomerStore::holdersOf(const Transaction& txn, uint8_t kind, std::string_view value) {
  std::vector<uint64_t> keys;
  std::string k = identifierKey(kind, value);
  Cursor cursor(txn, Table::IDENTIFIERS);
  for (bool ok = cursor.firstDuplicateOf(bytesOf(k)); ok; ok = cursor.nextDuplicate()) {
    keys.push_back(decodeKey(cursor.value()));
  }
  // Customers outside the index have keys above every indexed one: key order holds.
  if (auto unindexed = unindexedFrom(txn)) {
    Cursor tail(txn, Table::CUSTOMERS);
    auto from = encodeKey(*unindexed);
    for (bool ok = tail.seek(Bytes(from)); ok; ok = tail.next()) {
      CustomerRecord record(txn, tail.value());
      for (auto id : record.get().getIdentifiers()) {
        if (id.getKind() == kind && std::string_view(id.getValue().cStr(), id.getValue().size()) == value) {
          keys.push_back(decodeKey(tail.key()));
          break;
        }
      }
    }
  }
  return keys;
}

uint64_t CustomerStore::sharedIdentifierCount(const Transaction& txn) {
  Bytes stored;
  if (txn.get(Table::META, bytesOf(kSharedCount), stored)) return decodeKey(stored);
  return scanSharedIdentifiers(txn);
}

void CustomerStore::forEach(const Transaction& txn,
                            const std::function<void(uint64_t, schema::Customer::Reader)>& visit) {
  Cursor cursor(txn, Table::CUSTOMERS);
  for (bool ok = cursor.first(); ok; ok = cursor.next()) {
    CustomerRecord record(txn, cursor.value());
    visit(decodeKey(cursor.key()), record.get());
  }
}

}  // namespace entente::storage
