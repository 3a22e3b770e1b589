#include "storage/history-store.h"

#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <capnp/message.h>
#include <lmdb.h>

#include <string>
#include <vector>

using namespace entente::storage;
using entente::testing::TempDir;

namespace {

HistoryEvent event(std::string id, int32_t day, HistoryEventType type = HistoryEventType::PURCHASE,
                   std::optional<int64_t> amount = 1999) {
  HistoryEvent e;
  e.eventId = std::move(id);
  e.dateDays = day;
  e.type = type;
  e.amountMinor = amount;
  e.currency = amount ? "EUR" : "";
  e.category = "garden";
  e.channel = "shop";
  e.importedAtUnix = 1000;
  e.source = "history import erp.csv:2";
  return e;
}

std::vector<HistoryEvent> eventsOf(const Transaction& txn, uint64_t key) {
  std::vector<HistoryEvent> out;
  HistoryStore::forCustomer(txn, key, [&](schema::HistoryEvent::Reader r) { out.push_back(decodeHistoryEvent(r)); });
  return out;
}

std::vector<std::string> idsOf(const Transaction& txn, uint64_t key) {
  std::vector<std::string> out;
  for (auto& e : eventsOf(txn, key)) out.push_back(e.eventId);
  return out;
}

}  // namespace

TEST_CASE("a customer's events are read back in date order with every field") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  CHECK(HistoryStore::upsert(txn, 7, event("E-3", 20000)) == UpsertOutcome::INSERTED);
  CHECK(HistoryStore::upsert(txn, 7, event("E-1", -400)) == UpsertOutcome::INSERTED);  // 1968: before 1970
  auto contact = event("E-2", 19000, HistoryEventType::CONTACT, std::nullopt);
  contact.channel = "phone";
  contact.category = "";
  CHECK(HistoryStore::upsert(txn, 7, contact) == UpsertOutcome::INSERTED);
  CHECK(HistoryStore::upsert(txn, 8, event("F-1", 18000)) == UpsertOutcome::INSERTED);
  CHECK(HistoryStore::upsert(txn, 6, event("D-1", 21000)) == UpsertOutcome::INSERTED);

  CHECK(idsOf(txn, 7) == std::vector<std::string>{"E-1", "E-2", "E-3"});
  CHECK(idsOf(txn, 8) == std::vector<std::string>{"F-1"});
  CHECK(idsOf(txn, 9).empty());
  CHECK(HistoryStore::count(txn) == 5);

  auto events = eventsOf(txn, 7);
  CHECK(events[0].dateDays == -400);
  CHECK(events[1].type == HistoryEventType::CONTACT);
  CHECK_FALSE(events[1].amountMinor.has_value());
  CHECK(events[1].currency.empty());
  CHECK(events[1].channel == "phone");
  CHECK(events[2].dateDays == 20000);
  CHECK(events[2].type == HistoryEventType::PURCHASE);
  CHECK(events[2].amountMinor == 1999);
  CHECK(events[2].currency == "EUR");
  CHECK(events[2].category == "garden");
  CHECK(events[2].importedAtUnix == 1000);
  CHECK(events[2].source == "history import erp.csv:2");
}

TEST_CASE("events of one day are kept apart by their event ids, whatever their lengths") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  // "A" and "A1234" pad to keys of the same length: the padding must not merge them.
  for (auto id : {"A1234", "A", "AB", "A12345678901"}) HistoryStore::upsert(txn, 1, event(id, 100));
  CHECK(idsOf(txn, 1) == std::vector<std::string>{"A", "A1234", "A12345678901", "AB"});
  CHECK(HistoryStore::count(txn) == 4);
}

TEST_CASE("re-importing an event with the same content is unchanged and keeps its first import") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  HistoryStore::upsert(txn, 7, event("E-1", 100));
  auto again = event("E-1", 100);
  again.importedAtUnix = 5000;
  again.source = "history import erp-2.csv:40";
  CHECK(HistoryStore::upsert(txn, 7, again) == UpsertOutcome::UNCHANGED);
  auto events = eventsOf(txn, 7);
  REQUIRE(events.size() == 1);
  CHECK(events[0].importedAtUnix == 1000);
  CHECK(events[0].source == "history import erp.csv:2");
}

TEST_CASE("a changed amount updates the event in place with its new source") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  HistoryStore::upsert(txn, 7, event("E-1", 100));
  auto changed = event("E-1", 100);
  changed.amountMinor = 2500;
  changed.source = "history import erp-2.csv:40";
  CHECK(HistoryStore::upsert(txn, 7, changed) == UpsertOutcome::UPDATED);
  auto events = eventsOf(txn, 7);
  REQUIRE(events.size() == 1);
  CHECK(events[0].amountMinor == 2500);
  CHECK(events[0].source == "history import erp-2.csv:40");
  CHECK(HistoryStore::count(txn) == 1);
}

TEST_CASE("an amount of zero is not the same content as no amount") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  HistoryStore::upsert(txn, 7, event("C-1", 100, HistoryEventType::COMPLAINT, std::nullopt));
  auto zero = event("C-1", 100, HistoryEventType::COMPLAINT, 0);
  zero.currency = "";
  CHECK(HistoryStore::upsert(txn, 7, zero) == UpsertOutcome::UPDATED);
  CHECK(eventsOf(txn, 7)[0].amountMinor == 0);
}

TEST_CASE("an event id given another date or customer moves there and is never duplicated") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  HistoryStore::upsert(txn, 7, event("E-1", 100));
  CHECK(HistoryStore::upsert(txn, 7, event("E-1", 90)) == UpsertOutcome::UPDATED);
  auto place = HistoryStore::locate(txn, "E-1");
  REQUIRE(place);
  CHECK(place->customerKey == 7);
  CHECK(place->dateDays == 90);
  CHECK(eventsOf(txn, 7).size() == 1);

  CHECK(HistoryStore::upsert(txn, 8, event("E-1", 90)) == UpsertOutcome::UPDATED);
  CHECK(idsOf(txn, 7).empty());
  CHECK(idsOf(txn, 8) == std::vector<std::string>{"E-1"});
  CHECK(HistoryStore::locate(txn, "E-1")->customerKey == 8);
  CHECK(HistoryStore::count(txn) == 1);
  CHECK_FALSE(HistoryStore::locate(txn, "E-2"));
}

TEST_CASE("erasing a customer's history removes its events and their ids, and no other customer's") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  HistoryStore::upsert(txn, 7, event("E-1", 100));
  HistoryStore::upsert(txn, 7, event("E-2", 200, HistoryEventType::CONTACT, std::nullopt));
  HistoryStore::upsert(txn, 8, event("F-1", 100));
  HistoryStore::upsert(txn, 6, event("D-1", 100));
  CHECK(HistoryStore::eraseCustomer(txn, 7) == 2);
  CHECK(idsOf(txn, 7).empty());
  CHECK_FALSE(HistoryStore::locate(txn, "E-1"));
  CHECK_FALSE(HistoryStore::locate(txn, "E-2"));
  CHECK(txn.entries(Table::HISTORY_EVENT_IDS) == 2);
  CHECK(idsOf(txn, 8) == std::vector<std::string>{"F-1"});
  CHECK(idsOf(txn, 6) == std::vector<std::string>{"D-1"});
  CHECK(HistoryStore::eraseCustomer(txn, 7) == 0);
  // An erased event id imported again is a new event.
  CHECK(HistoryStore::upsert(txn, 7, event("E-1", 100)) == UpsertOutcome::INSERTED);
}

TEST_CASE("an event id that is empty, too long or holds a NUL, or a negative amount, is refused") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  CHECK_THROWS_AS(HistoryStore::upsert(txn, 1, event("", 100)), StoreError);
  CHECK_THROWS_WITH(HistoryStore::upsert(txn, 1, event(std::string(kMaxEventIdBytes + 1, 'x'), 100)),
                    Catch::Contains("longer than 128 bytes"));
  CHECK(HistoryStore::upsert(txn, 1, event(std::string(kMaxEventIdBytes, 'x'), 100)) == UpsertOutcome::INSERTED);
  CHECK_THROWS_AS(HistoryStore::upsert(txn, 1, event(std::string("E\0X", 3), 100)), StoreError);
  CHECK_THROWS_WITH(HistoryStore::upsert(txn, 1, event("E-9", 100, HistoryEventType::RETURN, -5)),
                    Catch::Contains("negative"));
  CHECK(HistoryStore::count(txn) == 1);
}

TEST_CASE("history records are read in place from the map, not copied") {
  TempDir dir;
  Environment env(dir / "store", true);
  {
    Transaction txn(env, Transaction::Mode::WRITE);
    for (int i = 0; i < 200; ++i) {
      // Ids of every length from 1 to 13 bytes, and categories of many lengths.
      auto e = event(std::string(static_cast<size_t>(1 + i % 13), static_cast<char>('a' + i % 26)), i);
      e.eventId += std::to_string(i);
      e.category = std::string(static_cast<size_t>(i % 17), 'c');
      HistoryStore::upsert(txn, 1 + static_cast<uint64_t>(i % 3), e);
    }
    txn.commit();
  }
  Transaction txn(env, Transaction::Mode::READ);
  Cursor cursor(txn, Table::HISTORY);
  size_t seen = 0, inPlace = 0;
  for (bool ok = cursor.first(); ok; ok = cursor.next()) {
    CHECK(cursor.key().size() % 8 == 0);
    StoredRecord<schema::HistoryEvent> record(cursor.value());
    ++seen;
    if (record.readInPlace()) ++inPlace;
  }
  CHECK(seen == 200);
  CHECK(inPlace == 200);
}

TEST_CASE("a store written before the history tables existed opens and gains them") {
  TempDir dir;
  {
    Environment env(dir / "store", true);
    Transaction txn(env, Transaction::Mode::WRITE);
    txn.put(Table::META, bytesOf("greeting"), bytesOf("hello"));
    txn.commit();
  }
  {
    // Remove the two tables with LMDB itself, as a store of the previous release has
    // never had them (this test alone reaches under environment.h).
    MDB_env* raw = nullptr;
    REQUIRE(mdb_env_create(&raw) == MDB_SUCCESS);
    REQUIRE(mdb_env_set_maxdbs(raw, 32) == MDB_SUCCESS);
    REQUIRE(mdb_env_set_mapsize(raw, size_t{16} << 30) == MDB_SUCCESS);
    REQUIRE(mdb_env_open(raw, (dir / "store").c_str(), 0, 0600) == MDB_SUCCESS);
    MDB_txn* txn = nullptr;
    REQUIRE(mdb_txn_begin(raw, nullptr, 0, &txn) == MDB_SUCCESS);
    for (const char* name : {"history", "history-event-ids"}) {
      MDB_dbi dbi;
      REQUIRE(mdb_dbi_open(txn, name, 0, &dbi) == MDB_SUCCESS);
      REQUIRE(mdb_drop(txn, dbi, 1) == MDB_SUCCESS);
    }
    REQUIRE(mdb_txn_commit(txn) == MDB_SUCCESS);
    REQUIRE(mdb_txn_begin(raw, nullptr, MDB_RDONLY, &txn) == MDB_SUCCESS);
    MDB_dbi dbi;
    CHECK(mdb_dbi_open(txn, "history", 0, &dbi) == MDB_NOTFOUND);
    mdb_txn_abort(txn);
    mdb_env_close(raw);
  }
  Environment env(dir / "store", false);
  Transaction txn(env, Transaction::Mode::WRITE);
  Bytes value;
  REQUIRE(txn.get(Table::META, bytesOf("greeting"), value));
  CHECK(textOf(value) == "hello");
  CHECK(HistoryStore::count(txn) == 0);
  CHECK(HistoryStore::upsert(txn, 1, event("E-1", 100)) == UpsertOutcome::INSERTED);
  CHECK(HistoryStore::count(txn) == 1);
}
