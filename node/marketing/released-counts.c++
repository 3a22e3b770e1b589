#include "node/marketing/released-counts.h"

#include "crypto/random.h"

#include <algorithm>
#include <cmath>

namespace entente::node {
namespace {

// A uniform double in (0, 1]: 53 random bits, never zero, so that its log is finite.
double uniformOpen(const std::function<uint64_t()>& random64) {
  return (static_cast<double>(random64() >> 11) + 1.0) / 9007199254740992.0;
}

// Failures before the first success of trials that succeed with 1 - alpha.
int64_t geometric(double logAlpha, const std::function<uint64_t()>& random64) {
  return static_cast<int64_t>(std::floor(std::log(uniformOpen(random64)) / logAlpha));
}

uint64_t noisy(uint64_t count, double epsilon, const std::function<uint64_t()>& random64) {
  if (epsilon <= 0) return count;
  int64_t value = static_cast<int64_t>(count) + discreteLaplace(epsilon, random64);
  return value < 0 ? 0 : static_cast<uint64_t>(value);
}

}  // namespace

int64_t discreteLaplace(double epsilon, const std::function<uint64_t()>& random64) {
  // The difference of two independent geometric draws with parameter alpha =
  // exp(-epsilon) is two-sided geometric: P(x) = (1-alpha)/(1+alpha) * alpha^|x|.
  double logAlpha = -epsilon;
  return geometric(logAlpha, random64) - geometric(logAlpha, random64);
}

uint64_t secureRandom64() {
  uint64_t value = 0;
  crypto::randomBytes({reinterpret_cast<uint8_t*>(&value), sizeof value});
  return value;
}

void releaseCells(std::vector<ReleasedCell>& cells, uint64_t k, double epsilon,
                  const std::function<uint64_t()>& random64) {
  for (auto& c : cells) {
    c.drawn = noisy(c.trueCount, epsilon, random64);
    c.shown = c.drawn;
    // With noise the threshold applies to the noisy count, as released; without, to
    // the true one (they are equal).
    c.suppressed = c.shown < k;
  }
  // Complementary suppression: the hidden cells must add up to k or more (or to
  // nothing), judged on what is shown, since the total shown is the sum a reader
  // would subtract from.
  auto hiddenSum = [&] {
    uint64_t sum = 0;
    for (auto& c : cells) sum += c.suppressed ? c.shown : 0;
    return sum;
  };
  auto anyHidden = [&] { return std::any_of(cells.begin(), cells.end(), [](auto& c) { return c.suppressed; }); };
  while (anyHidden() && hiddenSum() < k) {
    auto next = std::min_element(cells.begin(), cells.end(), [](const ReleasedCell& a, const ReleasedCell& b) {
      if (a.suppressed != b.suppressed) return !a.suppressed;
      return a.shown < b.shown;
    });
    if (next == cells.end() || next->suppressed) break;  // everything is hidden
    next->suppressed = true;
  }
  std::stable_sort(cells.begin(), cells.end(), [](const ReleasedCell& a, const ReleasedCell& b) {
    if (a.suppressed != b.suppressed) return !a.suppressed;
    if (a.shown != b.shown) return a.shown > b.shown;
    return a.values < b.values;
  });
  for (auto& c : cells) {
    if (c.suppressed) c.shown = 0;
  }
}

ReleasedTotal releaseTotal(uint64_t trueCount, uint64_t k, double epsilon, const std::function<uint64_t()>& random64) {
  ReleasedTotal total;
  total.shown = noisy(trueCount, epsilon, random64);
  total.suppressed = total.shown < k;
  if (total.suppressed) total.shown = 0;
  return total;
}

}  // namespace entente::node
