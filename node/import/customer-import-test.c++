#include "node/import/customer-import.h"

#include "storage/consent-store.h"
#include "storage/customer-store.h"
#include "node/import/import-rows-for-tests.h"
#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <capnp/message.h>

#include <map>

using namespace entente;
using entente::testing::TempDir;

namespace {

using node::testing::Row;

struct Imported {
  node::ImportTotals totals;
  std::vector<node::RowRejection> rejections;
  std::vector<node::RowWarning> warnings;
  node::ImportFindings findings;
};

node::NodeConfig testConfig() {
  node::NodeConfig config;
  config.region = "FR";
  return config;
}

Imported importRows(storage::Environment& env, const std::vector<Row>& rows, node::ImportRules rules = {},
                    const node::NodeConfig& config = testConfig()) {
  capnp::MallocMessageBuilder message;
  auto list = node::testing::importRowsOf(message, rows);
  node::CustomerImport import(env, config, "import test.csv", false, std::move(rules));
  Imported out;
  out.totals = import.storeBatch(list, out.rejections, out.warnings);
  out.findings = import.findings();
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

TEST_CASE("a row that cannot be a customer is rejected with its line and reason while the good rows go in") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  Row noId = {{"customer_id", ""}, {"email", "x@y.fr"}};
  Row control = {{"customer_id", "A-2"}, {"email", std::string("a\x01b@y.fr")}};
  auto result = importRows(env, {helene(), noId, control});
  CHECK(result.totals.inserted == 1);
  CHECK(result.totals.rejected == 2);
  REQUIRE(result.rejections.size() == 2);
  CHECK(result.rejections[0].line == 3);
  CHECK_THAT(result.rejections[0].reason, Catch::Contains("customer_id"));
  CHECK(result.rejections[1].line == 4);
  CHECK_THAT(result.rejections[1].reason, Catch::StartsWith("email contains a control character"));
}

TEST_CASE("an invalid optional field is dropped with a warning and the customer kept") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  Row badPhone = {{"customer_id", "A-3"}, {"email", "a3@example.fr"}, {"phone", "n/a"}};
  Row badEmail = {{"customer_id", "A-4"}, {"email", "not-an-address"}, {"phone", "06 12 34 56 79"}};
  auto result = importRows(env, {badPhone, badEmail});
  CHECK(result.totals.inserted == 2);
  CHECK(result.rejections.empty());
  REQUIRE(result.warnings.size() == 2);
  CHECK(result.warnings[0].line == 2);
  CHECK(result.warnings[0].column == "phone");
  CHECK(result.warnings[1].line == 3);
  CHECK(result.warnings[1].column == "email");
  for (auto& w : result.warnings) {
    CHECK_THAT(w.reason, !Catch::Contains("not-an-address") && !Catch::Contains("n/a"));
  }
  CHECK(result.findings.dropped.size() == 2);
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  auto a3 = storage::CustomerStore::read(txn, *storage::CustomerStore::keyOf(txn, "A-3"));
  REQUIRE(a3.get().getIdentifiers().size() == 1);
  CHECK(std::string(a3.get().getIdentifiers()[0].getValue()) == "a3@example.fr");
  CHECK(std::string(a3.get().getPhone()) == "");  // the bad value is not stored
  auto a4 = storage::CustomerStore::read(txn, *storage::CustomerStore::keyOf(txn, "A-4"));
  REQUIRE(a4.get().getIdentifiers().size() == 1);
  CHECK(std::string(a4.get().getIdentifiers()[0].getValue()) == "+33612345679");
}

TEST_CASE("under strict a bad optional field rejects the whole row") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  node::ImportRules strict;
  strict.strict = true;
  auto result = importRows(env, {{{"customer_id", "A-3"}, {"email", "a3@example.fr"}, {"phone", "12"}}}, strict);
  CHECK(result.totals.inserted == 0);
  REQUIRE(result.rejections.size() == 1);
  CHECK_THAT(result.rejections[0].reason, Catch::StartsWith("phone") && Catch::Contains("--strict"));
}

TEST_CASE("a national phone number is dropped when the row's country cannot be read") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  auto result = importRows(env, {{{"customer_id", "K"}, {"phone", "040 123 4567"}, {"country", "Atlantis"}},
                                 {{"customer_id", "L"}, {"phone", "+358 40 123 4567"}, {"country", "Atlantis"}}});
  CHECK(result.totals.inserted == 2);
  REQUIRE(result.warnings.size() == 3);
  CHECK(result.warnings[0].column == "country");
  CHECK(result.warnings[1].column == "phone");
  CHECK(result.warnings[2].column == "country");
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  CHECK(storage::CustomerStore::holdersOf(txn, 1, "+358401234567").size() == 1);
}

TEST_CASE("a customer_id repeated within the file is rejected naming the first row") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  auto result = importRows(env, {{{"customer_id", "R"}, {"email", "r1@example.fr"}},
                                 {{"customer_id", "S"}, {"email", "s@example.fr"}},
                                 {{"customer_id", "R"}, {"email", "r2@example.fr"}}});
  CHECK(result.totals.inserted == 2);
  REQUIRE(result.rejections.size() == 1);
  CHECK(result.rejections[0].line == 4);
  CHECK_THAT(result.rejections[0].reason, Catch::Contains("line 2"));
  CHECK(result.findings.repeatedIds == 1);
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  CHECK(storage::CustomerStore::holdersOf(txn, 0, "r1@example.fr").size() == 1);
  CHECK(storage::CustomerStore::holdersOf(txn, 0, "r2@example.fr").empty());
}

TEST_CASE("a re-import with fewer columns keeps the fields it does not mention and counts what changed") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  importRows(env, {helene()});
  // Only e-mail and segment this time: the phone and the name parts stay; an empty
  // segment clears it.
  auto again = importRows(env, {{{"customer_id", "A-1"}, {"email", "helene@new.fr"}, {"segment", ""}}});
  CHECK(again.totals.updated == 1);
  auto& changes = again.findings.fieldChanges.counts();
  REQUIRE(changes.size() == 2);
  CHECK(changes.at("email").changed == 1);
  CHECK(changes.at("segment").removed == 1);
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  auto record = storage::CustomerStore::read(txn, *storage::CustomerStore::keyOf(txn, "A-1"));
  CHECK(std::string(record.get().getPhone()) == "06 12 34 56 78");
  CHECK(record.get().getIdentifiers().size() == 3);
  CHECK(record.get().getAttributes().size() == 0);
  CHECK(storage::CustomerStore::holdersOf(txn, 0, "helene@new.fr").size() == 1);
}

TEST_CASE("special-category attribute columns are stored marked, and suspect values are found") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  auto config = testConfig();
  config.specialCategoryAttributes = {"blood_group"};
  config.ordinaryAttributes = {"party_size"};
  auto result = importRows(env,
                           {{{"customer_id", "H"},
                             {"Santé", "asthme"},
                             {"blood_group", "O+"},
                             {"party_size", "4"},
                             {"notes", "Catholic, prefers Sunday calls"},
                             {"segment", "sailing"}}},
                           {}, config);
  REQUIRE(result.totals.inserted == 1);
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  auto record = storage::CustomerStore::read(txn, *storage::CustomerStore::keyOf(txn, "H"));
  std::map<std::string, bool> special;
  for (auto a : record.get().getAttributes()) special[a.getName()] = a.getSpecialCategory();
  CHECK(special == std::map<std::string, bool>{{"Santé", true},
                                               {"blood_group", true},
                                               {"notes", false},
                                               {"party_size", false},
                                               {"segment", false}});
  REQUIRE(result.findings.suspectColumns.size() == 1);
  CHECK(result.findings.suspectColumns.at("notes") == "religion (first at line 2)");
}

TEST_CASE("a customer with no identifier is stored and counted") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  auto result = importRows(env, {{{"customer_id", "N1"}, {"segment", "x"}}, helene()});
  CHECK(result.totals.inserted == 2);
  CHECK(result.findings.noIdentifier == 1);
  CHECK(result.findings.firstNoIdentifierLine == 2);
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

TEST_CASE("a birth date that reads two ways is dropped, never guessed, and the file's format reads it") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  Row ambiguous = helene();
  ambiguous[5].second = "03/04/1980";
  auto result = importRows(env, {ambiguous});
  CHECK(result.totals.inserted == 1);
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0].column == "birth_date");
  CHECK(result.warnings[0].reason ==
        "birth_date: 03/04-style date could be day-first or month-first; give the file's format "
        "with --date-format (e.g. '%d/%m/%Y' or '%m/%d/%Y')");
  {
    storage::Transaction txn(env, storage::Transaction::Mode::READ);
    auto record = storage::CustomerStore::read(txn, *storage::CustomerStore::keyOf(txn, "A-1"));
    CHECK(std::string(record.get().getBirthDate()) == "");
    CHECK(record.get().getIdentifiers().size() == 2);  // no name_dob_postal without the date
  }
  node::ImportRules us;
  us.dateFormats["birth_date"] = "%m/%d/%Y";
  auto again = importRows(env, {ambiguous}, us);
  CHECK(again.totals.updated == 1);
  CHECK(again.warnings.empty());
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  auto record = storage::CustomerStore::read(txn, *storage::CustomerStore::keyOf(txn, "A-1"));
  CHECK(std::string(record.get().getBirthDate()) == "1980-03-04");
  CHECK(record.get().getIdentifiers().size() == 3);
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

TEST_CASE("granted and withdrawn are consent values") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  auto result = importRows(env, {{{"customer_id", "G"}, {"consent_cross-selling", "Withdrawn"},
                                  {"consent_enrichment", "granted"}}});
  REQUIRE(result.rejections.empty());
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  auto key = *storage::CustomerStore::keyOf(txn, "G");
  CHECK(storage::ConsentStore::state(txn, key, "cross-selling", 2'000'000'000) == storage::ConsentState::WITHDRAWN);
  CHECK(storage::ConsentStore::state(txn, key, "enrichment", 2'000'000'000) == storage::ConsentState::GRANTED);
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

TEST_CASE("consent dates follow the import's date format and are never guessed without one") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  Row row = {{"customer_id", "D-1"}, {"consent_cross-selling", "yes"}, {"consent_date", "01/03/2025"}};
  auto guessed = importRows(env, {row});
  REQUIRE(guessed.rejections.size() == 1);
  CHECK_THAT(guessed.rejections[0].reason, Catch::StartsWith("consent_date: ") && Catch::Contains("--date-format"));
  node::ImportRules european;
  european.dateFormats["consent_date"] = "%d/%m/%Y";
  auto read = importRows(env, {row}, european);
  REQUIRE(read.rejections.empty());
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  auto history = storage::ConsentStore::history(txn, *storage::CustomerStore::keyOf(txn, "D-1"), "cross-selling");
  REQUIRE(history.size() == 1);
  CHECK(history[0].atUnix == 1740787200);  // 2025-03-01T00:00:00Z
}

TEST_CASE("a customer row the store refuses is rejected alone and the rest of its batch goes in") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  auto row = [](std::string id, std::string segment) {
    return Row{{"customer_id", id}, {"email", id + "@example.org"}, {"consent_cross-selling", "yes"},
               {"segment", segment}};
  };
  importRows(env, {row("D-1", "a"), row("D-2", "a"), row("D-3", "a")});
  {
    // A torn consent record for D-2: recording its consent fails, and only that row.
    storage::Transaction txn(env, storage::Transaction::Mode::WRITE);
    auto key = storage::encodeKey(*storage::CustomerStore::keyOf(txn, "D-2"));
    std::string consentKey(key.begin(), key.end());
    consentKey += "cross-selling";
    txn.put(storage::Table::CONSENT, storage::bytesOf(consentKey), storage::bytesOf("torn"));
    txn.commit();
  }
  auto result = importRows(env, {row("D-1", "b"), row("D-2", "b"), row("D-3", "b")});
  CHECK(result.totals.updated == 2);
  CHECK(result.totals.rejected == 1);
  REQUIRE(result.rejections.size() == 1);
  CHECK(result.rejections[0].line == 3);
  CHECK_THAT(result.rejections[0].reason, Catch::StartsWith("could not be stored: ") && Catch::Contains("damaged"));
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  auto segmentOf = [&](const char* id) {
    auto record = storage::CustomerStore::read(txn, *storage::CustomerStore::keyOf(txn, id));
    return std::string(record.get().getAttributes()[0].getValue().cStr());
  };
  CHECK(segmentOf("D-1") == "b");
  CHECK(segmentOf("D-2") == "a");  // its row's transaction was undone whole
  CHECK(segmentOf("D-3") == "b");
}
