#include "crypto/random.h"

#include <catch2/catch.hpp>

#include <array>
#include <vector>

using entente::crypto::RandomStream;

TEST_CASE("a random stream draws every value below its bound, evenly") {
  RandomStream stream;
  CHECK(stream.below(0) == 0);
  CHECK(stream.below(1) == 0);
  // 60,000 draws of a die: each face 10,000 times expected; chi-square with 5
  // degrees of freedom stays below 25 (p < 0.0002) unless the draws are skewed.
  std::array<int, 6> faces{};
  for (int i = 0; i < 60000; ++i) {
    uint32_t face = stream.below(6);
    REQUIRE(face < 6);
    ++faces[face];
  }
  double chi = 0;
  for (int n : faces) chi += (n - 10000.0) * (n - 10000.0) / 10000.0;
  CHECK(chi < 25.0);
  // A bound just above 2^31, where a plain modulo would favour the low half.
  const uint32_t bound = 0x80000001u;
  int low = 0;
  for (int i = 0; i < 20000; ++i) low += stream.below(bound) < bound / 2 ? 1 : 0;
  CHECK(low > 9400);
  CHECK(low < 10600);
}

TEST_CASE("two random streams draw different sequences") {
  RandomStream a, b;
  std::vector<uint32_t> fromA, fromB;
  for (int i = 0; i < 600; ++i) {  // past one block of keystream
    fromA.push_back(a.below(1u << 31));
    fromB.push_back(b.below(1u << 31));
  }
  CHECK(fromA != fromB);
  // Not one block repeated: the second block differs from the first.
  CHECK(std::vector<uint32_t>(fromA.begin(), fromA.begin() + 200) !=
        std::vector<uint32_t>(fromA.begin() + 256, fromA.begin() + 456));
}
