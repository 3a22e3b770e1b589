#include "storage/credential-store.h"

#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

using namespace entente::storage;
using entente::testing::TempDir;

TEST_CASE("a token is found by the hash of its secret and revoked by name") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  TokenStore::put(txn, bytesOf("hash-one"), {"ana", "marketer", 1, false});
  TokenStore::put(txn, bytesOf("hash-two"), {"ana", "marketer", 2, false});
  TokenStore::put(txn, bytesOf("hash-three"), {"ben", "admin", 3, false});
  CHECK(TokenStore::find(txn, bytesOf("hash-one"))->role == "marketer");
  CHECK_FALSE(TokenStore::find(txn, bytesOf("unknown")));
  CHECK(TokenStore::revokeByName(txn, "ana") == 2);
  CHECK(TokenStore::find(txn, bytesOf("hash-two"))->revoked);
  CHECK_FALSE(TokenStore::find(txn, bytesOf("hash-three"))->revoked);
  CHECK(TokenStore::list(txn).size() == 3);
}

TEST_CASE("an invitation records its purposes, expiry and who used it") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  InvitationStore::put(txn, bytesOf("secret-hash"), {{"overlap-analysis", "cross-selling"}, 10, 20, ""});
  auto found = InvitationStore::find(txn, bytesOf("secret-hash"));
  REQUIRE(found);
  CHECK(found->purposes.size() == 2);
  CHECK(found->expiresAtUnix == 20);
  CHECK(found->usedBy.empty());
  found->usedBy = "travel";
  InvitationStore::put(txn, bytesOf("secret-hash"), *found);
  CHECK(InvitationStore::find(txn, bytesOf("secret-hash"))->usedBy == "travel");
}
