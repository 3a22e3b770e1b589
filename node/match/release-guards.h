// The guards a requester applies before it shows a count (docs/privacy.md): the
// month's privacy budget for noisy queries, and the differencing guard against two
// exact counts over nested sets of our customers.
#pragma once

#include "storage/environment.h"

#include <cstdint>
#include <string>
#include <vector>

namespace entente::node {

// How far back the differencing guard looks.
inline constexpr int64_t kGuardWindowSeconds = 365 * 24 * 3600;

// The differencing guard: an exact overlap c over our set F (`keys`), and an earlier
// exact overlap c' over a set A with F inside A (or A inside F), for the same partner
// and purpose, reveal |c - c'| customers of A \ F (or F \ A) shared with the partner.
// When that is more than 0 and less than k it is a group the minimum exists to hide,
// so the newer count is withheld. Returns the earlier session's id, or empty.
std::string differencedSession(const storage::Transaction& txn, std::vector<uint64_t> keys, const std::string& peer,
                               const std::string& purpose, uint64_t shown, uint64_t k, int64_t now);

// Fails (failWith) when a noisy query of `epsilon` would take this partner's and
// purpose's spend this month above `budget`, saying when it turns; `whose` budget it
// is ("this node", "peer 'travel'") goes in the message.
void checkBudget(const storage::Transaction& txn, const std::string& peer, const std::string& purpose,
                 double epsilon, double budget, int64_t now, const std::string& whose);

// "1,234,567", for counts in messages and histories.
std::string thousands(uint64_t n);

}  // namespace entente::node
