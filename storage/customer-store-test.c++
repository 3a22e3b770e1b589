#include "storage/customer-store.h"
#include "storage/peer-store.h"

#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <capnp/message.h>

#include <algorithm>
#include <filesystem>
#include <tuple>

using namespace entente::storage;
using entente::testing::TempDir;

namespace {

struct CustomerSpec {
  std::string id;
  std::string email;
  std::string segment = "family";
};

UpsertResult store(Environment& env, const CustomerSpec& spec, IndexTiming timing = IndexTiming::NOW) {
  capnp::MallocMessageBuilder message;
  auto customer = message.initRoot<schema::Customer>();
  customer.setCustomerId(spec.id);
  customer.setEmail(spec.email);
  auto attributes = customer.initAttributes(1);
  attributes[0].setName("segment");
  attributes[0].setValue(spec.segment);
  auto ids = customer.initIdentifiers(1);
  ids[0].setKind(0);
  ids[0].setValue(spec.email);
  Transaction txn(env, Transaction::Mode::WRITE);
  auto result = CustomerStore::upsert(txn, customer.asReader(), timing);
  txn.commit();
  return result;
}

}  // namespace

TEST_CASE("a re-import of the same customer changes nothing") {
  TempDir dir;
  Environment env(dir / "store", true);
  CHECK(store(env, {"C1", "ana@example.pt"}).outcome == UpsertOutcome::INSERTED);
  CHECK(store(env, {"C1", "ana@example.pt"}).outcome == UpsertOutcome::UNCHANGED);
  Transaction txn(env, Transaction::Mode::READ);
  CHECK(CustomerStore::count(txn) == 1);
}

TEST_CASE("an updated customer's old identifier no longer points to it") {
  TempDir dir;
  Environment env(dir / "store", true);
  auto first = store(env, {"C1", "old@example.fi"});
  CHECK(store(env, {"C1", "new@example.fi"}).outcome == UpsertOutcome::UPDATED);
  Transaction txn(env, Transaction::Mode::READ);
  CHECK(CustomerStore::holdersOf(txn, 0, "old@example.fi").empty());
  CHECK(CustomerStore::holdersOf(txn, 0, "new@example.fi") == std::vector<uint64_t>{first.key});
  CHECK(CustomerStore::count(txn) == 1);
}

namespace {
// Identifiers held by more than one customer, counted from the index itself.
uint64_t countShared(const Transaction& txn) {
  uint64_t shared = 0;
  Cursor cursor(txn, Table::IDENTIFIERS);
  std::string last;
  for (bool ok = cursor.first(); ok; ok = cursor.next()) {
    std::string key(textOf(cursor.key()));
    if (key != last && txn.duplicateCount(Table::IDENTIFIERS, cursor.key()) > 1) ++shared;
    last = key;
  }
  return shared;
}
}  // namespace

TEST_CASE("the count of shared identifiers follows inserts, updates and erasures without a scan") {
  TempDir dir;
  Environment env(dir / "store", true);
  store(env, {"C0", "alone@example.fr"});
  {
    // Kept from the first customer on, although nothing is shared yet.
    Transaction txn(env, Transaction::Mode::READ);
    Bytes kept;
    CHECK(txn.get(Table::META, bytesOf("shared_identifiers"), kept));
  }
  auto check = [&](uint64_t expected) {
    Transaction txn(env, Transaction::Mode::READ);
    CHECK(countShared(txn) == expected);
    CHECK(CustomerStore::sharedIdentifierCount(txn) == expected);
  };
  store(env, {"C1", "a@example.fr"});
  store(env, {"C2", "a@example.fr"});
  store(env, {"C3", "a@example.fr"});
  store(env, {"C4", "b@example.fr"});
  check(1);
  store(env, {"C5", "b@example.fr"});
  check(2);
  store(env, {"C1", "c@example.fr"});  // a@ keeps two holders
  check(2);
  store(env, {"C2", "c@example.fr"});  // a@ down to one, c@ up to two
  check(2);
  {
    Transaction txn(env, Transaction::Mode::WRITE);
    CHECK(CustomerStore::erase(txn, "C5").has_value());
    txn.commit();
  }
  check(1);
  // A store written before the count was kept: it is counted by a scan, then kept.
  {
    Transaction txn(env, Transaction::Mode::WRITE);
    CHECK(txn.erase(Table::META, bytesOf("shared_identifiers")));
    txn.commit();
  }
  check(1);
  store(env, {"C6", "b@example.fr"});
  check(2);
  Transaction txn(env, Transaction::Mode::READ);
  Bytes kept;
  CHECK(txn.get(Table::META, bytesOf("shared_identifiers"), kept));
}

TEST_CASE("two customers with one e-mail are reported as sharing an identifier") {
  TempDir dir;
  Environment env(dir / "store", true);
  CHECK(store(env, {"C1", "same@example.es"}).sharedIdentifiers == 0);
  CHECK(store(env, {"C2", "same@example.es"}).sharedIdentifiers == 1);
  Transaction txn(env, Transaction::Mode::READ);
  CHECK(CustomerStore::holdersOf(txn, 0, "same@example.es").size() == 2);
  CHECK(CustomerStore::sharedIdentifierCount(txn) == 1);
}

namespace {
// Every (identifier, holder) pair of the index, in index order.
std::vector<std::pair<std::string, uint64_t>> indexOf(Environment& env) {
  std::vector<std::pair<std::string, uint64_t>> pairs;
  Transaction txn(env, Transaction::Mode::READ);
  Cursor cursor(txn, Table::IDENTIFIERS);
  for (bool ok = cursor.first(); ok; ok = cursor.next()) {
    pairs.emplace_back(std::string(textOf(cursor.key())), decodeKey(cursor.value()));
  }
  return pairs;
}
}  // namespace

TEST_CASE("customers indexed later are found meanwhile, and the catch-up leaves the index as indexing at once would") {
  TempDir dir;
  Environment now(dir / "now", true), later(dir / "later", true);
  // The same changes to both stores: one indexes each customer at once, the other
  // puts it off; an indexed customer first, so that the catch-up meets existing entries.
  std::vector<std::pair<CustomerSpec, IndexTiming>> changes = {
      {{"C0", "a@example.fr"}, IndexTiming::NOW},   {{"C1", "a@example.fr"}, IndexTiming::LATER},
      {{"C2", "b@example.fr"}, IndexTiming::LATER}, {{"C3", "c@example.fr"}, IndexTiming::LATER},
      {{"C4", "b@example.fr"}, IndexTiming::NOW},   {{"C5", "d@example.fr"}, IndexTiming::LATER},
      {{"C3", "a@example.fr"}, IndexTiming::LATER},  // an update of a customer outside the index
      {{"C0", "e@example.fr"}, IndexTiming::LATER},  // an update of one inside it
      // Past the index's last identifier (e@): appended, y@ with two holders.
      {{"C6", "y@example.fr"}, IndexTiming::LATER}, {{"C7", "y@example.fr"}, IndexTiming::LATER},
      {{"C8", "z@example.fr"}, IndexTiming::LATER},
  };
  for (auto& [spec, timing] : changes) {
    store(now, spec);
    store(later, spec, timing);
  }
  {
    Transaction txn(later, Transaction::Mode::WRITE);
    CHECK(CustomerStore::erase(txn, "C5") == 1u);  // outside the index: nothing to take out
    txn.commit();
    Transaction other(now, Transaction::Mode::WRITE);
    CHECK(CustomerStore::erase(other, "C5") == 1u);
    other.commit();
  }
  // Before the catch-up: C4, stored NOW after C1 was put off, waits too; holdersOf finds
  // every holder all the same, in key order.
  {
    Transaction txn(later, Transaction::Mode::READ);
    CHECK(CustomerStore::indexIsPending(txn));
    Transaction reference(now, Transaction::Mode::READ);
    for (std::string email : {"a@example.fr", "b@example.fr", "c@example.fr", "d@example.fr", "e@example.fr"}) {
      CHECK(CustomerStore::holdersOf(txn, 0, email) == CustomerStore::holdersOf(reference, 0, email));
    }
  }
  CHECK(indexOf(later) != indexOf(now));
  // Two customers per sorted run: keys 2-3, 4-5, 7-8 (C5, key 6, was erased) and 9,
  // spilled to a file beside the store and merged in one transaction.
  Transaction write(later, Transaction::Mode::WRITE);
  auto done = CustomerStore::indexPending(write, 2, dir / "later");
  write.commit();
  CHECK(done.customers == 7);
  CHECK(done.runs == 4);
  uint64_t shared = done.sharedIdentifiers;
  // Nothing of the sort is left beside the store.
  std::vector<std::string> files;
  for (auto& entry : std::filesystem::directory_iterator(dir / "later")) files.push_back(entry.path().filename());
  std::ranges::sort(files);
  CHECK(files == std::vector<std::string>{"data.mdb", "lock.mdb"});
  CHECK(indexOf(later) == indexOf(now));
  // a@ (C1, C3), b@ (C2, C4) and y@ (C6, C7), counted against the index as it stands at
  // the catch-up, where C0 no longer holds a@.
  CHECK(shared == 3);
  Transaction txn(later, Transaction::Mode::READ);
  Transaction reference(now, Transaction::Mode::READ);
  CHECK_FALSE(CustomerStore::indexIsPending(txn));
  CHECK(CustomerStore::sharedIdentifierCount(txn) == CustomerStore::sharedIdentifierCount(reference));
  CHECK(CustomerStore::sharedIdentifierCount(txn) == countShared(txn));
}

TEST_CASE("a first load indexed later fills an empty index by appending, shared identifiers counted") {
  TempDir dir;
  Environment now(dir / "now", true), later(dir / "later", true);
  for (CustomerSpec spec : {CustomerSpec{"C1", "x@example.fr"}, {"C2", "w@example.fr"}, {"C3", "x@example.fr"},
                            {"C4", "v@example.fr"}}) {
    store(now, spec);
    store(later, spec, IndexTiming::LATER);
  }
  CHECK(indexOf(later).empty());
  Transaction txn(later, Transaction::Mode::WRITE);
  auto step = CustomerStore::indexPending(txn, 100, dir / "later");
  CHECK(step.runs == 1);
  CHECK(step.customers == 4);
  CHECK(step.sharedIdentifiers == 1);
  CHECK(CustomerStore::sharedIdentifierCount(txn) == 1);
  txn.commit();
  CHECK(indexOf(later) == indexOf(now));
}

TEST_CASE("a catch-up sorted on every core, in one run or in runs spilled to disk, appends the index as indexing at once would") {
  TempDir dir;
  // The same customers in three stores: indexed at once, caught up in one sorted run,
  // and caught up in five runs of 5000 customers merged from a file.
  Environment now(dir / "now", true), oneRun(dir / "one", true), spilled(dir / "spilled", true);
  // 23,000 customers with three identifiers each: more entries than the sort does on
  // one thread. Every 100th customer shares its phone with the one before.
  constexpr int kCustomers = 23000;
  for (auto* env : {&now, &oneRun, &spilled}) {
    Transaction txn(*env, Transaction::Mode::WRITE);
    for (int i = 0; i < kCustomers; ++i) {
      capnp::MallocMessageBuilder message;
      auto customer = message.initRoot<schema::Customer>();
      customer.setCustomerId("C" + std::to_string(i));
      auto ids = customer.initIdentifiers(3);
      // Hashed so that the identifiers arrive in no order.
      auto n = std::to_string((static_cast<uint64_t>(i) * 2654435761u) % 1000003);
      ids[0].setKind(0);
      ids[0].setValue("p" + n + "@example.fr");
      ids[1].setKind(1);
      ids[1].setValue("+3361" + std::to_string(i % 100 == 1 ? i - 1 : i));
      ids[2].setKind(2);
      ids[2].setValue("n" + n);
      CustomerStore::upsert(txn, customer.asReader(), env == &now ? IndexTiming::NOW : IndexTiming::LATER);
    }
    txn.commit();
  }
  for (auto [env, perRun, runs] : {std::tuple{&oneRun, kCustomers, 1}, std::tuple{&spilled, 5000, 5}}) {
    Transaction txn(*env, Transaction::Mode::WRITE);
    auto done = CustomerStore::indexPending(txn, static_cast<uint64_t>(perRun), env->dir());
    CHECK(done.runs == static_cast<uint64_t>(runs));
    CHECK(done.customers == kCustomers);
    CHECK(done.sharedIdentifiers == kCustomers / 100);
    txn.commit();
  }
  CHECK(indexOf(oneRun) == indexOf(now));
  CHECK(indexOf(spilled) == indexOf(now));
  // Appended in order either way, the index's pages left full: the spilled runs write
  // exactly the pages one run writes, and fewer than inserting one by one does.
  CHECK(spilled.bytesInUse() == oneRun.bytesInUse());
  CHECK(oneRun.bytesInUse() < now.bytesInUse());
}

TEST_CASE("peers are added, listed in name order and removed") {
  TempDir dir;
  Environment env(dir / "store", true);
  {
    Transaction txn(env, Transaction::Mode::WRITE);
    PeerEntry travel, insurer;
    travel.name = "travel";
    travel.address = "127.0.0.1:7402";
    insurer.name = "insurer";
    insurer.address = "127.0.0.1:7403";
    PeerStore::put(txn, travel);
    PeerStore::put(txn, insurer);
    txn.commit();
  }
  Transaction txn(env, Transaction::Mode::WRITE);
  auto peers = PeerStore::list(txn);
  REQUIRE(peers.size() == 2);
  CHECK(peers[0].name == "insurer");
  CHECK(PeerStore::find(txn, "travel")->address == "127.0.0.1:7402");
  CHECK(PeerStore::remove(txn, "travel"));
  CHECK_FALSE(PeerStore::remove(txn, "travel"));
  CHECK_FALSE(PeerStore::find(txn, "travel").has_value());
}

TEST_CASE("a peer's pinned key, revocation and policy survive a round trip") {
  TempDir dir;
  Environment env(dir / "store", true);
  PeerEntry peer;
  peer.name = "travel";
  peer.address = "127.0.0.1:7402";
  peer.publicKey.fill(7);
  peer.policy.purposes = {"overlap-analysis"};
  peer.policy.modes = {"count"};
  peer.policy.minQueryCustomers = 50;
  peer.policy.minReportableOverlap = 3;
  peer.offeredPurposes = {"cross-selling"};
  peer.invitedBy = PeerEntry::Inviter::PARTNER;
  {
    Transaction txn(env, Transaction::Mode::WRITE);
    PeerStore::put(txn, peer);
    txn.commit();
  }
  Transaction txn(env, Transaction::Mode::READ);
  auto found = PeerStore::findByKey(txn, peer.publicKey);
  REQUIRE(found);
  CHECK(found->name == "travel");
  CHECK(found->policy.purposes == std::vector<std::string>{"overlap-analysis"});
  CHECK(found->policy.modes == std::vector<std::string>{"count"});
  CHECK(found->policy.minQueryCustomers == 50);
  CHECK(found->policy.minReportableOverlap == 3);
  CHECK(found->offeredPurposes == std::vector<std::string>{"cross-selling"});
  CHECK(found->invitedBy == PeerEntry::Inviter::PARTNER);
  std::array<uint8_t, 32> other{};
  CHECK_FALSE(PeerStore::findByKey(txn, other));
}

TEST_CASE("a peer's daily usage adds up per day") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  PeerStore::addUsage(txn, "travel", "20261123", 100);
  PeerStore::addUsage(txn, "travel", "20261123", 50);
  PeerStore::addUsage(txn, "travel", "20261124", 7);
  auto today = PeerStore::usage(txn, "travel", "20261123");
  CHECK(today.sessions == 2);
  CHECK(today.customers == 150);
  CHECK(PeerStore::usage(txn, "travel", "20261124").sessions == 1);
  CHECK(PeerStore::usage(txn, "boats", "20261123").sessions == 0);
}
