#include "storage/participation-store.h"

#include "storage/compact-codec.h"
#include "storage/customer-sources.h"
#include "storage/erasure-marks.h"
#include "storage/key-list.h"
#include "storage/record-codec.h"
#include "storage/records.capnp.h"
#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <capnp/message.h>

#include <numeric>

using namespace entente::storage;
using entente::testing::TempDir;

namespace {

ParticipationRecord session(std::string id, int64_t at, std::vector<uint64_t> offered,
                            std::vector<uint64_t> matched = {}) {
  ParticipationRecord p;
  p.sessionId = std::move(id);
  p.partner = "travel";
  p.role = matched.empty() ? "responder" : "requester";
  p.purpose = "cross-selling";
  p.mode = "ids";
  p.outcome = "completed";
  p.atUnix = at;
  p.offered = std::move(offered);
  p.matched = std::move(matched);
  return p;
}

}  // namespace

TEST_CASE("a key list decodes to the keys it was given and answers membership") {
  std::vector<uint64_t> keys = {1, 2, 3, 130, 131, 100000, (uint64_t{1} << 40) + 7};
  auto coded = encodeKeyList(keys);
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(coded.data()), coded.size());
  CHECK(decodeKeyList(bytes) == keys);
  for (auto k : keys) CHECK(keyListContains(bytes, k));
  CHECK_FALSE(keyListContains(bytes, 4));
  CHECK_FALSE(keyListContains(bytes, 0));
  CHECK_FALSE(keyListContains(bytes, uint64_t{1} << 41));
  CHECK_THROWS(encodeKeyList(std::vector<uint64_t>{3, 2}));
  std::string torn = coded.substr(0, coded.size() - 1) + "\x80";
  CHECK_THROWS_AS(decodeKeyList({reinterpret_cast<const uint8_t*>(torn.data()), torn.size()}), StoreError);
}

TEST_CASE("dense customer keys cost about one byte each in a participation list") {
  std::vector<uint64_t> keys(100000);
  std::iota(keys.begin(), keys.end(), 1);
  for (auto& k : keys) k *= 2;  // every other customer
  CHECK(encodeKeyList(keys).size() <= keys.size() + 8);
}

TEST_CASE("a customer's sessions are found by key, oldest first, and erasure removes them") {
  TempDir dir;
  Environment env(dir.path(), true);
  {
    Transaction txn(env, Transaction::Mode::WRITE);
    ParticipationStore::put(txn, session("s2", 2000, {5, 7, 9}));
    ParticipationStore::put(txn, session("s1", 1000, {9, 1, 7}, {7}));
    ParticipationStore::put(txn, session("s3", 3000, {1, 2}));
    txn.commit();
  }
  Transaction read(env, Transaction::Mode::READ);
  auto seven = ParticipationStore::involving(read, 7);
  REQUIRE(seven.size() == 2);
  CHECK(seven[0].session.sessionId == "s1");
  CHECK(seven[0].matched);
  CHECK(seven[1].session.sessionId == "s2");
  CHECK_FALSE(seven[1].matched);
  CHECK(ParticipationStore::involving(read, 3).empty());
  auto period = ParticipationStore::list(read, 1500, 3000);
  REQUIRE(period.size() == 2);
  CHECK(period[0].offeredCount == 3);
  read.commit();

  Transaction erase(env, Transaction::Mode::WRITE);
  CHECK(ParticipationStore::eraseCustomer(erase, 7) == 2);
  erase.commit();
  Transaction after(env, Transaction::Mode::READ);
  CHECK(ParticipationStore::involving(after, 7).empty());
  auto nine = ParticipationStore::involving(after, 9);
  REQUIRE(nine.size() == 2);
  CHECK(nine[0].session.erased == 1);
  CHECK(nine[0].session.offeredCount == 2);
  CHECK(nine[0].session.matchedCount == 0);
}

TEST_CASE("an erasure mark keeps the earliest time and can be cleared") {
  TempDir dir;
  Environment env(dir.path(), true);
  Transaction txn(env, Transaction::Mode::WRITE);
  ErasureDigest digest{};
  digest[0] = 1;
  CHECK_FALSE(ErasureMarks::find(txn, digest));
  ErasureMarks::mark(txn, digest, 500);
  ErasureMarks::mark(txn, digest, 900);
  CHECK(ErasureMarks::find(txn, digest) == 500);
  ErasureMarks::clear(txn, digest);
  CHECK_FALSE(ErasureMarks::find(txn, digest));
}

TEST_CASE("a customer's sources keep each file once with its first and last writes") {
  TempDir dir;
  Environment env(dir.path(), true);
  Transaction txn(env, Transaction::Mode::WRITE);
  CustomerSources::note(txn, 4, {"import crm.csv", "preset salesforce", "ana", 0, 100, 2});
  CustomerSources::note(txn, 4, {"import erp.csv", "", "ana", 0, 150, 9});
  CustomerSources::note(txn, 4, {"import crm.csv", "preset salesforce", "bob", 0, 200, 5});
  auto sources = CustomerSources::read(txn, 4);
  REQUIRE(sources.size() == 2);
  CHECK(sources[0].firstAtUnix == 100);
  CHECK(sources[0].lastAtUnix == 200);
  CHECK(sources[0].lastLine == 5);
  CHECK(sources[0].actor == "bob");
  CHECK(sources[0].mapping == "preset salesforce");
  CHECK(sources[1].source == "import erp.csv");
  CHECK(sources[1].lastLine == 9);
  // Kept compact, and a record of an earlier release (canonical Cap'n Proto) still reads.
  auto key = encodeKey(4);
  Bytes stored;
  REQUIRE(txn.get(Table::CUSTOMER_SOURCES, Bytes(key), stored));
  CHECK(isCompact(stored));
  capnp::MallocMessageBuilder message;
  auto legacy = message.initRoot<schema::CustomerSources>().initSources(1)[0];
  legacy.setSource("import old.csv");
  legacy.setActor("initial-admin");
  legacy.setFirstAtUnix(50);
  legacy.setLastAtUnix(60);
  legacy.setLastLine(7);
  auto words = encodeRecord(message.getRoot<schema::CustomerSources>().asReader());
  txn.put(Table::CUSTOMER_SOURCES, Bytes(key), bytesOf(words));
  sources = CustomerSources::read(txn, 4);
  REQUIRE(sources.size() == 1);
  CHECK(sources[0].source == "import old.csv");
  CHECK(sources[0].lastLine == 7);
  CustomerSources::note(txn, 4, {"import crm.csv", "", "ana", 0, 300, 3});
  CHECK(CustomerSources::read(txn, 4).size() == 2);
  CustomerSources::erase(txn, 4);
  CHECK(CustomerSources::read(txn, 4).empty());
}
