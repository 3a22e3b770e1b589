#include "storage/audit-store.h"

#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace entente::storage;
using entente::testing::TempDir;

namespace {
void appendAll(Environment& env, std::vector<std::string> entries) {
  Transaction txn(env, Transaction::Mode::WRITE);
  for (auto& entry : entries) AuditStore::append(txn, AuditStore::count(txn) + 1, bytesOf(entry));
  txn.commit();
}
}  // namespace

TEST_CASE("audit entries are numbered from one and read back as written") {
  TempDir dir;
  Environment env(dir / "store", true);
  appendAll(env, {"first", "second", "third"});
  Transaction txn(env, Transaction::Mode::READ);
  CHECK(AuditStore::count(txn) == 3);
  Bytes entry;
  REQUIRE(AuditStore::read(txn, 2, entry));
  CHECK(textOf(entry) == "second");
  CHECK_FALSE(AuditStore::read(txn, 0, entry));
  CHECK_FALSE(AuditStore::read(txn, 4, entry));
}

TEST_CASE("an audit entry out of sequence is refused") {
  TempDir dir;
  Environment env(dir / "store", true);
  appendAll(env, {"first"});
  Transaction txn(env, Transaction::Mode::WRITE);
  CHECK_THROWS_AS(AuditStore::append(txn, 1, bytesOf("again")), StoreError);
  CHECK_THROWS_AS(AuditStore::append(txn, 3, bytesOf("skipped")), StoreError);
  CHECK_THROWS_AS(AuditStore::append(txn, 0, bytesOf("zero")), StoreError);
  Bytes entry;
  REQUIRE(AuditStore::read(txn, 1, entry));
  CHECK(textOf(entry) == "first");
}

TEST_CASE("an append never writes over an entry left behind a removed one") {
  TempDir dir;
  Environment env(dir / "store", true);
  appendAll(env, {"first", "second", "third"});
  Transaction txn(env, Transaction::Mode::WRITE);
  REQUIRE(txn.erase(Table::AUDIT, encodeKey(2)));
  // Two entries remain, so the next would be 3, which is there.
  CHECK_THROWS_WITH(AuditStore::append(txn, 3, bytesOf("over")), Catch::Contains("was removed"));
  Bytes entry;
  REQUIRE(AuditStore::read(txn, 3, entry));
  CHECK(textOf(entry) == "third");
}

TEST_CASE("the audit entries are walked in order from a given number, and the walk can stop") {
  TempDir dir;
  Environment env(dir / "store", true);
  appendAll(env, {"a", "b", "c", "d"});
  Transaction txn(env, Transaction::Mode::READ);
  std::vector<std::pair<uint64_t, std::string>> seen;
  AuditStore::forEach(txn, 2, [&](uint64_t seq, Bytes entry) {
    seen.emplace_back(seq, std::string(textOf(entry)));
    return seq < 3;
  });
  CHECK(seen == std::vector<std::pair<uint64_t, std::string>>{{2, "b"}, {3, "c"}});
}

TEST_CASE("a key that is not a sequence number in the audit table stops a walk with a store error") {
  TempDir dir;
  Environment env(dir / "store", true);
  appendAll(env, {"a"});
  {
    Transaction txn(env, Transaction::Mode::WRITE);
    txn.put(Table::AUDIT, bytesOf("odd"), bytesOf("x"));
    txn.commit();
  }
  Transaction txn(env, Transaction::Mode::READ);
  CHECK_THROWS_WITH(AuditStore::forEach(txn, 1, [](uint64_t, Bytes) { return true; }),
                    Catch::Contains("not a sequence number"));
}

TEST_CASE("audit checkpoints are kept in order and the last one is found") {
  TempDir dir;
  Environment env(dir / "store", true);
  appendAll(env, {"a", "b", "c", "d"});
  Transaction txn(env, Transaction::Mode::WRITE);
  uint64_t seq = 0;
  Bytes checkpoint;
  CHECK_FALSE(AuditStore::lastCheckpoint(txn, seq, checkpoint));
  AuditStore::putCheckpoint(txn, 2, bytesOf("signed two"));
  AuditStore::putCheckpoint(txn, 4, bytesOf("signed four"));
  REQUIRE(AuditStore::lastCheckpoint(txn, seq, checkpoint));
  CHECK(seq == 4);
  CHECK(textOf(checkpoint) == "signed four");
  CHECK(AuditStore::checkpointCount(txn) == 2);
  std::vector<uint64_t> keys;
  AuditStore::forEachCheckpoint(txn, [&](uint64_t s, Bytes) {
    keys.push_back(s);
    return true;
  });
  CHECK(keys == std::vector<uint64_t>{2, 4});
}

TEST_CASE("a checkpoint of no entries, of entries not yet written or not after the last checkpoint is refused") {
  TempDir dir;
  Environment env(dir / "store", true);
  appendAll(env, {"a", "b", "c"});
  Transaction txn(env, Transaction::Mode::WRITE);
  CHECK_THROWS_AS(AuditStore::putCheckpoint(txn, 0, bytesOf("x")), StoreError);
  CHECK_THROWS_AS(AuditStore::putCheckpoint(txn, 4, bytesOf("x")), StoreError);
  AuditStore::putCheckpoint(txn, 2, bytesOf("two"));
  CHECK_THROWS_AS(AuditStore::putCheckpoint(txn, 2, bytesOf("again")), StoreError);
  CHECK_THROWS_AS(AuditStore::putCheckpoint(txn, 1, bytesOf("earlier")), StoreError);
  CHECK(AuditStore::checkpointCount(txn) == 1);
}

TEST_CASE("the audit log survives closing and reopening the store") {
  TempDir dir;
  {
    Environment env(dir / "store", true);
    appendAll(env, {"a", "b"});
    Transaction txn(env, Transaction::Mode::WRITE);
    AuditStore::putCheckpoint(txn, 2, bytesOf("two"));
    txn.commit();
  }
  Environment env(dir / "store", false);
  Transaction txn(env, Transaction::Mode::READ);
  CHECK(AuditStore::count(txn) == 2);
  CHECK(AuditStore::checkpointCount(txn) == 1);
}
