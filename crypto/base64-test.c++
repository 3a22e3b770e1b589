#include "crypto/base64.h"

#include <catch2/catch.hpp>

#include <array>

using namespace entente::crypto;

TEST_CASE("URL-safe base64 round-trips and rejects other alphabets") {
  std::basic_string<uint8_t> bytes = {0, 1, 2, 250, 251, 252, 253, 254, 255};
  auto text = toBase64Url(bytes);
  CHECK(text.find_first_of("+/=") == std::string::npos);
  std::basic_string<uint8_t> back;
  REQUIRE(fromBase64Url(text, back));
  CHECK(back == bytes);
  CHECK_FALSE(fromBase64Url("not base64!", back));
  CHECK_FALSE(fromBase64Url("ab+/", back));
}

TEST_CASE("base64 appended in place follows what the string held and matches the plain encoding") {
  std::array<uint8_t, 32> seed{};
  for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(0xf0 + i);
  std::string text = "seed ";
  appendBase64Url(text, seed);
  CHECK(text == "seed " + toBase64Url({seed.data(), seed.size()}));
  CHECK(text.size() == 5 + 43);
}

TEST_CASE("base64 decoded into a buffer reports its length and refuses text that does not fit") {
  std::array<uint8_t, 4> bytes = {1, 2, 3, 4};
  std::string text = toBase64Url({bytes.data(), bytes.size()});
  std::array<uint8_t, 4> exact{};
  CHECK(decodeBase64Url(text, exact) == 4u);
  CHECK(exact == bytes);
  std::array<uint8_t, 8> larger{};
  CHECK(decodeBase64Url(text, larger) == 4u);
  std::array<uint8_t, 3> smaller{};
  CHECK_FALSE(decodeBase64Url(text, smaller).has_value());
  CHECK_FALSE(decodeBase64Url(text + "!", larger).has_value());
}
