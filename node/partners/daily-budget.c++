#include "node/partners/daily-budget.h"

#include "text/utc-time.h"

namespace entente::node {

std::optional<std::string> DailyBudget::refusal(const storage::Transaction& txn, const storage::PeerEntry& peer,
                                                uint64_t customers, int64_t nowUnix, const std::string& nodeName) {
  const auto& policy = peer.policy;
  auto used = usedOn(txn, peer.name, nowUnix);
  if (used.sessions >= policy.sessionsPerDay) {
    return "node '" + nodeName + "' allows this partner " + std::to_string(policy.sessionsPerDay) +
           " sessions per day and today's are spent; try again tomorrow (UTC)";
  }
  if (used.customers + customers > policy.customersPerDay) {
    return "node '" + nodeName + "' allows this partner " + std::to_string(policy.customersPerDay) +
           " customers per day; " + std::to_string(used.customers) + " are used today and this query has " +
           std::to_string(customers);
  }
  return std::nullopt;
}

void DailyBudget::charge(storage::Transaction& txn, const std::string& peer, uint64_t customers, int64_t nowUnix) {
  storage::PeerStore::addUsage(txn, peer, text::utcDayKey(nowUnix), customers);
}

storage::DailyUsage DailyBudget::usedOn(const storage::Transaction& txn, const std::string& peer, int64_t nowUnix) {
  return storage::PeerStore::usage(txn, peer, text::utcDayKey(nowUnix));
}

}  // namespace entente::node
