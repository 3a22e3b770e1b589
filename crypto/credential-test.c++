#include "crypto/credential.h"

#include <catch2/catch.hpp>

using namespace entente::crypto;

TEST_CASE("a new secret carries its prefix and 256 random bits") {
  auto a = newSecret("ent_"), b = newSecret("ent_");
  CHECK(a.rfind("ent_", 0) == 0);
  CHECK(a.size() == 4 + 43);
  CHECK(a != b);
}

TEST_CASE("a secret's hash is stable, differs between secrets and does not contain it") {
  auto secret = newSecret("ent_");
  CHECK(sameHash(hashSecret(secret), hashSecret(secret)));
  CHECK_FALSE(sameHash(hashSecret(secret), hashSecret(secret + "x")));
  auto hash = hashSecret(secret);
  CHECK(std::string(hash.begin(), hash.end()).find(secret.substr(4, 8)) == std::string::npos);
}
