#include "storage/customer-store.h"

#include "storage/compact-codec.h"
#include "storage/row-digests.h"

#include <algorithm>
#include <string>
#include <thread>
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

// std::sort on every core: the parts sorted each on a thread, then merged. (The
// catch-up of a large import sorts millions of entries while nothing else runs.)
template <typename It, typename Less>
void sortOnAllCores(It begin, It end, Less less) {
  size_t parts = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 16);
  size_t count = static_cast<size_t>(end - begin);
  if (parts == 1 || count < 65536) {
    std::sort(begin, end, less);
    return;
  }
  std::vector<It> bounds;
  for (size_t i = 0; i <= parts; ++i) bounds.push_back(begin + static_cast<std::ptrdiff_t>(count * i / parts));
  {
    std::vector<std::jthread> threads;
    for (size_t i = 1; i < parts; ++i) threads.emplace_back([&, i] { std::sort(bounds[i], bounds[i + 1], less); });
    std::sort(bounds[0], bounds[1], less);
  }
  for (size_t width = 1; width < parts; width *= 2) {
    for (size_t i = 0; i + width < parts; i += 2 * width) {
      std::inplace_merge(bounds[i], bounds[i + width], bounds[std::min(i + 2 * width, parts)], less);
    }
  }
}

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

IndexCatchUp CustomerStore::indexPending(Transaction& txn, uint64_t maxCustomers) {
  IndexCatchUp done;
  auto unindexed = unindexedFrom(txn);
  if (!unindexed) return done;
  // Each identifier as kind byte || value in one arena, sorted by (identifier, key):
  // index pages are then written in order, each once, and the holders of one
  // identifier are added in key order, as one by one they would have been. Each entry
  // carries its first 16 bytes, zero-padded and big-endian, so that most comparisons
  // of the sort are two integer compares instead of a visit to the arena.
  struct Entry {
    uint64_t head[2];
    uint64_t key;
    uint32_t offset, size;
  };
  std::string arena;
  std::vector<Entry> entries;
  std::optional<uint64_t> next;
  {
    Cursor cursor(txn, Table::CUSTOMERS);
    auto from = encodeKey(*unindexed);
    bool more = cursor.seek(Bytes(from));
    for (; more && done.customers < maxCustomers; more = cursor.next(), ++done.customers) {
      uint64_t key = decodeKey(cursor.key());
      CustomerRecord record(txn, cursor.value());
      for (auto id : record.get().getIdentifiers()) {
        Entry e{{0, 0}, key, static_cast<uint32_t>(arena.size()), static_cast<uint32_t>(id.getValue().size() + 1)};
        arena.push_back(static_cast<char>(id.getKind()));
        arena.append(id.getValue().cStr(), id.getValue().size());
        for (uint32_t i = 0; i < 16 && i < e.size; ++i) {
          e.head[i / 8] |= uint64_t{static_cast<uint8_t>(arena[e.offset + i])} << (56 - 8 * (i % 8));
        }
        entries.push_back(e);
      }
    }
    if (more) next = decodeKey(cursor.key());
  }
  auto textOfEntry = [&arena](const Entry& e) { return std::string_view(arena).substr(e.offset, e.size); };
  sortOnAllCores(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
    if (a.head[0] != b.head[0]) return a.head[0] < b.head[0];
    if (a.head[1] != b.head[1]) return a.head[1] < b.head[1];
    // Equal heads: the texts decide (a shorter one padded with zeros can tie).
    auto ta = textOfEntry(a), tb = textOfEntry(b);
    return ta != tb ? ta < tb : a.key < b.key;
  });
  keepSharedCount(txn);
  // Entries past the index's last key are appended, the holders of one identifier
  // counted as they go; the others are put in place (a first load appends them all:
  // every identifier, a kind byte and more, sorts after the empty string).
  std::string lastIndexed;
  {
    Cursor cursor(txn, Table::IDENTIFIERS);
    if (cursor.last()) lastIndexed = textOf(cursor.key());
  }
  bool appending = false;
  std::string_view previous;
  uint64_t holders = 0;
  for (auto& e : entries) {
    auto text = textOfEntry(e);
    auto encoded = encodeKey(e.key);
    appending = appending || text > lastIndexed;
    if (!appending) {
      if (addToIndex(txn, text, Bytes(encoded))) ++done.sharedIdentifiers;
      continue;
    }
    bool sameKey = holders > 0 && text == previous;
    txn.append(Table::IDENTIFIERS, bytesOf(text), Bytes(encoded), sameKey);
    holders = sameKey ? holders + 1 : 1;
    previous = text;
    if (holders == 2) adjustSharedIdentifiers(txn, +1);
    if (holders > 1) ++done.sharedIdentifiers;
  }
  if (next) {
    auto encoded = encodeKey(*next);
    txn.put(Table::META, bytesOf(kUnindexedFrom), Bytes(encoded));
    done.done = false;
  } else {
    txn.erase(Table::META, bytesOf(kUnindexedFrom));
  }
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
