// What a marketer is shown of a match's counts: the overlap and, with `--by`, a table
// of overlap counts per value, each released only at or above the minimum group size
// k (the stricter of our policy's and the partner's), optionally with noise.
//
// Suppression follows the aggregation threshold of data clean rooms (AWS Clean Rooms,
// for one): a group below k shows as "< k". Since the total is shown, one hidden
// group could be recovered as the total less the others; so whenever the hidden
// groups add up to fewer than k customers, the next smallest groups are hidden too
// until they add up to k or more (complementary suppression, as statistical offices
// do for published tables). No single table then pins down a group below k.
//
// Noise (`--noise EPSILON`) adds discrete Laplace noise to every count released,
// the two-sided geometric distribution with P(x) proportional to exp(-EPSILON·|x|):
// one customer changes each table by at most one in one cell (the groups are
// disjoint), so a whole query is EPSILON-differentially private for the partner's
// customers, and its cost against the month's budget is EPSILON. docs/privacy.md says
// whom that protects and whom it cannot.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace entente::node {

struct ReleasedCell {
  std::vector<std::string> values;  // one per --by
  uint64_t trueCount = 0;           // never leaves the node
  uint64_t drawn = 0;               // with noise added (equal to trueCount without)
  uint64_t shown = 0;               // what the marketer sees: drawn, or 0 when hidden
  bool suppressed = false;
};

// A draw of the two-sided geometric distribution with parameter exp(-epsilon); the
// source of uniform 64-bit words is a parameter so that tests can fix it.
int64_t discreteLaplace(double epsilon, const std::function<uint64_t()>& random64);
// libsodium's generator (crypto/random.h).
uint64_t secureRandom64();

// Adds noise (epsilon > 0) to each cell and to the overlap, clamped at zero, then
// hides cells below k and complements them. Cells come back sorted by shown count,
// largest first, hidden ones last.
void releaseCells(std::vector<ReleasedCell>& cells, uint64_t k, double epsilon,
                  const std::function<uint64_t()>& random64);

// The overlap as released: noisy with epsilon > 0, and whether it is below k.
struct ReleasedTotal {
  uint64_t shown = 0;
  bool suppressed = false;
};
ReleasedTotal releaseTotal(uint64_t trueCount, uint64_t k, double epsilon, const std::function<uint64_t()>& random64);

}  // namespace entente::node
