// The compact customer record (customer-record.h): what it keeps, how it reads back
// whole or identifiers alone, and how it reports damage; and records of an earlier
// release, read and rewritten.
#include "storage/customer-record.h"
#include "storage/compact-codec.h"
#include "storage/customer-store.h"
#include "storage/terms.h"

#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <capnp/message.h>

#include <algorithm>
#include <thread>

using namespace entente::storage;
using entente::testing::TempDir;

namespace {

// A customer with every field, two attributes (one special category) and four
// identifiers: one equal to the e-mail field, one equal to the phone, one ending in
// the birth date, postal code and country fields, one of its own.
void fill(schema::Customer::Builder c) {
  c.setCustomerId("A-000001");
  c.setEmail("lea.lefevre@orange.fr");
  c.setPhone("+33626583808");
  c.setFirstName("Léa");
  c.setLastName("Lefèvre");
  c.setBirthDate("1950-10-19");
  c.setPostalCode("06200");
  c.setCountry("FR");
  auto attributes = c.initAttributes(2);
  attributes[0].setName("segment");
  attributes[0].setValue("sailing-school");
  attributes[1].setName("health");
  attributes[1].setValue("");
  attributes[1].setSpecialCategory(true);
  auto ids = c.initIdentifiers(4);
  ids[0].setKind(0);
  ids[0].setValue("lea.lefevre@orange.fr");
  ids[1].setKind(1);
  ids[1].setValue("+33626583808");
  ids[2].setKind(2);
  ids[2].setValue("lea\x1f" "lefevre\x1f" "1950-10-19\x1f" "06200\x1f" "FR");
  ids[3].setKind(2);
  ids[3].setValue("lea\x1f" "lefevre\x1f" "1950-10-19\x1f" "06200\x1f" "ES");
}

}  // namespace

TEST_CASE("a compact customer record reads back exactly as written, and is far smaller") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  capnp::MallocMessageBuilder message;
  fill(message.initRoot<schema::Customer>());
  auto original = message.getRoot<schema::Customer>().asReader();
  std::string compact = encodeCustomer(txn, original);
  CustomerRecord record(txn, bytesOf(compact));
  // Canonical forms equal: every field, attribute and identifier, in order.
  auto a = capnp::canonicalize(original);
  auto b = capnp::canonicalize(record.get());
  CHECK(std::ranges::equal(a.asBytes(), b.asBytes()));
  CHECK_FALSE(record.readInPlace());
  // The e-mail and phone identifiers are references, not copies; attribute names are terms.
  CHECK(compact.size() < a.asBytes().size() / 2);
  CHECK(compact.find("lea.lefevre@orange.fr") == compact.rfind("lea.lefevre@orange.fr"));
  CHECK(compact.find("segment") == std::string::npos);
  CHECK(compact.find("1950-10-19\x1f" "06200\x1f" "FR") == std::string::npos);
  CHECK(compact.find("1950-10-19\x1f" "06200\x1f" "ES") != std::string::npos);
  CHECK(Terms::textOf(txn, Terms::numberOf(txn, "segment")) == "segment");
}

TEST_CASE("a damaged compact customer record is reported, never misread") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  capnp::MallocMessageBuilder message;
  fill(message.initRoot<schema::Customer>());
  std::string compact = encodeCustomer(txn, message.getRoot<schema::Customer>().asReader());
  // Every truncation, and a value with bytes left over.
  for (size_t size = 1; size < compact.size(); ++size) {
    INFO("truncated to " << size << " bytes");
    CHECK_THROWS_WITH(CustomerRecord(txn, bytesOf(std::string_view(compact).substr(0, size))),
                      Catch::Contains("damaged"));
  }
  CHECK_THROWS_WITH(CustomerRecord(txn, bytesOf(compact + "x")), Catch::Contains("damaged"));
  // A term the store does not have.
  std::string unknownTerm = compact;
  unknownTerm[unknownTerm.find("sailing-school") - 3] = 0x7F;
  CHECK_THROWS_WITH(CustomerRecord(txn, bytesOf(unknownTerm)), Catch::Contains("damaged"));
  const uint8_t torn[12] = {};
  CHECK_THROWS_WITH(CustomerRecord(txn, Bytes(torn, sizeof torn)), Catch::Contains("damaged"));
}

namespace {
std::vector<std::pair<unsigned, std::string>> identifiersOf(schema::Customer::Reader c) {
  std::vector<std::pair<unsigned, std::string>> out;
  for (auto id : c.getIdentifiers()) out.emplace_back(id.getKind(), id.getValue().cStr());
  return out;
}
std::vector<std::pair<unsigned, std::string>> identifiersOf(Bytes stored) {
  std::vector<std::pair<unsigned, std::string>> out;
  StoredIdentifiers identifiers(stored);
  uint8_t kind = 0;
  std::string_view value;
  while (identifiers.next(kind, value)) out.emplace_back(kind, std::string(value));
  return out;
}
}  // namespace

TEST_CASE("a record's identifiers read alone equal the whole record's, compact or canonical, on any thread") {
  TempDir dir;
  Environment env(dir / "store", true);
  Transaction txn(env, Transaction::Mode::WRITE);
  capnp::MallocMessageBuilder sample;
  fill(sample.initRoot<schema::Customer>());
  // Every way an identifier is kept (a reference to the e-mail or the phone, its own
  // head before the date, postal code and country fields, its own bytes), and an
  // attribute name too long to be a term, which is kept in full and skipped.
  capnp::MallocMessageBuilder odd;
  auto c = odd.initRoot<schema::Customer>();
  c.setCustomerId("B-7");
  c.setEmail("x@y.fi");
  auto attributes = c.initAttributes(2);
  attributes[0].setName(std::string(450, 'n'));
  attributes[0].setValue("v");
  attributes[1].setName("segment");
  attributes[1].setValue("w");
  auto ids = c.initIdentifiers(3);
  ids[0].setKind(5);
  ids[0].setValue("literal-value");
  ids[1].setKind(0);
  ids[1].setValue("x@y.fi");
  ids[2].setKind(63);
  ids[2].setValue("");
  for (auto* message : {&sample, &odd}) {
    auto customer = message->getRoot<schema::Customer>().asReader();
    auto expected = identifiersOf(customer);
    std::string compact = encodeCustomer(txn, customer);
    auto canonical = encodeRecord(customer);
    std::vector<std::pair<unsigned, std::string>> fromCompact, fromCanonical;
    // No transaction is used: another thread reads the bytes.
    std::thread([&] {
      fromCompact = identifiersOf(bytesOf(compact));
      fromCanonical = identifiersOf(Bytes(canonical.asBytes().begin(), canonical.asBytes().size()));
    }).join();
    CHECK(fromCompact == expected);
    CHECK(fromCanonical == expected);
  }
  CHECK(identifiersOf(sample.getRoot<schema::Customer>().asReader()).size() == 4);

  std::string compact = encodeCustomer(txn, sample.getRoot<schema::Customer>().asReader());
  for (size_t size = 1; size < compact.size(); ++size) {
    INFO("truncated to " << size << " bytes");
    CHECK_THROWS_WITH(identifiersOf(bytesOf(std::string_view(compact).substr(0, size))), Catch::Contains("damaged"));
  }
  CHECK_THROWS_WITH(identifiersOf(bytesOf(compact + "x")), Catch::Contains("damaged"));
}

TEST_CASE("a canonical customer record of an earlier release is read, and an unchanged import makes it compact") {
  TempDir dir;
  Environment env(dir / "store", true);
  capnp::MallocMessageBuilder message;
  fill(message.initRoot<schema::Customer>());
  auto customer = message.getRoot<schema::Customer>().asReader();
  uint64_t key = 0;
  {
    Transaction txn(env, Transaction::Mode::WRITE);
    key = CustomerStore::upsert(txn, customer).key;
    // What an earlier release wrote: the canonical Cap'n Proto message.
    auto canonical = encodeRecord(customer);
    auto keyBytes = encodeKey(key);
    txn.put(Table::CUSTOMERS, Bytes(keyBytes), bytesOf(canonical));
    txn.commit();
  }
  {
    Transaction txn(env, Transaction::Mode::READ);
    auto record = CustomerStore::read(txn, key);
    CHECK(record.readInPlace());
    CHECK(std::string(record.get().getLastName().cStr()) == "Lefèvre");
  }
  Transaction txn(env, Transaction::Mode::WRITE);
  CHECK(CustomerStore::upsert(txn, customer).outcome == UpsertOutcome::UNCHANGED);
  auto keyBytes = encodeKey(key);
  Bytes stored;
  REQUIRE(txn.get(Table::CUSTOMERS, Bytes(keyBytes), stored));
  CHECK(isCompact(stored));
  CHECK(CustomerStore::holdersOf(txn, 1, "+33626583808") == std::vector<uint64_t>{key});
}
