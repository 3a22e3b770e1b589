// What the marketer is shown of a finished match (see match-release.h).
#include "node/match/match-release.h"

#include "node/marketing/released-counts.h"
#include "node/match/release-guards.h"

#include <fmt/core.h>

#include <algorithm>

namespace entente::node {

Release decideRelease(const QueryPlan& plan, const SessionReport& report, const MatchSelection& selection,
                      const std::string& peer, const std::string& purpose, uint64_t ourMinimum, int64_t now) {
  Release r;
  r.plan = plan;
  // The stricter of our minimum and the partner's: the partner's protects its
  // customers, ours what we show of the answers.
  r.minGroupSize = std::max(ourMinimum, report.partnerMinGroupSize);
  r.released = releaseQuery(plan, report.outcome, selection.snapshot(), now, r.minGroupSize, secureRandom64);
  r.withheld = r.released.total.suppressed;
  if (!r.withheld && plan.epsilon <= 0) {
    r.differencedWith = differencedSession(selection.snapshot(), selection.readKeys(), peer, purpose,
                                           r.released.total.shown, r.minGroupSize, now);
    r.withheld = !r.differencedWith.empty();
  }
  r.shown = !r.differencedWith.empty() ? "withheld (differs from session " + r.differencedWith + " by < " +
                                             thousands(r.minGroupSize) + ")"
             : r.withheld              ? "< " + thousands(r.minGroupSize)
                                       : thousands(r.released.total.shown);
  if (plan.epsilon > 0 && !r.withheld) r.shown += fmt::format(" (noise epsilon {:.3g})", plan.epsilon);
  return r;
}

}  // namespace entente::node
