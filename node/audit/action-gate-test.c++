// Unit tests of the gate: an action's change and its audit entry commit together or
// not at all, node.log follows the commit and says what the entry says, and a failed
// audit append leaves the store unchanged and no "ok" anywhere.

#include "node/audit/action-gate.h"

#include "storage/audit-store.h"
#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace entente;
using namespace entente::node;
using entente::testing::TempDir;
using storage::Table;
using storage::Transaction;

namespace {

std::string contents(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream all;
  all << in.rdbuf();
  return all.str();
}

// A node's store, chain, log and gate, with a clock the test sets.
struct Gated {
  TempDir dir;
  storage::Environment env{dir / "store", true};
  crypto::NodeIdentity identity = crypto::NodeIdentity::generate("test-node");
  int64_t now = 1796401684;  // 2026-12-04T16:28:04Z
  AuditChain chain{env, identity, 2, [this] { return now; }};
  NodeLog log{dir / "node.log", false};
  ActionGate gate{env, chain, log};

  // The change the tests make: one key in the meta table.
  static void mark(Transaction& txn, const std::string& name) {
    txn.put(Table::META, storage::bytesOf("test-" + name), storage::bytesOf("1"));
  }
  bool marked(const std::string& name) {
    Transaction txn(env, Transaction::Mode::READ);
    storage::Bytes value;
    return txn.get(Table::META, storage::bytesOf("test-" + name), value);
  }
  uint64_t entries() {
    Transaction txn(env, Transaction::Mode::READ);
    return storage::AuditStore::count(txn);
  }
  std::string logText() { return contents(dir / "node.log"); }
};

}  // namespace

TEST_CASE("an action is written as one node.log line with its entry, actor, outcome and details") {
  Gated node;
  node.gate.record("peer.add", "local-admin", "ok", {{"peer", "travel"}, {"note", "two words"}});
  CHECK(node.logText() ==
        "2026-12-04T16:28:04Z peer.add actor=local-admin outcome=ok entry=1 peer=travel note=\"two words\"\n");
  CHECK(node.chain.read(1)->details == Details{{"peer", "travel"}, {"note", "two words"}});
}

TEST_CASE("a value with a line break or a NUL cannot forge a second log line") {
  Gated node;
  node.gate.record("import", "local-admin", "ok",
                   {{"source", std::string("x.csv\n2026-01-01T00:00:00Z node.stop\0 outcome=ok", 47)}});
  auto text = node.logText();
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);
  CHECK(text.find('\0') == std::string::npos);
}

TEST_CASE("a change and its audit entry commit together, and the log line follows") {
  Gated node;
  int got = node.gate.change("peer.add", "me", {{"peer", "a"}}, [](Transaction& txn, Details& d) {
    Gated::mark(txn, "a");
    d.emplace_back("replaced", "no");
    return 7;
  });
  CHECK(got == 7);
  CHECK(node.marked("a"));
  CHECK(node.entries() == 1);
  auto entry = node.chain.read(1);
  CHECK(entry->outcome == "ok");
  CHECK(entry->details == Details{{"peer", "a"}, {"replaced", "no"}});
  CHECK_THAT(node.logText(), Catch::Contains("peer.add actor=me outcome=ok entry=1 peer=a replaced=no\n"));
}

TEST_CASE("a body that fails leaves nothing of its change and is recorded as failed") {
  Gated node;
  CHECK_THROWS_WITH(node.gate.change("peer.add", "me", {{"peer", "b"}},
                                     [](Transaction& txn, Details&) {
                                       Gated::mark(txn, "b");
                                       throw std::runtime_error("address invalid");
                                     }),
                    "address invalid");
  CHECK_FALSE(node.marked("b"));
  REQUIRE(node.entries() == 1);
  CHECK(node.chain.read(1)->outcome == "failed");
  CHECK_THAT(node.logText(), Catch::Contains("outcome=failed entry=1 peer=b error=\"address invalid\""));
  CHECK_THAT(node.logText(), !Catch::Contains("outcome=ok"));
}

TEST_CASE("when the audit entry cannot be written the change is not stored and nothing says ok") {
  Gated node;
  // A damaged log: entries that a signed checkpoint covers were deleted. The chain
  // refuses to continue it (new entries would take their numbers).
  node.gate.record("node.start", "system", "ok");
  node.gate.record("node.stop", "system", "ok");  // checkpoint at 2
  {
    Transaction txn(node.env, Transaction::Mode::WRITE);
    REQUIRE(txn.erase(Table::AUDIT, storage::encodeKey(2)));
    txn.commit();
  }
  std::ofstream(node.dir / "node.log", std::ios::trunc).close();
  CHECK_THROWS_WITH(node.gate.change("customer.erase", "me", {}, [](Transaction& txn, Details&) {
    Gated::mark(txn, "erased");
  }),
                    Catch::Contains("must not proceed"));
  CHECK_FALSE(node.marked("erased"));
  CHECK(node.entries() == 1);
  auto text = node.logText();
  CHECK_THAT(text, !Catch::Contains("outcome=ok"));
  CHECK_THAT(text, Catch::StartsWith("2026-12-04T16:28:04Z customer.erase actor=me outcome=failed error="));
  CHECK_THAT(text, Catch::Contains("audit=not-written"));
}

TEST_CASE("a read returns its result only once its entry committed") {
  Gated node;
  auto got = node.gate.perform("audit.export", "compliance", {}, [](Details&) { return std::string("lines"); });
  CHECK(got == "lines");
  CHECK(node.chain.read(1)->action == "audit.export");
  // With the log damaged, the read is refused instead of passing unaudited.
  {
    Transaction txn(node.env, Transaction::Mode::WRITE);
    storage::AuditStore::append(txn, 2, storage::bytesOf("x"));  // a truncated entry 2
    txn.commit();
  }
  CHECK_THROWS(node.gate.perform("audit.export", "compliance", {}, [](Details&) { return std::string("lines"); }));
}

TEST_CASE("recordNoThrow never throws, and node.log says when its entry is missing") {
  Gated node;
  {
    Transaction txn(node.env, Transaction::Mode::WRITE);
    storage::AuditStore::append(txn, 1, storage::bytesOf("x"));
    txn.commit();
  }
  CHECK_NOTHROW(node.gate.recordNoThrow("import", "ana", "interrupted"));
  CHECK_THAT(node.logText(), Catch::Contains("import actor=ana outcome=failed audit=not-written"));
}
