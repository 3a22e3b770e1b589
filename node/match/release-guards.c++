#include "node/match/release-guards.h"

#include "node/server/node-context.h"
#include "storage/participation-store.h"
#include "storage/privacy-budget.h"
#include "text/number-text.h"

#include <fmt/core.h>

#include <algorithm>

namespace entente::node {

std::string differencedSession(const storage::Transaction& txn, std::vector<uint64_t> ours, const std::string& peer,
                               const std::string& purpose, uint64_t shown, uint64_t k, int64_t now) {
  std::sort(ours.begin(), ours.end());
  ours.erase(std::unique(ours.begin(), ours.end()), ours.end());
  for (const auto& earlier : storage::ParticipationStore::exactReleases(txn, now - kGuardWindowSeconds, peer, purpose)) {
    const auto& theirs = earlier.offered;
    bool nested = std::includes(theirs.begin(), theirs.end(), ours.begin(), ours.end()) ||
                  std::includes(ours.begin(), ours.end(), theirs.begin(), theirs.end());
    if (!nested) continue;
    uint64_t difference = shown > earlier.released ? shown - earlier.released : earlier.released - shown;
    if (difference > 0 && difference < k) return earlier.sessionId;
  }
  return {};
}

void checkBudget(const storage::Transaction& txn, const std::string& peer, const std::string& purpose,
                 double epsilon, double budget, int64_t now, const std::string& whose) {
  auto month = storage::utcMonth(now);
  auto used = storage::PrivacyBudget::used(txn, peer, purpose, month);
  if (used.spent + epsilon > budget + 1e-9) {
    std::string raise = whose == "this node"
                            ? "an administrator may raise it with `entente peer policy " + peer + " --monthly-epsilon E`"
                            : "only " + whose + " can raise it";
    failWith(fmt::format("the privacy budget for peer '{}' and purpose '{}' in {} is spent ({:.3g} of {:.3g} epsilon, "
                         "set by {}): a query with --noise {:.3g} is refused until the month turns (UTC); run it "
                         "without --noise, or wait; {}",
                         peer, purpose, month, used.spent, budget, whose, epsilon, raise));
  }
}

std::string thousands(uint64_t n) { return text::thousands(n); }

}  // namespace entente::node
