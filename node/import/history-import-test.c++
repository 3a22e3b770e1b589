#include "node/import/history-import.h"

#include "node/import/event-date.h"
#include "storage/customer-store.h"
#include "storage/history-store.h"
#include "node/import/import-rows-for-tests.h"
#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <capnp/message.h>

using namespace entente;
using entente::testing::TempDir;

namespace {

using node::testing::Row;

struct Imported {
  node::ImportTotals totals;
  std::vector<node::RowRejection> rejections;
};

constexpr int64_t kImportedAt = 1741953600;  // 2025-03-14T12:00:00Z

Imported importRows(storage::Environment& env, const std::vector<Row>& rows) {
  capnp::MallocMessageBuilder message;
  auto list = node::testing::importRowsOf(message, rows);
  node::HistoryImport import(env, "history import erp.csv", kImportedAt);
  Imported out;
  out.totals = import.storeBatch(list, out.rejections);
  return out;
}

// A store holding customers A-1 and A-2 (keys 1 and 2).
void addCustomers(storage::Environment& env) {
  storage::Transaction txn(env, storage::Transaction::Mode::WRITE);
  for (auto id : {"A-1", "A-2"}) {
    capnp::MallocMessageBuilder message;
    message.initRoot<storage::schema::Customer>().setCustomerId(id);
    storage::CustomerStore::upsert(txn, message.getRoot<storage::schema::Customer>().asReader());
  }
  txn.commit();
}

uint64_t keyOf(storage::Environment& env, const char* customerId) {
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  return *storage::CustomerStore::keyOf(txn, customerId);
}

std::vector<storage::HistoryEvent> eventsOf(storage::Environment& env, const char* customerId) {
  auto key = keyOf(env, customerId);
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  std::vector<storage::HistoryEvent> out;
  storage::HistoryStore::forCustomer(txn, key, [&](auto r) { out.push_back(storage::decodeHistoryEvent(r)); });
  return out;
}

Row purchase(std::string eventId = "E-1", std::string amount = "19,90") {
  return {{"customer_id", "A-1"}, {"event_id", eventId},   {"date", "2025-03-14"}, {"type", "Purchase"},
          {"category", " garden "}, {"amount", amount},  {"currency", "eur"},    {"channel", "shop"}};
}

}  // namespace

TEST_CASE("a history row becomes an event of its customer, its amount in cents, extra columns ignored") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  addCustomers(env);
  Row row = purchase();
  row.emplace_back("cashier_name", "Ana\x01");  // not a history column: not even checked
  auto result = importRows(env, {row});
  CHECK(result.rejections.empty());
  CHECK(result.totals.inserted == 1);
  auto events = eventsOf(env, "A-1");
  REQUIRE(events.size() == 1);
  CHECK(events[0].eventId == "E-1");
  CHECK(events[0].dateDays == 20161);
  CHECK(events[0].type == storage::HistoryEventType::PURCHASE);
  CHECK(events[0].amountMinor == 1990);
  CHECK(events[0].currency == "EUR");
  CHECK(events[0].category == "garden");
  CHECK(events[0].channel == "shop");
  CHECK(events[0].importedAtUnix == kImportedAt);
  CHECK(events[0].source == "history import erp.csv:2");
  CHECK(eventsOf(env, "A-2").empty());
}

TEST_CASE("importing the same history twice changes nothing the second time") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  addCustomers(env);
  importRows(env, {purchase("E-1"), purchase("E-2")});
  auto again = importRows(env, {purchase("E-2"), purchase("E-1")});
  CHECK(again.totals.unchanged == 2);
  CHECK(again.totals.inserted == 0);
  CHECK(again.totals.updated == 0);
  CHECK(eventsOf(env, "A-1").size() == 2);
}

TEST_CASE("a corrected amount updates its event, and a new customer for the event id moves it") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  addCustomers(env);
  importRows(env, {purchase("E-1", "19.90")});
  CHECK(importRows(env, {purchase("E-1", "17.90")}).totals.updated == 1);
  REQUIRE(eventsOf(env, "A-1").size() == 1);
  CHECK(eventsOf(env, "A-1")[0].amountMinor == 1790);

  Row moved = purchase("E-1", "17.90");
  moved[0].second = "A-2";
  CHECK(importRows(env, {moved}).totals.updated == 1);
  CHECK(eventsOf(env, "A-1").empty());
  REQUIRE(eventsOf(env, "A-2").size() == 1);
  CHECK(eventsOf(env, "A-2")[0].amountMinor == 1790);
}

TEST_CASE("a row for a customer not imported is rejected, saying to import the customer first") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  addCustomers(env);
  Row row = purchase();
  row[0].second = "Z-404";
  auto result = importRows(env, {row});
  CHECK(result.totals.rejected == 1);
  CHECK(result.totals.inserted == 0);
  REQUIRE(result.rejections.size() == 1);
  CHECK(result.rejections[0].line == 2);
  CHECK(result.rejections[0].reason == "no customer with this customer_id; import the customer first");
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  CHECK(storage::HistoryStore::count(txn) == 0);
}

TEST_CASE("each broken rule rejects its row alone, naming the column and never the value") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  addCustomers(env);
  int next = 0;
  auto with = [&](std::string column, std::string value) {
    Row row = purchase("E-" + std::to_string(++next));
    for (auto& [name, v] : row) {
      if (name == column) v = value;
    }
    return row;
  };
  struct Case {
    Row row;
    std::string reasonStart;
    std::string value;
  };
  std::vector<Case> cases = {
      {with("customer_id", ""), "customer_id is empty", ""},
      {with("event_id", ""), "event_id is empty", ""},
      {with("event_id", std::string(129, 'e')), "event_id is longer than 128 bytes", std::string(129, 'e')},
      {with("date", ""), "date is empty", ""},
      {with("date", "2025-02-30"), "date: not a day of the calendar", "2025-02-30"},
      {with("date", "03/04/2025"), "date: 03/04-style date could be day-first or month-first", "03/04/2025"},
      {with("date", "March the 3rd"), "date: ", "March the 3rd"},
      {with("type", "refund"), "type must be one of purchase, return, complaint, complaint_resolved, contact",
       "refund"},
      {with("amount", "1.234,56"), "amount must be digits", "1.234,56"},
      {with("amount", "12.345"), "amount has more than two digits", "12.345"},
      {with("amount", "1,234"), "amount has more than two digits", "1,234"},
      {with("amount", "-5.00"), "amount must be digits", "-5.00"},
      {with("amount", "12 EUR"), "amount must be digits", "12 EUR"},
      {with("amount", "12."), "amount must be digits", "12."},
      {with("amount", ".75"), "amount must be digits", ".75"},
      {with("amount", "1234567890123456"), "amount is longer than 15 digits", "1234567890123456"},
      {with("amount", ""), "amount is empty; a purchase or a return needs its amount", ""},
      {with("currency", ""), "currency is empty; an amount needs its currency", ""},
      {with("currency", "EURO"), "currency must be a three-letter ISO 4217 code", "EURO"},
      {with("currency", "E1R"), "currency must be a three-letter ISO 4217 code", "E1R"},
      {with("category", std::string(257, 'c')), "category is longer than 256 bytes", std::string(257, 'c')},
      {with("channel", "web\nshop"), "channel contains a control character", "web\nshop"},
      {with("event_id", std::string("E\0-1", 4)), "event_id contains a NUL byte", std::string("E\0-1", 4)},
  };
  std::vector<Row> rows;
  for (auto& c : cases) rows.push_back(c.row);
  rows.push_back(purchase("E-good"));
  auto result = importRows(env, rows);
  CHECK(result.totals.inserted == 1);
  CHECK(result.totals.rejected == cases.size());
  REQUIRE(result.rejections.size() == cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    INFO("case " << i);
    CHECK(result.rejections[i].line == i + 2);
    CHECK_THAT(result.rejections[i].reason, Catch::StartsWith(cases[i].reasonStart));
    if (cases[i].value.size() > 1) CHECK_THAT(result.rejections[i].reason, !Catch::Contains(cases[i].value));
  }
  REQUIRE(eventsOf(env, "A-1").size() == 1);
  CHECK(eventsOf(env, "A-1")[0].eventId == "E-good");
}

TEST_CASE("amounts are read exactly in hundredths, with '.' or ',' as the decimal separator") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  addCustomers(env);
  auto result = importRows(env, {purchase("E-1", "12"), purchase("E-2", "12.5"), purchase("E-3", "0,05"),
                                 purchase("E-4", "999999999999999.99"), purchase("E-5", "0")});
  CHECK(result.totals.inserted == 5);
  auto events = eventsOf(env, "A-1");
  REQUIRE(events.size() == 5);
  CHECK(events[0].amountMinor == 1200);
  CHECK(events[1].amountMinor == 1250);
  CHECK(events[2].amountMinor == 5);
  CHECK(events[3].amountMinor == 99999999999999999);
  CHECK(events[4].amountMinor == 0);
}

TEST_CASE("a complaint or a contact needs no amount, and a return does") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  addCustomers(env);
  Row complaint = {{"customer_id", "A-1"}, {"event_id", "C-1"}, {"date", "2025-03-01 09:30"}, {"type", "COMPLAINT"}};
  Row contact = {{"customer_id", "A-1"}, {"event_id", "K-1"}, {"date", "2025-03-02"}, {"type", "contact"},
                 {"channel", "phone"}, {"amount", ""}, {"currency", ""}};
  Row returned = {{"customer_id", "A-1"}, {"event_id", "R-1"}, {"date", "2025-03-03"}, {"type", "return"}};
  auto result = importRows(env, {complaint, contact, returned});
  CHECK(result.totals.inserted == 2);
  REQUIRE(result.rejections.size() == 1);
  CHECK(result.rejections[0].line == 4);
  CHECK_THAT(result.rejections[0].reason, Catch::StartsWith("amount is empty"));
  auto events = eventsOf(env, "A-1");
  REQUIRE(events.size() == 2);
  CHECK(events[0].type == storage::HistoryEventType::COMPLAINT);
  CHECK(events[0].dateDays == *node::readEventDate("2025-03-01"));
  CHECK_FALSE(events[0].amountMinor);
  CHECK(events[1].type == storage::HistoryEventType::CONTACT);
  CHECK(events[1].channel == "phone");
  CHECK_FALSE(events[1].amountMinor);
}

TEST_CASE("a row the store refuses is rejected alone and the rest of its batch goes in") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  addCustomers(env);
  {
    // A damaged index entry for one event id: storing that event fails, and only it.
    storage::Transaction txn(env, storage::Transaction::Mode::WRITE);
    txn.put(storage::Table::HISTORY_EVENT_IDS, storage::bytesOf("E-2"), storage::bytesOf("torn"));
    txn.commit();
  }
  auto result = importRows(env, {purchase("E-1"), purchase("E-2"), purchase("E-3")});
  CHECK(result.totals.inserted == 2);
  CHECK(result.totals.rejected == 1);
  REQUIRE(result.rejections.size() == 1);
  CHECK(result.rejections[0].line == 3);
  CHECK_THAT(result.rejections[0].reason, Catch::StartsWith("could not be stored: ") && Catch::Contains("damaged"));
  auto events = eventsOf(env, "A-1");
  REQUIRE(events.size() == 2);
  CHECK(events[0].eventId == "E-1");
  CHECK(events[1].eventId == "E-3");
}

TEST_CASE("the history columns are the documented eight") {
  CHECK(node::isHistoryColumn("event_id"));
  CHECK(node::isHistoryColumn("currency"));
  CHECK_FALSE(node::isHistoryColumn("email"));
  CHECK(std::size(node::kHistoryColumns) == 8);
}
