// A re-import skips the rows it stored before from the same bytes (storage/row-digests.h),
// and nothing else changes: the counts, the consent, what a changed row does.
#include "node/import/customer-import.h"

#include "node/import/import-rows-for-tests.h"
#include "storage/consent-store.h"
#include "storage/customer-store.h"
#include "storage/row-digests.h"
#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <capnp/message.h>

using namespace entente;
using entente::testing::TempDir;
using node::testing::Row;

namespace {

struct Run {
  node::ImportTotals totals;
  uint64_t skipped = 0;
  std::vector<node::RowRejection> rejections;
};

node::NodeConfig frConfig() {
  node::NodeConfig config;
  config.region = "FR";
  return config;
}

Run importRows(storage::Environment& env, const std::vector<Row>& rows, const node::NodeConfig& config = frConfig()) {
  capnp::MallocMessageBuilder message;
  auto list = node::testing::importRowsOf(message, rows);
  node::CustomerImport import(env, config, "import crm.csv", false);
  Run out;
  std::vector<node::RowWarning> warnings;
  out.totals = import.storeBatch(list, out.rejections, warnings);
  out.skipped = import.skippedByDigest();
  return out;
}

std::vector<Row> customers(int n) {
  std::vector<Row> rows;
  for (int i = 0; i < n; ++i) {
    auto id = std::to_string(i);
    rows.push_back({{"customer_id", "C-" + id},
                    {"email", "Person." + id + "@Example.org"},
                    {"phone", "06 12 34 " + std::to_string(10 + i % 90) + " 0" + std::to_string(i % 10)},
                    {"last_name", "Martin"},
                    {"consent_cross-selling", "yes"},
                    {"segment", i % 2 ? "gold" : "silver"}});
  }
  return rows;
}

std::string emailOf(storage::Environment& env, const std::string& id) {
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  auto record = storage::CustomerStore::read(txn, *storage::CustomerStore::keyOf(txn, id));
  return std::string(record.get().getIdentifiers()[0].getValue().cStr());
}

}  // namespace

TEST_CASE("a re-import of an unchanged file writes nothing and reports every row unchanged") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  auto first = importRows(env, customers(50));
  REQUIRE(first.totals.inserted == 50);
  CHECK(first.skipped == 0);
  auto before = env.lastTransaction();

  auto again = importRows(env, customers(50));
  CHECK(again.totals.unchanged == 50);
  CHECK(again.totals.inserted + again.totals.updated + again.totals.rejected + again.totals.consentChanges == 0);
  CHECK(again.skipped == 50);  // told apart by their digests, not normalised again
  CHECK(env.lastTransaction() == before);
}

TEST_CASE("a changed row in a re-import is still applied and the others skipped") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  importRows(env, customers(20));
  auto rows = customers(20);
  rows[7][1].second = "New.Address@Example.org";
  auto again = importRows(env, rows);
  CHECK(again.totals.updated == 1);
  CHECK(again.totals.unchanged == 19);
  CHECK(again.skipped == 19);
  CHECK(emailOf(env, "C-7") == "new.address@example.org");

  // The changed row's new digest skips it the next time.
  auto third = importRows(env, rows);
  CHECK(third.totals.unchanged == 20);
  CHECK(third.skipped == 20);
}

TEST_CASE("a customer changed since the import is compared in full again, not skipped") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  importRows(env, customers(3));
  {
    // A consent set after the import: the file says granted, the store now withdrawn.
    storage::Transaction txn(env, storage::Transaction::Mode::WRITE);
    auto key = *storage::CustomerStore::keyOf(txn, "C-1");
    storage::ConsentChange change;
    change.granted = false;
    change.atUnix = change.recordedAtUnix = 1'700'000'000;
    change.source = "consent set";
    CHECK(storage::ConsentStore::record(txn, key, "cross-selling", change));
    CHECK_FALSE(storage::RowDigests::find(txn, key));
    txn.commit();
  }
  auto again = importRows(env, customers(3));
  CHECK(again.skipped == 2);
  CHECK(again.totals.consentChanges == 1);  // the file's "granted" recorded again, as before digests
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  auto key = *storage::CustomerStore::keyOf(txn, "C-1");
  CHECK(storage::ConsentStore::state(txn, key, "cross-selling", 1'800'000'000) == storage::ConsentState::GRANTED);
}

TEST_CASE("rows are not skipped when the node's settings that read them change") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  std::vector<Row> rows = {{{"customer_id", "P-1"}, {"phone", "0612345678"}}};
  importRows(env, rows);
  auto config = frConfig();
  config.region = "BE";
  auto again = importRows(env, rows, config);
  CHECK(again.skipped == 0);
  CHECK(again.totals.unchanged + again.totals.updated == 1);
}

TEST_CASE("a row with a dropped field is not skipped, so its warning is given on every import") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  std::vector<Row> rows = {{{"customer_id", "W-1"}, {"email", "w@example.org"}, {"phone", "n/a"}}};
  importRows(env, rows);
  capnp::MallocMessageBuilder message;
  auto list = node::testing::importRowsOf(message, rows);
  auto config = frConfig();  // the import keeps a reference to it
  node::CustomerImport import(env, config, "import crm.csv", false);
  std::vector<node::RowRejection> rejections;
  std::vector<node::RowWarning> warnings;
  auto totals = import.storeBatch(list, rejections, warnings);
  CHECK(totals.unchanged == 1);
  CHECK(import.skippedByDigest() == 0);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].column == "phone");
}

TEST_CASE("past the rows searched for special-category values, an unchanged row is skipped on its id and digest") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  auto all = customers(10010);
  REQUIRE(importRows(env, all).totals.inserted == 10010);

  // The same file again, in two batches of one import: the first 10,000 rows take the
  // long way (the search for special-category values reads them); the rest are
  // found by id and digest alone, except one changed row and one repeated id.
  std::vector<Row> head(all.begin(), all.begin() + 10000), tail(all.begin() + 10000, all.end());
  tail[5][1].second = "Changed.Person@Example.org";
  tail.push_back(tail[1]);
  auto config = frConfig();  // the import keeps a reference to it
  node::CustomerImport import(env, config, "import crm.csv", false);
  std::vector<node::RowRejection> rejections;
  std::vector<node::RowWarning> warnings;
  capnp::MallocMessageBuilder first, second;
  auto one = import.storeBatch(node::testing::importRowsOf(first, head), rejections, warnings);
  CHECK(one.unchanged == 10000);
  auto two = import.storeBatch(node::testing::importRowsOf(second, tail), rejections, warnings);
  CHECK(two.unchanged == 9);
  CHECK(two.updated == 1);
  REQUIRE(two.rejected == 1);
  REQUIRE(rejections.size() == 1);
  CHECK_THAT(rejections[0].reason, Catch::Contains("customer_id repeats the row on line 3"));
  CHECK(import.skippedByDigest() == 10009);
  CHECK(emailOf(env, "C-10005") == "changed.person@example.org");
}
