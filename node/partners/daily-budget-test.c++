// Unit tests of a partner's daily budget, across the end of a UTC day: what is spent
// today is refused until the next day, and only until then.

#include "node/partners/daily-budget.h"

#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

namespace entente::node {
namespace {

constexpr int64_t kLastSecondOfDay = 1796428799;  // 2026-12-04T23:59:59Z
constexpr int64_t kMidnight = kLastSecondOfDay + 1;

struct Partner {
  testing::TempDir dir;
  storage::Environment env{dir.path(), true};
  storage::PeerEntry peer;

  Partner(uint32_t sessionsPerDay, uint64_t customersPerDay) {
    peer.name = "travel";
    peer.policy.sessionsPerDay = sessionsPerDay;
    peer.policy.customersPerDay = customersPerDay;
  }
  std::optional<std::string> refusal(uint64_t customers, int64_t now) {
    storage::Transaction txn(env, storage::Transaction::Mode::READ);
    return DailyBudget::refusal(txn, peer, customers, now, "boats");
  }
  void charge(uint64_t customers, int64_t now) {
    storage::Transaction txn(env, storage::Transaction::Mode::WRITE);
    DailyBudget::charge(txn, peer.name, customers, now);
    txn.commit();
  }
};

TEST_CASE("a partner whose sessions of the day are spent is refused until the next UTC day") {
  Partner partner(2, 1'000'000);
  partner.charge(10, kLastSecondOfDay - 3600);
  CHECK_FALSE(partner.refusal(10, kLastSecondOfDay));
  partner.charge(10, kLastSecondOfDay);
  auto refused = partner.refusal(10, kLastSecondOfDay);
  REQUIRE(refused);
  CHECK_THAT(*refused, Catch::Contains("2 sessions per day") && Catch::Contains("try again tomorrow (UTC)"));
  // One second later it is another day, with a budget of its own.
  CHECK_FALSE(partner.refusal(10, kMidnight));
  partner.charge(10, kMidnight);
  storage::Transaction txn(partner.env, storage::Transaction::Mode::READ);
  CHECK(DailyBudget::usedOn(txn, "travel", kMidnight).sessions == 1);
  CHECK(DailyBudget::usedOn(txn, "travel", kLastSecondOfDay).sessions == 2);
}

TEST_CASE("a query that would pass the day's customers is refused, and fits again the next day") {
  Partner partner(100, 1000);
  partner.charge(900, kLastSecondOfDay);
  CHECK_FALSE(partner.refusal(100, kLastSecondOfDay));
  auto refused = partner.refusal(101, kLastSecondOfDay);
  REQUIRE(refused);
  CHECK_THAT(*refused, Catch::Contains("1000 customers per day; 900 are used today"));
  CHECK_FALSE(partner.refusal(1000, kMidnight));
}

}  // namespace
}  // namespace entente::node
