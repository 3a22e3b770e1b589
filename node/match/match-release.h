// What the marketer is shown of a finished match, decided once the session is over:
// the overlap and its breakdowns as the release rules allow (node/marketing/
// query-release.h), under the stricter of our minimum group size and the partner's,
// and withheld when the differencing guard (release-guards.h) finds an earlier exact
// count over a nested set of our customers that differs from this one by fewer than k.
#pragma once

#include "node/marketing/query-plan.h"
#include "node/marketing/query-release.h"
#include "node/match/match-driver.h"
#include "node/match/match-selection.h"

#include <cstdint>
#include <string>

namespace entente::node {

struct Release {
  QueryPlan plan;
  uint64_t minGroupSize = 0;
  ReleasedQuery released;
  bool withheld = false;  // the overlap is below the minimum group size: nothing shown
  std::string shown;      // the overlap as shown, for the saved query's history
  // Withheld because an earlier exact count over a nested set of our customers differs
  // from this one by fewer than k: the two together would reveal a small group.
  std::string differencedWith;
};

// `selection` is the session's: its snapshot reads the customers' segments and the
// earlier releases, its keys are the set the count was over.
Release decideRelease(const QueryPlan& plan, const SessionReport& report, const MatchSelection& selection,
                      const std::string& peer, const std::string& purpose, uint64_t ourMinimum, int64_t now);

}  // namespace entente::node
