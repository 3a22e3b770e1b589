// Unit tests of the identifier kinds: their names are part of the hash domain and of
// the command line, so each must round-trip and nothing else may parse.

#include "crypto/identifier-kind.h"

#include <catch2/catch.hpp>

namespace entente::crypto {
namespace {

TEST_CASE("every identifier kind has a name that parses back to it") {
  for (IdentifierKind kind : kAllIdentifierKinds) {
    auto parsed = parseKind(kindName(kind));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == kind);
  }
  CHECK(kindName(IdentifierKind::EMAIL) == "email");
  CHECK(kindName(IdentifierKind::PHONE) == "phone");
  CHECK(kindName(IdentifierKind::NAME_DOB_POSTAL) == "name_dob_postal");
}

TEST_CASE("an unknown kind name does not parse") {
  CHECK_FALSE(parseKind("").has_value());
  CHECK_FALSE(parseKind("Email").has_value());
  CHECK_FALSE(parseKind("name-dob-postal").has_value());
  CHECK_FALSE(parseKind("ssn").has_value());
}

}  // namespace
}  // namespace entente::crypto
