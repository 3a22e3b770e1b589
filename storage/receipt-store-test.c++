// Unit tests of the receipt store: receipts read back as stored, by session and role.

#include "storage/receipt-store.h"

#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

namespace entente::storage {
namespace {

TEST_CASE("a stored receipt reads back by session and role, and in the list") {
  testing::TempDir dir;
  Environment env(dir.path(), true);
  std::string signature(64, '\x07');
  {
    Transaction txn(env, Transaction::Mode::WRITE);
    ReceiptStore::put(txn, {"00ff", "requester", "entente-receipt-v1\nsession=00ff\n", signature});
    ReceiptStore::put(txn, {"00aa", "responder", "entente-receipt-v1\nsession=00aa\n", signature});
    txn.commit();
  }
  Transaction txn(env, Transaction::Mode::READ);
  auto found = ReceiptStore::find(txn, "00ff", "requester");
  REQUIRE(found);
  CHECK(found->text == "entente-receipt-v1\nsession=00ff\n");
  CHECK(found->signature == signature);
  CHECK_FALSE(ReceiptStore::find(txn, "00ff", "responder"));
  auto all = ReceiptStore::list(txn);
  REQUIRE(all.size() == 2);
  CHECK(all[0].sessionId == "00aa");
  CHECK(all[0].signerRole == "responder");
  CHECK(all[1].sessionId == "00ff");
}

TEST_CASE("a receipt without a whole signature is refused") {
  testing::TempDir dir;
  Environment env(dir.path(), true);
  Transaction txn(env, Transaction::Mode::WRITE);
  CHECK_THROWS_AS(ReceiptStore::put(txn, {"00ff", "requester", "text", "short"}), StoreError);
}

}  // namespace
}  // namespace entente::storage
