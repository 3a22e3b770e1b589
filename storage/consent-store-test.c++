#include "storage/consent-store.h"

#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

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
