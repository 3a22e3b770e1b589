#include "storage/identifier-runs.h"

#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace entente::storage;
using entente::testing::TempDir;

namespace {

using Pair = std::pair<std::string, uint64_t>;

std::vector<Pair> pairsOf(const SortedRun& run) {
  std::vector<Pair> pairs;
  for (size_t i = 0; i < run.size(); ++i) pairs.emplace_back(std::string(run[i].identifier), run[i].customerKey);
  return pairs;
}

size_t filesIn(const std::filesystem::path& dir) {
  return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

}  // namespace

TEST_CASE("a sorted run orders identifiers by their bytes, then by customer key") {
  SortedRun run;
  // Heads of 16 bytes that tie (a shorter identifier padded with zeros), a kind byte
  // that decides, the same identifier for two customers added out of key order.
  run.add(9, 0, "same-first-16-by-b");
  run.add(4, 0, "same-first-16-by");
  run.add(7, 0, "same-first-16-by-a");
  run.add(3, 1, "a");
  run.add(8, 0, "z@example.fr");
  run.add(2, 0, "z@example.fr");
  run.add(5, 0, std::string("nul\0inside", 10));
  run.sort();
  std::vector<Pair> expected = {
      {std::string("\0nul\0inside", 11), 5}, {std::string(1, '\0') + "same-first-16-by", 4},
      {std::string(1, '\0') + "same-first-16-by-a", 7}, {std::string(1, '\0') + "same-first-16-by-b", 9},
      {std::string(1, '\0') + "z@example.fr", 2}, {std::string(1, '\0') + "z@example.fr", 8},
      {"\1a", 3},
  };
  CHECK(pairsOf(run) == expected);
  run.clear();
  CHECK(run.size() == 0);
}

TEST_CASE("spilled runs merge back into the order of one sort, and leave no file behind") {
  TempDir dir;
  std::mt19937_64 random(7);
  std::vector<Pair> all;
  std::vector<SortedRun> runs(6);
  for (size_t r = 0; r < runs.size(); ++r) {
    // Run sizes from 0 to 100,000 entries (the largest sorted on every core and larger
    // than a read buffer); identifiers of 1 to 511 bytes, some held by several customers.
    size_t size = r == 2 ? 0 : r == 4 ? 100000 : 1 + random() % 5000;
    for (size_t i = 0; i < size; ++i) {
      uint64_t key = random();
      size_t length = i % 1000 == 0 ? 510 : random() % 24;
      std::string value(length, 'x');
      for (auto& c : value) c = static_cast<char>('a' + random() % 3);
      auto kind = static_cast<uint8_t>(random() % 3);
      runs[r].add(key, kind, value);
      all.emplace_back(std::string(1, static_cast<char>(kind)) + value, key);
    }
    runs[r].sort();
  }
  std::ranges::sort(all);
  std::vector<Pair> merged;
  {
    SpilledRuns spilled(dir.path());
    for (auto& run : runs) spilled.write(run);
    CHECK(spilled.runs() == runs.size());
    // The file has no name, even while it is in use.
    CHECK(filesIn(dir.path()) == 0);
    spilled.merge([&](IndexEntry e) { merged.emplace_back(std::string(e.identifier), e.customerKey); });
  }
  CHECK(merged.size() == all.size());
  CHECK(merged == all);
  CHECK(filesIn(dir.path()) == 0);
}

TEST_CASE("spilled runs report a directory they cannot write in, naming it") {
  TempDir dir;
  auto missing = dir.path() / "no-such-directory";
  CHECK_THROWS_WITH(SpilledRuns(missing), Catch::Contains(missing.string()) && Catch::Contains("may write there"));
}
