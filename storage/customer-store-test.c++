#include "storage/customer-store.h"
#include "storage/peer-store.h"

#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <capnp/message.h>

using namespace entente::storage;
using entente::testing::TempDir;

namespace {

struct CustomerSpec {
  std::string id;
  std::string email;
  std::string segment = "family";
};

UpsertResult store(Environment& env, const CustomerSpec& spec) {
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
  auto result = CustomerStore::upsert(txn, customer.asReader());
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

TEST_CASE("two customers with one e-mail are reported as sharing an identifier") {
  TempDir dir;
  Environment env(dir / "store", true);
  CHECK(store(env, {"C1", "same@example.es"}).sharedIdentifiers == 0);
  CHECK(store(env, {"C2", "same@example.es"}).sharedIdentifiers == 1);
  Transaction txn(env, Transaction::Mode::READ);
  CHECK(CustomerStore::holdersOf(txn, 0, "same@example.es").size() == 2);
  CHECK(CustomerStore::sharedIdentifierCount(txn) == 1);
}

TEST_CASE("customer records are read in place from the map") {
  TempDir dir;
  Environment env(dir / "store", true);
  for (int i = 0; i < 300; ++i) {
    store(env, {"C" + std::to_string(i), "p" + std::to_string(i) + "@example.fr",
                std::string(static_cast<size_t>(i % 37), 'x')});
  }
  Transaction txn(env, Transaction::Mode::READ);
  Cursor cursor(txn, Table::CUSTOMERS);
  int inPlace = 0, total = 0;
  for (bool ok = cursor.first(); ok; ok = cursor.next(), ++total) {
    StoredRecord<schema::Customer> record(cursor.value());
    if (record.readInPlace()) ++inPlace;
    CHECK(std::string(record.get().getCustomerId().cStr()).starts_with("C"));
  }
  CHECK(total == 300);
  CHECK(inPlace == total);
}

TEST_CASE("a torn record is reported as damage, not misread") {
  const uint8_t torn[12] = {};
  CHECK_THROWS_WITH(StoredRecord<schema::Customer>(Bytes(torn, sizeof torn)), Catch::Contains("damaged"));
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
