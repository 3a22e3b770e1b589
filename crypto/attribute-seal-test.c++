#include "crypto/attribute-seal.h"

#include <catch2/catch.hpp>

using namespace entente::crypto;

namespace {

Point pointOf(uint8_t seed) {
  HashDomain domain("test");
  return hashToGroup(domain, IdentifierKind::EMAIL, std::string(1, static_cast<char>('a' + seed)) + "@example.org");
}

}  // namespace

TEST_CASE("a sealed attribute record opens with its own point's key and no other") {
  std::vector<std::optional<std::string>> values = {"boat-owner", std::nullopt, "40-70k"};
  std::vector<uint8_t> sealed;
  sealAttributes(sealKeyOf(pointOf(1)), values, sealed);
  REQUIRE(sealed.size() == sealedBytes(3));
  auto opened = openAttributes(sealKeyOf(pointOf(1)), sealed, 3);
  REQUIRE(opened);
  CHECK(*opened == values);
  CHECK_FALSE(openAttributes(sealKeyOf(pointOf(2)), sealed, 3));
  sealed[30] ^= 1;
  CHECK_FALSE(openAttributes(sealKeyOf(pointOf(1)), sealed, 3));
}

TEST_CASE("sealed records have one length whatever they hold, and never repeat") {
  std::vector<std::optional<std::string>> shortValues = {"a", std::nullopt};
  std::vector<std::optional<std::string>> longValues = {std::string(63, 'x'), std::string(40, 'y')};
  std::vector<uint8_t> a, b, c;
  sealAttributes(sealKeyOf(pointOf(3)), shortValues, a);
  sealAttributes(sealKeyOf(pointOf(3)), longValues, b);
  sealAttributes(sealKeyOf(pointOf(3)), shortValues, c);
  CHECK(a.size() == b.size());
  CHECK(a != c);  // a fresh nonce each time: the same values under the same key differ
}

TEST_CASE("a value longer than a slot is sealed as absent, not cut") {
  std::vector<std::optional<std::string>> values = {std::string(64, 'z')};
  std::vector<uint8_t> sealed;
  sealAttributes(sealKeyOf(pointOf(4)), values, sealed);
  auto opened = openAttributes(sealKeyOf(pointOf(4)), sealed, 1);
  REQUIRE(opened);
  CHECK_FALSE((*opened)[0].has_value());
  CHECK_THROWS(openAttributes(sealKeyOf(pointOf(4)), std::span<const uint8_t>(sealed).first(10), 1));
}

TEST_CASE("the seal key is not the tag of the same point") {
  auto p = pointOf(5);
  auto key = sealKeyOf(p);
  auto tag = tagOf(p, 16);
  CHECK_FALSE(std::equal(tag.begin(), tag.end(), key.begin()));
}
