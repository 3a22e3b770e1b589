#include "node/import/history-facts.h"

#include "node/import/event-date.h"
#include "storage/history-store.h"
#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

using namespace entente;
using entente::testing::TempDir;
using storage::HistoryEventType;

namespace {

constexpr int64_t kNow = 1743415200;  // 2025-03-31T10:00:00Z: a month end, so windows clamp

void add(storage::Transaction& txn, uint64_t customer, const char* id, const char* date, HistoryEventType type,
         std::optional<int64_t> cents = std::nullopt, const char* category = "", const char* currency = "EUR") {
  storage::HistoryEvent e;
  e.eventId = id;
  e.dateDays = *node::readEventDate(date);
  e.type = type;
  e.amountMinor = cents;
  e.currency = cents ? currency : "";
  e.category = category;
  e.source = "test";
  storage::HistoryStore::upsert(txn, customer, e);
}

double value(const node::HistoryFacts& facts, std::string_view name) {
  auto v = node::factValue(facts, name);
  INFO(name << ": " << v.reason);
  REQUIRE(v.value);
  return *v.value;
}

}  // namespace

TEST_CASE("purchases, returns and spend are counted over calendar months back from today") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  storage::Transaction txn(env, storage::Transaction::Mode::WRITE);
  using T = HistoryEventType;
  add(txn, 1, "P1", "2025-03-31", T::PURCHASE, 1000, "garden");  // today: in every window
  add(txn, 1, "P2", "2025-01-01", T::PURCHASE, 2000, "tools");
  add(txn, 1, "P3", "2024-12-31", T::PURCHASE, 500, "garden");   // 3 months ago to the day: out of last_3m
  add(txn, 1, "P4", "2024-03-31", T::PURCHASE, 700, "garden");   // out of last_12m
  add(txn, 1, "P5", "2023-03-31", T::PURCHASE, 900, "garden");   // out of last_24m
  add(txn, 1, "R1", "2025-02-01", T::RETURN, 2000, "tools");
  add(txn, 1, "F1", "2025-04-01", T::PURCHASE, 10000, "garden");  // tomorrow: not yet
  add(txn, 1, "K1", "2025-03-01", T::CONTACT);
  add(txn, 1, "K2", "2023-01-01", T::CONTACT);
  add(txn, 2, "X1", "2025-03-30", T::PURCHASE, 99900, "garden");  // another customer's
  add(txn, 2, "X2", "2025-03-30", T::CONTACT);

  auto facts = node::historyFacts(txn, 1, kNow);
  CHECK(facts.today == *node::readEventDate("2025-03-31"));
  CHECK(facts.last3m.purchases == 2);
  CHECK(facts.last12m.purchases == 3);
  CHECK(facts.last24m.purchases == 4);
  CHECK(facts.last3m.spendMinor == std::map<std::string, int64_t, std::less<>>{{"EUR", 1000}});
  CHECK(facts.last12m.spendMinor.at("EUR") == 1500);
  CHECK(facts.last24m.spendMinor.at("EUR") == 2200);

  CHECK(value(facts, "purchases.last_3m") == 2);
  CHECK(value(facts, "purchases.last_12m") == 3);
  CHECK(value(facts, "purchases.last_24m") == 4);
  CHECK(value(facts, "spend.last_3m") == 10.0);
  CHECK(value(facts, "spend.last_12m") == 15.0);
  CHECK(value(facts, "spend.last_24m") == 22.0);
  CHECK(value(facts, "spend.EUR.last_12m") == 15.0);
  CHECK(value(facts, "spend.USD.last_12m") == 0.0);
  CHECK(value(facts, "returns.last_3m") == 1);
  CHECK(value(facts, "returns.last_12m") == 1);
  CHECK(value(facts, "contacts.last_12m") == 1);
  CHECK(value(facts, "contacts.last_24m") == 1);
  CHECK(value(facts, "purchases.category.garden.last_3m") == 1);
  CHECK(value(facts, "purchases.category.garden.last_12m") == 2);
  CHECK(value(facts, "purchases.category.garden.last_24m") == 3);
  CHECK(value(facts, "purchases.category.tools.last_12m") == 1);
  CHECK(value(facts, "purchases.category.shoes.last_12m") == 0);
  CHECK(value(facts, "days_since_last_purchase") == 0);
  CHECK(value(facts, "days_since_last_purchase.category.tools") == 89);
  CHECK(value(facts, "days_since_last_contact") == 30);
}

TEST_CASE("a complaint is open until a complaint_resolved dated on or after it") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  storage::Transaction txn(env, storage::Transaction::Mode::WRITE);
  using T = HistoryEventType;
  CHECK(value(node::historyFacts(txn, 1, kNow), "complaint.open") == 0);

  add(txn, 1, "C1", "2025-02-10", T::COMPLAINT);
  CHECK(value(node::historyFacts(txn, 1, kNow), "complaint.open") == 1);
  add(txn, 1, "S1", "2025-02-12", T::COMPLAINT_RESOLVED);
  CHECK(value(node::historyFacts(txn, 1, kNow), "complaint.open") == 0);
  add(txn, 1, "C2", "2025-03-20", T::COMPLAINT);
  auto facts = node::historyFacts(txn, 1, kNow);
  CHECK(facts.complaintOpen);
  CHECK(value(facts, "complaints.last_3m") == 2);
  add(txn, 1, "S2", "2025-03-20", T::COMPLAINT_RESOLVED);  // same day: resolved
  CHECK_FALSE(node::historyFacts(txn, 1, kNow).complaintOpen);
}

TEST_CASE("spend over several currencies has no single value, but has one per currency") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  storage::Transaction txn(env, storage::Transaction::Mode::WRITE);
  add(txn, 1, "P1", "2025-03-01", HistoryEventType::PURCHASE, 1250, "", "EUR");
  add(txn, 1, "P2", "2025-03-02", HistoryEventType::PURCHASE, 4000, "", "USD");
  auto facts = node::historyFacts(txn, 1, kNow);
  auto spend = node::factValue(facts, "spend.last_12m");
  CHECK_FALSE(spend.value);
  CHECK_THAT(spend.reason, Catch::Contains("more than one currency") && Catch::Contains("spend.EUR.last_12m"));
  CHECK(value(facts, "spend.EUR.last_12m") == 12.5);
  CHECK(value(facts, "spend.USD.last_12m") == 40.0);
  CHECK(value(facts, "purchases.last_12m") == 2);
}

TEST_CASE("a customer without history has counts of zero and no days since anything") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  auto facts = node::historyFacts(txn, 5, kNow);
  CHECK(value(facts, "purchases.last_12m") == 0);
  CHECK(value(facts, "spend.last_12m") == 0);
  CHECK(value(facts, "complaint.open") == 0);
  auto days = node::factValue(facts, "days_since_last_purchase");
  CHECK_FALSE(days.value);
  CHECK(days.reason == "no purchase in this customer's history");
  CHECK_FALSE(node::factValue(facts, "days_since_last_contact").value);
  CHECK_FALSE(node::factValue(facts, "days_since_last_purchase.category.garden").value);
}

TEST_CASE("only the documented fact names are facts") {
  for (auto name : {"purchases.last_3m", "purchases.last_12m", "purchases.last_24m", "returns.last_12m",
                    "complaints.last_24m", "contacts.last_3m", "spend.last_12m", "spend.EUR.last_24m",
                    "purchases.category.garden.last_12m", "purchases.category.a.b.last_3m", "complaint.open",
                    "days_since_last_purchase", "days_since_last_purchase.category.garden",
                    "days_since_last_contact"}) {
    INFO(name);
    CHECK(node::isFactName(name));
  }
  for (auto name : {"", "purchases", "purchases.last_6m", "purchase.last_12m", "spend.eur.last_12m",
                    "spend.EURO.last_12m", "purchases.category..last_12m", "purchases.category.last_12m",
                    "days_since_last_purchase.category.", "days_since_last_purchase.garden", "complaint.closed"}) {
    INFO(name);
    CHECK_FALSE(node::isFactName(name));
    CHECK_THAT(node::factValue(node::HistoryFacts{}, name).reason, Catch::StartsWith("not a fact name"));
  }
}
