// Turns a finished session's outcome into what the marketer sees: the overlap and the
// breakdown table, released at the minimum group size with optional noise
// (node/marketing/released-counts.h), and the campaign columns of each matched
// customer. Reads the requester's own customers from the session's snapshot.
#pragma once

#include "node/marketing/query-plan.h"
#include "node/marketing/released-counts.h"
#include "protocol/session-terms.h"
#include "storage/environment.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace entente::node {

struct ReleasedQuery {
  uint64_t minGroupSize = 0;
  ReleasedTotal total;
  std::vector<ReleasedCell> cells;  // with `by`
};

ReleasedQuery releaseQuery(const QueryPlan& plan, const protocol::MatchOutcome& outcome,
                           const storage::Transaction& snapshot, int64_t nowUnix, uint64_t minGroupSize,
                           const std::function<uint64_t()>& random64);

// The campaign columns of one matched customer, in the plan's order: our values, and
// "theirs:NAME" from what the partner sealed for it. Absent values are empty.
std::vector<std::pair<std::string, std::string>> campaignFields(const QueryPlan& plan,
                                                                const protocol::MatchedGroup& matched,
                                                                const storage::Transaction& snapshot,
                                                                int64_t nowUnix);

// The value shown for a customer without the column, in tables.
inline constexpr const char* kNoValue = "(none)";

}  // namespace entente::node
