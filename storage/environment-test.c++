#include "storage/environment.h"

#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>

using namespace entente::storage;
using entente::testing::TempDir;

TEST_CASE("a committed write survives reopening the store") {
  TempDir dir;
  {
    Environment env(dir / "store", true);
    Transaction txn(env, Transaction::Mode::WRITE);
    txn.put(Table::META, bytesOf("greeting"), bytesOf("hello"));
    txn.commit();
  }
  Environment env(dir / "store", false);
  Transaction txn(env, Transaction::Mode::READ);
  Bytes value;
  REQUIRE(txn.get(Table::META, bytesOf("greeting"), value));
  CHECK(textOf(value) == "hello");
  CHECK(env.schemaVersion() == Environment::kSchemaVersion);
}

TEST_CASE("a write transaction dropped without commit leaves the store unchanged") {
  TempDir dir;
  Environment env(dir / "store", true);
  try {
    Transaction txn(env, Transaction::Mode::WRITE);
    txn.put(Table::META, bytesOf("half"), bytesOf("written"));
    throw std::runtime_error("failure in the middle of a batch");
  } catch (const std::runtime_error&) {
  }
  Transaction txn(env, Transaction::Mode::READ);
  Bytes value;
  CHECK_FALSE(txn.get(Table::META, bytesOf("half"), value));
}

TEST_CASE("opening a store that does not exist says how to create one") {
  TempDir dir;
  CHECK_THROWS_WITH(Environment(dir / "missing", false), Catch::Contains("entente node init"));
}

TEST_CASE("a store of another schema version is refused") {
  TempDir dir;
  {
    Environment env(dir / "store", true);
    Transaction txn(env, Transaction::Mode::WRITE);
    const uint8_t future[4] = {0, 0, 0, 99};
    txn.put(Table::META, bytesOf("schema_version"), Bytes(future, 4));
    txn.commit();
  }
  CHECK_THROWS_WITH(Environment(dir / "store", false), Catch::Contains("schema version 99"));
}

TEST_CASE("a corrupt store file gives a clear error instead of a crash") {
  TempDir dir;
  std::filesystem::create_directories(dir / "store");
  {
    std::ofstream garbage(dir / "store" / "data.mdb", std::ios::binary);
    for (int i = 0; i < 64 * 1024; ++i) garbage.put(static_cast<char>(i * 7919));
  }
  CHECK_THROWS_AS(Environment(dir / "store", false), StoreError);
}

TEST_CASE("a cursor walks a duplicate-sorted key in order") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  for (uint64_t k : {5u, 1u, 3u}) {
    auto v = encodeKey(k);
    txn.put(Table::IDENTIFIERS, bytesOf("id"), Bytes(v));
  }
  CHECK(txn.duplicateCount(Table::IDENTIFIERS, bytesOf("id")) == 3);
  CHECK(txn.duplicateCount(Table::IDENTIFIERS, bytesOf("none")) == 0);
  Cursor cursor(txn, Table::IDENTIFIERS);
  std::vector<uint64_t> seen;
  for (bool ok = cursor.firstDuplicateOf(bytesOf("id")); ok; ok = cursor.nextDuplicate()) {
    seen.push_back(decodeKey(cursor.value()));
  }
  CHECK(seen == std::vector<uint64_t>{1, 3, 5});
}

TEST_CASE("compaction leaves no trace of deleted values in the data file") {
  TempDir dir;
  Environment env(dir / "store", true);
  const std::string secret = "erase-me-4f1c9a@example.org";
  {
    Transaction txn(env, Transaction::Mode::WRITE);
    for (int i = 0; i < 200; ++i) txn.put(Table::META, bytesOf("k" + std::to_string(i)), bytesOf(secret));
    txn.commit();
  }
  {
    Transaction txn(env, Transaction::Mode::WRITE);
    for (int i = 0; i < 200; ++i) txn.erase(Table::META, bytesOf("k" + std::to_string(i)));
    txn.commit();
  }
  auto fileContains = [&](const std::string& needle) {
    std::ifstream in(dir / "store" / "data.mdb", std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return all.find(needle) != std::string::npos;
  };
  CHECK(fileContains(secret));  // deleted, but still in free pages: what compaction is for
  env.compact();
  CHECK_FALSE(fileContains(secret));
  Transaction txn(env, Transaction::Mode::READ);
  Bytes value;
  CHECK(txn.get(Table::META, bytesOf("schema_version"), value));
}

TEST_CASE("compaction waits for open transactions, and a pending one is finished later") {
  TempDir dir;
  Environment env(dir / "store", true);
  {
    Transaction reader(env, Transaction::Mode::READ);
    CHECK_THROWS_WITH(env.compact(), Catch::Contains("retry when the session ends"));
  }
  {
    Transaction txn(env, Transaction::Mode::WRITE);
    env.markCompactionPending(txn);
    txn.commit();
  }
  CHECK(env.compactIfPending());
  CHECK_FALSE(env.compactIfPending());
}

TEST_CASE("the compacted store file stays private to its owner") {
  TempDir dir;
  Environment env(dir / "store", true);
  env.compact();
  auto perms = std::filesystem::status(dir / "store" / "data.mdb").permissions();
  CHECK((perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) ==
        std::filesystem::perms::none);
}

// Whether a page's free space keeps a deleted entry's bytes depends on LMDB's page
// layout; tests/compliance-test.c++ checks the real case (an erased customer's id
// and e-mail absent from the file). Here: the copy keeps every live entry exactly.
TEST_CASE("compaction keeps every live entry as it was, and no deleted one") {
  TempDir dir;
  Environment env(dir / "store", true);
  // Three records in one page, as a small import leaves them; the middle one is erased.
  const std::string erased = "erased-person@example.org, and the rest of a long record";
  {
    Transaction txn(env, Transaction::Mode::WRITE);
    auto k1 = encodeKey(1), k2 = encodeKey(2), k3 = encodeKey(3);
    txn.put(Table::CUSTOMERS, Bytes(k1), bytesOf("record of a first customer, ana@example.pt"));
    txn.put(Table::CUSTOMERS, Bytes(k2), bytesOf(erased));
    txn.put(Table::CUSTOMERS, Bytes(k3), bytesOf("record of a third customer"));
    for (int i = 0; i < 200; ++i) {
      auto key = "k" + std::to_string(1000 + i);
      txn.put(Table::CUSTOMER_IDS, bytesOf(key), bytesOf("value of " + key));
      txn.put(Table::IDENTIFIERS, bytesOf("same"), bytesOf("dup" + std::to_string(10000 + i)));
    }
    txn.commit();
  }
  {
    Transaction txn(env, Transaction::Mode::WRITE);
    auto k2 = encodeKey(2);
    CHECK(txn.erase(Table::CUSTOMERS, Bytes(k2)));
    txn.commit();
  }
  env.compact();
  std::ifstream in(dir / "store" / "data.mdb", std::ios::binary);
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(file.find("erased-pe") == std::string::npos);
  Transaction txn(env, Transaction::Mode::READ);
  CHECK(txn.entries(Table::CUSTOMERS) == 2);
  CHECK(txn.entries(Table::CUSTOMER_IDS) == 200);
  CHECK(txn.duplicateCount(Table::IDENTIFIERS, bytesOf("same")) == 200);
  for (int i = 0; i < 200; ++i) {
    auto key = "k" + std::to_string(1000 + i);
    Bytes value;
    REQUIRE(txn.get(Table::CUSTOMER_IDS, bytesOf(key), value));
    CHECK(textOf(value) == "value of " + key);
  }
  auto k3 = encodeKey(3);
  Bytes third;
  REQUIRE(txn.get(Table::CUSTOMERS, Bytes(k3), third));
  CHECK(textOf(third) == "record of a third customer");
}
