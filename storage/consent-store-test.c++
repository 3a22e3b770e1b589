#include "storage/consent-store.h"
#include "storage/record-codec.h"
#include "storage/records.capnp.h"
#include "storage/terms.h"

#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <capnp/message.h>

#include <algorithm>

#include <thread>

using namespace entente::storage;
using entente::testing::TempDir;

namespace {
ConsentChange change(bool granted, int64_t at, std::string source = "test") {
  ConsentChange c;
  c.granted = granted;
  c.atUnix = at;
  c.recordedAtUnix = at;
  c.source = std::move(source);
  return c;
}
}  // namespace

TEST_CASE("a customer never asked has no consent, and each change is kept in order") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  CHECK(ConsentStore::state(txn, 7, "cross-selling", 100) == ConsentState::NEVER_ASKED);
  CHECK(ConsentStore::record(txn, 7, "cross-selling", change(true, 10, "import crm.csv:2")));
  CHECK(ConsentStore::state(txn, 7, "cross-selling", 100) == ConsentState::GRANTED);
  CHECK(ConsentStore::record(txn, 7, "cross-selling", change(false, 20, "cli:ana")));
  CHECK(ConsentStore::state(txn, 7, "cross-selling", 100) == ConsentState::WITHDRAWN);
  auto history = ConsentStore::history(txn, 7, "cross-selling");
  REQUIRE(history.size() == 2);
  CHECK(history[0].source == "import crm.csv:2");
  CHECK(history[1].source == "cli:ana");
  CHECK(ConsentStore::state(txn, 7, "overlap-analysis", 100) == ConsentState::NEVER_ASKED);
}

TEST_CASE("recording the same state and terms again changes nothing") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  CHECK(ConsentStore::record(txn, 1, "enrichment", change(true, 10)));
  CHECK_FALSE(ConsentStore::record(txn, 1, "enrichment", change(true, 50)));
  CHECK(ConsentStore::history(txn, 1, "enrichment").size() == 1);
}

TEST_CASE("an expired grant counts as expired, not granted") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  auto c = change(true, 10);
  c.expiresAtUnix = 50;
  ConsentStore::record(txn, 3, "cross-selling", c);
  CHECK(ConsentStore::state(txn, 3, "cross-selling", 49) == ConsentState::GRANTED);
  CHECK(ConsentStore::state(txn, 3, "cross-selling", 50) == ConsentState::EXPIRED);
}

TEST_CASE("erasing a customer's consent removes every purpose and no other customer's") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  ConsentStore::record(txn, 3, "cross-selling", change(true, 1));
  ConsentStore::record(txn, 3, "enrichment", change(true, 1));
  ConsentStore::record(txn, 4, "enrichment", change(true, 1));
  CHECK(ConsentStore::purposesOf(txn, 3).size() == 2);
  CHECK(ConsentStore::eraseCustomer(txn, 3) == 2);
  CHECK(ConsentStore::purposesOf(txn, 3).empty());
  CHECK(ConsentStore::state(txn, 4, "enrichment", 2) == ConsentState::GRANTED);
}

TEST_CASE("every field of every change reads back, whatever the order of purposes and sources") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  ConsentChange full = change(true, -86400, "import crm.csv:9 (store)");
  full.recordedAtUnix = 1'700'000'000;
  full.basis = "contract";
  full.noticeVersion = "2024-03";
  full.expiresAtUnix = 4'102'444'800;
  CHECK(ConsentStore::record(txn, 3, "overlap-analysis", full));
  CHECK(ConsentStore::record(txn, 3, "cross-selling", change(true, 10, "import crm.csv:9 (store)")));
  CHECK(ConsentStore::record(txn, 3, "cross-selling", change(false, 20, "cli:ana")));
  CHECK(ConsentStore::record(txn, 3, "enrichment", change(false, 30, "cli:ana")));
  CHECK(ConsentStore::purposesOf(txn, 3) == std::vector<std::string>{"cross-selling", "enrichment", "overlap-analysis"});
  auto kept = ConsentStore::history(txn, 3, "overlap-analysis");
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].granted);
  CHECK(kept[0].atUnix == -86400);
  CHECK(kept[0].recordedAtUnix == 1'700'000'000);
  CHECK(kept[0].source == "import crm.csv:9 (store)");
  CHECK(kept[0].basis == "contract");
  CHECK(kept[0].noticeVersion == "2024-03");
  CHECK(kept[0].expiresAtUnix == 4'102'444'800);
  auto cross = ConsentStore::history(txn, 3, "cross-selling");
  REQUIRE(cross.size() == 2);
  CHECK(cross[0].source == "import crm.csv:9 (store)");
  CHECK(cross[0].basis == "consent");
  CHECK(cross[1].source == "cli:ana");
  CHECK_FALSE(cross[1].granted);
  CHECK(ConsentStore::history(txn, 3, "enrichment").at(0).source == "cli:ana");
  CHECK(ConsentStore::state(txn, 3, "overlap-analysis", 100) == ConsentState::GRANTED);
  CHECK(ConsentStore::state(txn, 3, "enrichment", 100) == ConsentState::WITHDRAWN);
  CHECK(ConsentStore::recordCount(txn) == 3);
  // One record for the customer, all purposes in it.
  CHECK(txn.entries(Table::CONSENT) == 1);
}

TEST_CASE("consent records of an earlier release are read, and rewritten as one on the next change") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  // What an earlier release wrote: one canonical record per customer and purpose.
  auto legacy = [&](uint64_t customer, std::string_view purpose, bool granted, int64_t at) {
    capnp::MallocMessageBuilder message;
    auto c = message.initRoot<schema::ConsentRecord>().initChanges(1)[0];
    c.setGranted(granted);
    c.setAtUnix(at);
    c.setRecordedAtUnix(at);
    c.setSource("import old.csv:2");
    c.setBasis("consent");
    auto prefix = encodeKey(customer);
    std::string key(prefix.begin(), prefix.end());
    key.append(purpose);
    auto words = encodeRecord(message.getRoot<schema::ConsentRecord>().asReader());
    txn.put(Table::CONSENT, bytesOf(key), bytesOf(words));
  };
  legacy(5, "cross-selling", true, 10);
  legacy(5, "overlap-analysis", false, 11);
  legacy(6, "cross-selling", true, 12);
  CHECK(ConsentStore::state(txn, 5, "cross-selling", 100) == ConsentState::GRANTED);
  CHECK(ConsentStore::state(txn, 5, "overlap-analysis", 100) == ConsentState::WITHDRAWN);
  CHECK(ConsentStore::purposesOf(txn, 5) == std::vector<std::string>{"cross-selling", "overlap-analysis"});
  CHECK(ConsentStore::recordCount(txn) == 3);
  CHECK(ConsentStore::record(txn, 5, "enrichment", change(true, 20, "cli:ana")));
  CHECK(txn.entries(Table::CONSENT) == 2);  // customer 5's one record, customer 6's old one
  CHECK(ConsentStore::history(txn, 5, "cross-selling").at(0).source == "import old.csv:2");
  CHECK(ConsentStore::state(txn, 5, "overlap-analysis", 100) == ConsentState::WITHDRAWN);
  CHECK(ConsentStore::state(txn, 5, "enrichment", 100) == ConsentState::GRANTED);
  CHECK(ConsentStore::state(txn, 6, "cross-selling", 100) == ConsentState::GRANTED);
  CHECK(ConsentStore::recordCount(txn) == 4);
  CHECK(ConsentStore::eraseCustomer(txn, 6) == 1);
  CHECK(txn.entries(Table::CONSENT) == 1);
}

TEST_CASE("a damaged consent record is reported, never misread") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  CHECK(ConsentStore::record(txn, 9, "cross-selling", change(true, 10, "import crm.csv:2")));
  auto key = encodeKey(9);
  Bytes stored;
  REQUIRE(txn.get(Table::CONSENT, Bytes(key), stored));
  std::string bytes(textOf(stored));
  for (size_t size = 1; size < bytes.size(); ++size) {
    INFO("truncated to " << size << " bytes");
    txn.put(Table::CONSENT, Bytes(key), bytesOf(std::string_view(bytes).substr(0, size)));
    CHECK_THROWS_WITH(ConsentStore::history(txn, 9, "cross-selling"), Catch::Contains("damaged"));
    CHECK_THROWS_WITH(ConsentStore::state(txn, 9, "cross-selling", 100), Catch::Contains("damaged"));
  }
}

TEST_CASE("a purpose is kept as a term, and one too long for a term is kept in full") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  const std::string longPurpose(450, 'p');
  CHECK(ConsentStore::record(txn, 1, "cross-selling", change(true, 10)));
  CHECK(ConsentStore::record(txn, 1, longPurpose, change(true, 10)));
  CHECK(Terms::find(txn, "cross-selling").has_value());
  CHECK_FALSE(Terms::find(txn, longPurpose).has_value());
  CHECK(ConsentStore::purposesOf(txn, 1) == std::vector<std::string>{"cross-selling", longPurpose});
  CHECK(ConsentStore::state(txn, 1, longPurpose, 100) == ConsentState::GRANTED);
  CHECK(ConsentStore::state(txn, 1, "cross-selling", 100) == ConsentState::GRANTED);
  CHECK(ConsentStore::state(txn, 1, "enrichment", 100) == ConsentState::NEVER_ASKED);
}

TEST_CASE("a consent query judges on another thread what state() says, compact or earlier records") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  ConsentChange expiring = change(true, 10, "import a.csv:2");
  expiring.expiresAtUnix = 50;
  ConsentChange noticed = change(true, 11, "import a.csv:2");
  noticed.noticeVersion = "v3";
  noticed.basis = "contract";
  CHECK(ConsentStore::record(txn, 1, "overlap-analysis", change(true, 10)));
  CHECK(ConsentStore::record(txn, 2, "overlap-analysis", change(true, 10)));
  CHECK(ConsentStore::record(txn, 2, "overlap-analysis", change(false, 20)));
  CHECK(ConsentStore::record(txn, 3, "overlap-analysis", expiring));
  // Purposes before the one asked for, with texts and a repeated source, are skipped.
  CHECK(ConsentStore::record(txn, 4, "cross-selling", noticed));
  CHECK(ConsentStore::record(txn, 4, "enrichment", change(false, 12, "import a.csv:2")));
  CHECK(ConsentStore::record(txn, 4, "overlap-analysis", change(true, 13, "cli:ana")));
  CHECK(ConsentStore::record(txn, 5, "cross-selling", change(true, 10)));
  // Customer 6: one record of an earlier release.
  capnp::MallocMessageBuilder message;
  auto old = message.initRoot<schema::ConsentRecord>().initChanges(1)[0];
  old.setGranted(true);
  old.setSource("import old.csv:2");
  auto prefix = encodeKey(6);
  std::string key(prefix.begin(), prefix.end());
  key.append("overlap-analysis");
  auto words = encodeRecord(message.getRoot<schema::ConsentRecord>().asReader());
  txn.put(Table::CONSENT, bytesOf(key), bytesOf(words));

  ConsentQuery query(txn, "overlap-analysis", 100);
  std::vector<StoredConsent> found;
  for (uint64_t customer = 1; customer <= 7; ++customer) found.push_back(query.find(txn, customer));
  std::vector<ConsentState> judged;
  std::thread([&] {
    for (auto& f : found) judged.push_back(query.judge(f));
  }).join();
  CHECK(judged == std::vector<ConsentState>{ConsentState::GRANTED, ConsentState::WITHDRAWN, ConsentState::EXPIRED,
                                            ConsentState::GRANTED, ConsentState::NEVER_ASKED, ConsentState::GRANTED,
                                            ConsentState::NEVER_ASKED});
  for (uint64_t customer = 1; customer <= 7; ++customer) {
    CHECK(judged[customer - 1] == ConsentStore::state(txn, customer, "overlap-analysis", 100));
  }
  CHECK(found[5].legacy);
  CHECK(found[6].bytes.empty());

  // A walk in key order finds the same records without a search per customer.
  CHECK(ConsentStore::record(txn, 9, "overlap-analysis", change(true, 10)));
  ConsentWalk walk(txn, query);
  for (uint64_t customer : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}) {
    INFO("customer " << customer);
    auto walked = walk.find(customer);
    auto searched = query.find(txn, customer);
    CHECK(walked.legacy == searched.legacy);
    CHECK(std::ranges::equal(walked.bytes, searched.bytes));
    CHECK(query.judge(walked) == ConsentStore::state(txn, customer, "overlap-analysis", 100));
  }
  CHECK_THROWS_AS(walk.find(10), std::logic_error);
  // Started past some records, it still finds the later ones.
  ConsentWalk late(txn, query);
  CHECK(query.judge(late.find(4)) == ConsentState::GRANTED);
  CHECK(late.find(6).legacy);
  CHECK(query.judge(late.find(9)) == ConsentState::GRANTED);
}
