#include "crypto/credential.h"
#include "crypto/hash.h"

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

TEST_CASE("BLAKE2b-256 fed in parts, or from a copy after a common prefix, equals the hash of the whole") {
  using entente::crypto::Blake2b256;
  using entente::crypto::blake2b256;
  Blake2b256 prefix;
  prefix.update("settings|");
  auto first = prefix, second = prefix;
  first.update("row one");
  second.update("row ");
  second.update("two");
  CHECK(first.finish() == blake2b256(std::string_view("settings|row one")));
  CHECK(second.finish() == blake2b256(std::string_view("settings|row two")));
  CHECK(Blake2b256().finish() == blake2b256(std::string_view()));
}
