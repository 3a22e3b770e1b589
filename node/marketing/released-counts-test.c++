#include "node/marketing/released-counts.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <random>

using namespace entente::node;

namespace {

std::function<uint64_t()> seeded(uint64_t seed) {
  auto engine = std::make_shared<std::mt19937_64>(seed);
  return [engine] { return (*engine)(); };
}

uint64_t shownSum(const std::vector<ReleasedCell>& cells) {
  uint64_t sum = 0;
  for (auto& c : cells) sum += c.shown;
  return sum;
}

}  // namespace

TEST_CASE("groups below the minimum are hidden, and one hidden group is never alone") {
  // True counts: 40, 25, 3. k = 10: the 3 is hidden; alone it could be recovered as
  // 68 - 40 - 25, so the next smallest (25) is hidden with it.
  std::vector<ReleasedCell> cells = {{{"boat-owner"}, 40}, {{"charter"}, 25}, {{"family"}, 3}};
  releaseCells(cells, 10, 0, seeded(1));
  REQUIRE(cells.size() == 3);
  CHECK(cells[0].values[0] == "boat-owner");
  CHECK(cells[0].shown == 40);
  CHECK_FALSE(cells[0].suppressed);
  CHECK(cells[1].suppressed);
  CHECK(cells[2].suppressed);
  CHECK(cells[1].shown == 0);
  // What a reader can subtract, total less shown, is at least k.
  CHECK(68 - shownSum(cells) >= 10);
}

TEST_CASE("hidden groups that add up to the minimum need no further hiding") {
  std::vector<ReleasedCell> cells = {{{"a"}, 50}, {{"b"}, 6}, {{"c"}, 7}, {{"d"}, 30}};
  releaseCells(cells, 10, 0, seeded(1));
  uint64_t hidden = 0;
  for (auto& c : cells) hidden += c.suppressed ? 1 : 0;
  CHECK(hidden == 2);  // 6 + 7 = 13 >= 10
  CHECK(shownSum(cells) == 80);
}

TEST_CASE("no table of any counts lets the total minus the shown cells fall strictly between 0 and k") {
  auto random = seeded(7);
  std::mt19937_64 pick(3);
  for (int round = 0; round < 2000; ++round) {
    std::vector<ReleasedCell> cells;
    uint64_t total = 0;
    int n = 1 + static_cast<int>(pick() % 6);
    for (int i = 0; i < n; ++i) {
      uint64_t count = 1 + pick() % 30;
      total += count;
      cells.push_back({{std::to_string(i)}, count});
    }
    uint64_t k = 2 + pick() % 15;
    releaseCells(cells, k, 0, random);
    uint64_t rest = total - shownSum(cells);
    INFO("round " << round << ", total " << total << ", k " << k);
    // A total below k is itself withheld (releaseTotal); otherwise what is hidden adds
    // up to nothing or to k or more.
    if (total >= k) CHECK((rest == 0 || rest >= k));
    for (auto& c : cells) CHECK((c.suppressed || c.shown >= k));
  }
}

TEST_CASE("discrete Laplace noise has the spread its epsilon sets and no bias") {
  auto random = seeded(11);
  for (double epsilon : {0.5, 1.0, 2.0}) {
    const int n = 200000;
    double sum = 0, absSum = 0;
    for (int i = 0; i < n; ++i) {
      auto x = static_cast<double>(discreteLaplace(epsilon, random));
      sum += x;
      absSum += std::abs(x);
    }
    // E|X| = 2a / (1 - a^2) for a = exp(-epsilon).
    double a = std::exp(-epsilon);
    double expected = 2 * a / (1 - a * a);
    INFO("epsilon " << epsilon);
    CHECK(std::abs(sum / n) < 0.05 * (1 + expected));
    CHECK(std::abs(absSum / n - expected) < 0.03 * expected + 0.01);
  }
}

TEST_CASE("noisy counts are released noisy, never below zero, and the threshold applies to what is shown") {
  auto random = seeded(5);
  bool differed = false;
  for (int i = 0; i < 200; ++i) {
    auto total = releaseTotal(100, 10, 0.5, random);
    CHECK_FALSE(total.suppressed);
    if (total.shown != 100) differed = true;
    auto small = releaseTotal(0, 10, 0.5, random);
    CHECK(small.suppressed == (small.shown == 0));
    CHECK((small.suppressed || small.shown >= 10));
  }
  CHECK(differed);
  CHECK(releaseTotal(100, 10, 0, random).shown == 100);
  CHECK(releaseTotal(9, 10, 0, random).suppressed);
}
