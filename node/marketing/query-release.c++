#include "node/marketing/query-release.h"

#include "node/marketing/customer-columns.h"
#include "storage/customer-store.h"

#include <algorithm>
#include <map>

namespace entente::node {
namespace {

std::optional<std::string> theirValue(const QueryPlan& plan, const protocol::MatchedGroup& matched,
                                      const std::string& name) {
  auto at = std::find(plan.attributes.begin(), plan.attributes.end(), name);
  size_t i = static_cast<size_t>(at - plan.attributes.begin());
  if (at == plan.attributes.end() || i >= matched.attributes.size()) return std::nullopt;
  return matched.attributes[i];
}

}  // namespace

ReleasedQuery releaseQuery(const QueryPlan& plan, const protocol::MatchOutcome& outcome,
                           const storage::Transaction& snapshot, int64_t nowUnix, uint64_t minGroupSize,
                           const std::function<uint64_t()>& random64) {
  ReleasedQuery released;
  released.minGroupSize = minGroupSize;
  if (plan.by.empty()) {
    released.total = releaseTotal(outcome.overlap, minGroupSize, plan.epsilon, random64);
    return released;
  }
  std::map<std::vector<std::string>, uint64_t> tally;
  for (const auto& m : outcome.matched) {
    auto record = storage::CustomerStore::read(snapshot, m.customerKey);
    CustomerColumns columns(snapshot, m.customerKey, record.get(), nowUnix);
    std::vector<std::string> key;
    for (const auto& b : plan.by) {
      auto v = b.theirs ? theirValue(plan, m, b.name) : columns.value(b.name, /*forTargeting=*/true);
      key.push_back(v ? *v : kNoValue);
    }
    ++tally[key];
  }
  for (auto& [values, count] : tally) released.cells.push_back({values, count, 0, 0, false});
  releaseCells(released.cells, minGroupSize, plan.epsilon, random64);
  // The total is the sum of the cells as drawn (hidden ones included): with noise it
  // adds no draw of its own, so the query costs epsilon once; without, it is the
  // overlap. The hidden cells add up to at least k, so the total gives away no group
  // below k.
  uint64_t sum = 0;
  for (auto& c : released.cells) sum += c.drawn;
  released.total = {sum, sum < minGroupSize};
  if (released.total.suppressed) {
    released.total.shown = 0;
    released.cells.clear();  // below k altogether: no table either
  }
  return released;
}

std::vector<std::pair<std::string, std::string>> campaignFields(const QueryPlan& plan,
                                                                const protocol::MatchedGroup& matched,
                                                                const storage::Transaction& snapshot,
                                                                int64_t nowUnix) {
  std::vector<std::pair<std::string, std::string>> fields;
  auto record = storage::CustomerStore::read(snapshot, matched.customerKey);
  CustomerColumns columns(snapshot, matched.customerKey, record.get(), nowUnix);
  for (const auto& c : plan.columns) {
    auto v = c.theirs ? theirValue(plan, matched, c.name) : columns.value(c.name, /*forTargeting=*/false);
    fields.emplace_back(c.text, v ? *v : "");
  }
  return fields;
}

}  // namespace entente::node
