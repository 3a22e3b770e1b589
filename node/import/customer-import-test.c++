#include "node/import/customer-import.h"

#include "storage/consent-store.h"
#include "storage/customer-store.h"
#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <capnp/message.h>

using namespace entente;
using entente::testing::TempDir;

namespace {

using Row = std::vector<std::pair<std::string, std::string>>;

struct Imported {
  node::ImportTotals totals;
  std::vector<node::RowRejection> rejections;
};

Imported importRows(storage::Environment& env, const std::vector<Row>& rows) {
  capnp::MallocMessageBuilder message;
  auto list = message.initRoot<protocol::control::CustomerImport::RowsParams>().initRows(
      static_cast<unsigned>(rows.size()));
  for (unsigned i = 0; i < rows.size(); ++i) {
    list[i].setLine(i + 2);
    auto fields = list[i].initFields(static_cast<unsigned>(rows[i].size()));
    for (unsigned j = 0; j < rows[i].size(); ++j) {
      fields[j].setName(rows[i][j].first);
      fields[j].setValue(rows[i][j].second);
    }
  }
  node::NodeConfig config;
  config.region = "FR";
  node::CustomerImport import(env, config, "import test.csv", false);
  Imported out;
  out.totals = import.storeBatch(list.asReader(), out.rejections);
  return out;
}

Row helene() {
  return {{"customer_id", "A-1"},   {"email", " Helene.Dupont@Orange.fr "}, {"phone", "06 12 34 56 78"},
          {"first_name", "Hélène"}, {"last_name", "Dupont"},                  {"birth_date", "30/04/1980"},
          {"postal_code", "75 001"}, {"segment", "boat-owner"}};
}

}  // namespace

TEST_CASE("an imported row becomes a customer with its three identifiers") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  auto result = importRows(env, {helene()});
  CHECK(result.totals.inserted == 1);
  CHECK(result.rejections.empty());
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  auto key = storage::CustomerStore::keyOf(txn, "A-1");
  REQUIRE(key);
  auto record = storage::CustomerStore::read(txn, *key);
  auto customer = record.get();
  CHECK(std::string(customer.getBirthDate()) == "1980-04-30");
  CHECK(std::string(customer.getCountry()) == "");  // not given: the region applies, not stored
  REQUIRE(customer.getIdentifiers().size() == 3);
  CHECK(std::string(customer.getIdentifiers()[0].getValue()) == "helene.dupont@orange.fr");
  CHECK(std::string(customer.getIdentifiers()[1].getValue()) == "+33612345678");
  REQUIRE(customer.getAttributes().size() == 1);
  CHECK(std::string(customer.getAttributes()[0].getName()) == "segment");
}

TEST_CASE("a bad row is rejected with its line and reason while the good rows go in") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  Row badEmail = {{"customer_id", "A-2"}, {"email", "not-an-address"}};
  Row noId = {{"customer_id", ""}, {"email", "x@y.fr"}};
  Row badPhone = {{"customer_id", "A-3"}, {"phone", "12"}};
  auto result = importRows(env, {badEmail, helene(), noId, badPhone});
  CHECK(result.totals.inserted == 1);
  CHECK(result.totals.rejected == 3);
  REQUIRE(result.rejections.size() == 3);
  CHECK(result.rejections[0].line == 2);
  CHECK_THAT(result.rejections[0].reason, Catch::StartsWith("email"));
  CHECK(result.rejections[1].line == 4);
  CHECK_THAT(result.rejections[1].reason, Catch::Contains("customer_id"));
  CHECK_THAT(result.rejections[2].reason, Catch::StartsWith("phone"));
  for (auto& r : result.rejections) {
    CHECK_THAT(r.reason, !Catch::Contains("not-an-address"));
  }
}

TEST_CASE("importing the same rows twice changes nothing the second time") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  importRows(env, {helene()});
  auto again = importRows(env, {helene()});
  CHECK(again.totals.unchanged == 1);
  CHECK(again.totals.inserted == 0);
  CHECK(again.totals.updated == 0);
}

TEST_CASE("reordered attribute columns do not count as a change") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  importRows(env, {{{"customer_id", "X"}, {"b", "2"}, {"a", "1"}}});
  CHECK(importRows(env, {{{"a", "1"}, {"customer_id", "X"}, {"b", "2"}}}).totals.unchanged == 1);
}

TEST_CASE("a changed phone number updates the customer") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  importRows(env, {helene()});
  Row changed = helene();
  changed[2].second = "06 22 34 56 78";
  CHECK(importRows(env, {changed}).totals.updated == 1);
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  CHECK(storage::CustomerStore::holdersOf(txn, 1, "+33612345678").empty());
  CHECK(storage::CustomerStore::holdersOf(txn, 1, "+33622345678").size() == 1);
}

TEST_CASE("a row's country decides how its phone number is read") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  auto result = importRows(env, {{{"customer_id", "F"}, {"phone", "040 123 4567"}, {"country", "fi"}}});
  REQUIRE(result.totals.inserted == 1);
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  CHECK(storage::CustomerStore::holdersOf(txn, 1, "+358401234567").size() == 1);
}

TEST_CASE("a row's country may be a name, and is stored as its ISO code") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  auto result = importRows(env, {{{"customer_id", "F"}, {"phone", "040 123 4567"}, {"country", "Finlande"}}});
  REQUIRE(result.totals.inserted == 1);
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  auto record = storage::CustomerStore::read(txn, *storage::CustomerStore::keyOf(txn, "F"));
  CHECK(std::string(record.get().getCountry()) == "FI");
  CHECK(storage::CustomerStore::holdersOf(txn, 1, "+358401234567").size() == 1);
}

TEST_CASE("a row whose birth date could be day-first or month-first is rejected") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  Row ambiguous = helene();
  ambiguous[5].second = "03/04/1980";
  auto result = importRows(env, {ambiguous});
  CHECK(result.totals.inserted == 0);
  REQUIRE(result.rejections.size() == 1);
  CHECK(result.rejections[0].reason ==
        "birth_date: 03/04-style date could be day-first or month-first; give the file's format "
        "with --date-format (e.g. '%d/%m/%Y' or '%m/%d/%Y')");
}

TEST_CASE("consent columns record each purpose's state with its source and line") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  auto result = importRows(env, {{{"customer_id", "A-9"},
                                  {"email", "a9@example.fr"},
                                  {"consent_overlap-analysis", "YES"},
                                  {"consent_cross-selling", "2025-03-01"},
                                  {"consent_enrichment", "0"},
                                  {"consent_source", "web-form"}}});
  REQUIRE(result.rejections.empty());
  CHECK(result.totals.consentChanges == 3);
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  auto key = *storage::CustomerStore::keyOf(txn, "A-9");
  CHECK(storage::ConsentStore::state(txn, key, "overlap-analysis", 2'000'000'000) == storage::ConsentState::GRANTED);
  CHECK(storage::ConsentStore::state(txn, key, "enrichment", 2'000'000'000) == storage::ConsentState::WITHDRAWN);
  auto history = storage::ConsentStore::history(txn, key, "cross-selling");
  REQUIRE(history.size() == 1);
  CHECK(history[0].atUnix == 1740787200);  // 2025-03-01T00:00:00Z
  CHECK(history[0].source == "import test.csv:2 (web-form)");
}

TEST_CASE("a consent column for an unknown purpose or with an unreadable value rejects the row") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  auto result = importRows(env, {{{"customer_id", "B-1"}, {"consent_telepathy", "yes"}},
                                 {{"customer_id", "B-2"}, {"consent_cross-selling", "perhaps"}}});
  REQUIRE(result.rejections.size() == 2);
  CHECK_THAT(result.rejections[0].reason, Catch::Contains("unknown purpose"));
  CHECK_THAT(result.rejections[1].reason, Catch::Contains("yes/no"));
  CHECK_THAT(result.rejections[1].reason, !Catch::Contains("perhaps"));
  CHECK(result.totals.inserted == 0);
}

TEST_CASE("re-importing the same consent changes nothing") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  Row row = {{"customer_id", "C-1"}, {"consent_cross-selling", "yes"}};
  CHECK(importRows(env, {row}).totals.consentChanges == 1);
  auto again = importRows(env, {row});
  CHECK(again.totals.consentChanges == 0);
  CHECK(again.totals.unchanged == 1);
}
