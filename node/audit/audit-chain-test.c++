#include "node/audit/audit-chain.h"

#include "node/audit/audit-export.h"

#include "storage/audit-store.h"
#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <sstream>

using namespace entente;
using namespace entente::node;
using entente::testing::TempDir;
using storage::Table;
using storage::Transaction;

namespace {

const uint8_t kMasks[] = {0x01, 0x80};

// The chain with each append committed on its own, as the gate does for one action.
class Trail {
 public:
  Trail(storage::Environment& env, const crypto::NodeIdentity& identity, uint64_t checkpointEvery,
        AuditChain::Clock clock = {})
      : env_(env), chain_(env, identity, checkpointEvery, std::move(clock)) {}

  uint64_t append(std::string_view action, std::string_view actor, std::string_view outcome,
                  const Details& details = {}) {
    Transaction txn(env_, Transaction::Mode::WRITE);
    auto entry = chain_.append(txn, action, actor, outcome, details);
    txn.commit();
    return entry.seq;
  }
  void checkpoint() { chain_.checkpoint(); }
  VerifyReport verify() const { return chain_.verify(); }
  std::optional<AuditEntry> read(uint64_t seq) const { return chain_.read(seq); }
  std::vector<AuditCheckpoint> checkpoints() const { return chain_.checkpoints(); }
  std::string exportJsonl(int64_t since = std::numeric_limits<int64_t>::min()) const {
    return auditExportText(chain_, since);
  }

 private:
  storage::Environment& env_;
  AuditChain chain_;
};

// A node with a trail whose clock the test sets: entry n is appended at 1000 + 10n.
struct Node {
  TempDir dir;
  storage::Environment env{dir / "store", true};
  crypto::NodeIdentity identity = crypto::NodeIdentity::generate("test-node");
  int64_t now = 1000;
  Trail trail;

  explicit Node(uint64_t checkpointEvery = 4) : trail(env, identity, checkpointEvery, [this] { return now; }) {}

  void appendMany(int count) {
    for (int i = 0; i < count; ++i) {
      now += 10;
      trail.append("peer.add", "local-admin", "ok",
                   {{"peer", "travel-" + std::to_string(i)}, {"note", "a\tb\n\"c\"\\"}});
    }
  }

  std::string raw(Table table, uint64_t key) {
    Transaction txn(env, Transaction::Mode::READ);
    storage::Bytes value;
    REQUIRE(txn.get(table, storage::encodeKey(key), value));
    return std::string(storage::textOf(value));
  }
  // What anyone who can write the store file can do.
  void overwrite(Table table, uint64_t key, const std::string& value) {
    Transaction txn(env, Transaction::Mode::WRITE);
    txn.put(table, storage::encodeKey(key), storage::bytesOf(value));
    txn.commit();
  }
  void erase(Table table, uint64_t key) {
    Transaction txn(env, Transaction::Mode::WRITE);
    REQUIRE(txn.erase(table, storage::encodeKey(key)));
    txn.commit();
  }
};

VerifyReport verifyText(const std::string& text, std::optional<crypto::PublicKey> key = std::nullopt) {
  std::istringstream in(text);
  return verifyAuditExport(in, key);
}

std::vector<std::string> linesOf(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (auto& line : lines) text += line + '\n';
  return text;
}

}  // namespace

TEST_CASE("a fresh audit trail verifies, empty and with entries") {
  Node node;
  auto empty = node.trail.verify();
  CHECK(empty.ok);
  CHECK(empty.entries == 0);
  node.appendMany(9);
  auto report = node.trail.verify();
  CHECK(report.ok);
  CHECK(report.entries == 9);
  CHECK(report.checkpoints == 2);
  CHECK(report.uncoveredEntries == 1);
  CHECK_FALSE(report.firstBadEntry);
}

TEST_CASE("audit entries and checkpoints read back as they were appended") {
  Node node;
  node.appendMany(4);
  auto first = node.trail.read(1);
  REQUIRE(first);
  CHECK(first->seq == 1);
  CHECK(first->timeUnix == 1010);
  CHECK(first->action == "peer.add");
  CHECK(first->actor == "local-admin");
  CHECK(first->outcome == "ok");
  CHECK(first->details == Details{{"peer", "travel-0"}, {"note", "a\tb\n\"c\"\\"}});
  CHECK(first->prevHash == AuditHash{});
  for (uint64_t seq = 2; seq <= 4; ++seq) CHECK(node.trail.read(seq)->prevHash == node.trail.read(seq - 1)->hash);
  CHECK_FALSE(node.trail.read(5));

  auto checkpoints = node.trail.checkpoints();
  REQUIRE(checkpoints.size() == 1);
  CHECK(checkpoints[0].count == 4);
  CHECK(checkpoints[0].headHash == node.trail.read(4)->hash);
  CHECK(checkpoints[0].timeUnix == 1040);
  CHECK(checkpoints[0].signer == node.identity.publicKey());
}

TEST_CASE("a checkpoint is signed every N entries and by checkpoint(), once per head") {
  Node node(3);
  node.trail.checkpoint();  // nothing to sign yet
  CHECK(node.trail.checkpoints().empty());
  node.appendMany(4);
  CHECK(node.trail.checkpoints().size() == 1);
  node.trail.checkpoint();
  node.trail.checkpoint();
  auto checkpoints = node.trail.checkpoints();
  REQUIRE(checkpoints.size() == 2);
  CHECK(checkpoints[1].count == 4);
  auto report = node.trail.verify();
  CHECK(report.ok);
  CHECK(report.uncoveredEntries == 0);
  CHECK(report.reason.empty());
}

TEST_CASE("text that is not UTF-8 is stored with replacement characters, and a repeated key is numbered") {
  Node node;
  node.trail.append("import.batch", "ana", "failed",
                    {{"error", "bad \xff byte"}, {"error", "caf\xc3\xa9"}, {"error.2", "x"}});
  auto entry = node.trail.read(1);
  REQUIRE(entry);
  // One member per key, so that the export is a JSON object a checker reads back whole.
  CHECK(entry->details ==
        Details{{"error", "bad \xEF\xBF\xBD byte"}, {"error.2", "caf\xc3\xa9"}, {"error.2.2", "x"}});
  CHECK(node.trail.verify().ok);
  CHECK(verifyText(node.trail.exportJsonl()).ok);
}

TEST_CASE("flipping any byte of any stored audit entry makes verify fail at that entry") {
  Node node;
  node.appendMany(6);
  node.trail.checkpoint();
  for (uint64_t seq : {1, 3, 4, 6}) {
    std::string original = node.raw(Table::AUDIT, seq);
    for (size_t pos = 0; pos < original.size(); ++pos) {
      for (uint8_t mask : kMasks) {
        std::string altered = original;
        altered[pos] = static_cast<char>(altered[pos] ^ mask);
        node.overwrite(Table::AUDIT, seq, altered);
        auto report = node.trail.verify();
        INFO("entry " << seq << ", byte " << pos << ", mask " << int(mask) << ": " << report.reason);
        CHECK_FALSE(report.ok);
        CHECK(report.firstBadEntry == seq);
      }
    }
    node.overwrite(Table::AUDIT, seq, original);
  }
  CHECK(node.trail.verify().ok);
}

TEST_CASE("flipping any byte of a stored checkpoint makes verify fail at the checkpoint's entry") {
  Node node;
  node.appendMany(9);
  for (uint64_t count : {4, 8}) {
    std::string original = node.raw(Table::AUDIT_CHECKPOINTS, count);
    for (size_t pos = 0; pos < original.size(); ++pos) {
      for (uint8_t mask : kMasks) {
        std::string altered = original;
        altered[pos] = static_cast<char>(altered[pos] ^ mask);
        node.overwrite(Table::AUDIT_CHECKPOINTS, count, altered);
        auto report = node.trail.verify();
        INFO("checkpoint " << count << ", byte " << pos << ", mask " << int(mask) << ": " << report.reason);
        CHECK_FALSE(report.ok);
        CHECK(report.firstBadEntry == count);
        CHECK_THAT(report.reason, Catch::Contains("checkpoint at entry " + std::to_string(count) + " is bad"));
      }
    }
    node.overwrite(Table::AUDIT_CHECKPOINTS, count, original);
  }
  CHECK(node.trail.verify().ok);
}

TEST_CASE("deleting the last entries covered by a checkpoint is detected") {
  Node node;
  node.appendMany(8);
  node.erase(Table::AUDIT, 8);
  node.erase(Table::AUDIT, 7);
  auto report = node.trail.verify();
  CHECK_FALSE(report.ok);
  CHECK(report.firstBadEntry == 7);
  CHECK_THAT(report.reason, Catch::Contains("entries 7 to 8 are missing"));
}

TEST_CASE("no entry takes the number of a deleted entry that a checkpoint covers") {
  Node node;
  node.appendMany(4);
  node.erase(Table::AUDIT, 4);
  Trail restarted(node.env, node.identity, 4);
  CHECK_THROWS_WITH(restarted.append("peer.add", "ana", "ok"), Catch::Contains("entries were deleted"));
  CHECK_THROWS_WITH(restarted.checkpoint(), Catch::Contains("entries were deleted"));
  CHECK(node.trail.verify().firstBadEntry == 4);
}

TEST_CASE("deleting entries after the last checkpoint leaves them reported as uncovered") {
  Node node;
  node.appendMany(7);
  node.erase(Table::AUDIT, 7);
  auto report = node.trail.verify();
  // Undetectable by design; what the report must not do is claim that all is covered.
  CHECK(report.ok);
  CHECK(report.entries == 6);
  CHECK(report.uncoveredEntries == 2);
  CHECK_THAT(report.reason, Catch::Contains("2 entries after the last checkpoint"));
}

TEST_CASE("deleting an entry in the middle is detected at it, and nothing is appended over the gap") {
  Node node;
  node.appendMany(6);
  std::string last = node.raw(Table::AUDIT, 6);
  node.erase(Table::AUDIT, 2);
  auto report = node.trail.verify();
  CHECK_FALSE(report.ok);
  CHECK(report.firstBadEntry == 2);
  // Five entries remain, so the next would be 6, which is there.
  CHECK_THROWS_WITH(node.trail.append("peer.add", "ana", "ok"), Catch::Contains("must not proceed"));
  CHECK(node.raw(Table::AUDIT, 6) == last);
}

TEST_CASE("an entry rewritten with a matching hash is caught by the link of the next entry") {
  Node node;
  node.appendMany(3);
  auto entry = node.raw(Table::AUDIT, 2);
  std::string body = entry.substr(0, entry.size() - 32);
  body.replace(body.find("travel-1"), 8, "travel-X");
  AuditHash hash = crypto::blake2b256(body);
  node.overwrite(Table::AUDIT, 2, body + std::string(hash.begin(), hash.end()));
  auto report = node.trail.verify();
  CHECK_FALSE(report.ok);
  CHECK(report.firstBadEntry == 3);
}

TEST_CASE("a checkpoint signed by another identity fails verification") {
  Node node;
  node.appendMany(2);
  auto stranger = crypto::NodeIdentity::generate("test-node");
  Trail forged(node.env, stranger, 100);
  forged.checkpoint();
  auto report = node.trail.verify();
  CHECK_FALSE(report.ok);
  CHECK(report.firstBadEntry == 2);
  CHECK_THAT(report.reason, Catch::Contains("signed by another key"));
}

TEST_CASE("a trail opened again on the same store continues the chain") {
  Node node;
  node.appendMany(3);
  {
    Trail again(node.env, node.identity, 4);
    CHECK(again.append("node.start", "system", "ok") == 4);
  }
  node.appendMany(1);  // the first trail notices the entry it did not write
  auto report = node.trail.verify();
  CHECK(report.ok);
  CHECK(report.entries == 5);
  CHECK(report.checkpoints == 1);
}

TEST_CASE("an export verifies offline with the node's key alone") {
  Node node;
  node.appendMany(9);
  std::string text = node.trail.exportJsonl();
  auto lines = linesOf(text);
  REQUIRE(lines.size() == 1 + 9 + 2);
  CHECK_THAT(lines[0], Catch::StartsWith(R"({"type":"header","version":1,"node":"test-node","publicKey":")"));
  CHECK_THAT(lines[1], Catch::StartsWith(R"({"type":"entry","seq":1,"time":1010,"action":"peer.add")"));
  CHECK_THAT(lines[1], Catch::Contains(R"("details":{"peer":"travel-0","note":"a\tb\n\"c\"\\"})"));
  CHECK_THAT(lines[5], Catch::StartsWith(R"({"type":"checkpoint","count":4,)"));
  auto report = verifyText(text, node.identity.publicKey());
  CHECK(report.ok);
  CHECK(report.entries == 9);
  CHECK(report.checkpoints == 2);
  CHECK(report.uncoveredEntries == 1);
  CHECK(report.firstEntry == 1);
}

TEST_CASE("flipping any byte of an exported entry makes the export fail at that entry") {
  Node node;
  node.appendMany(6);
  auto lines = linesOf(node.trail.exportJsonl());
  for (uint64_t seq : {3, 6}) {
    size_t index = seq < 4 ? seq : seq + 1;  // the checkpoint of entry 4 is a line too
    REQUIRE_THAT(lines[index], Catch::Contains("\"seq\":" + std::to_string(seq) + ","));
    // Every byte of the line and the newline that ends it.
    for (size_t pos = 0; pos <= lines[index].size(); ++pos) {
      for (uint8_t mask : kMasks) {
        auto altered = lines;
        if (pos < altered[index].size()) {
          altered[index][pos] = static_cast<char>(altered[index][pos] ^ mask);
        } else {
          altered[index] += static_cast<char>('\n' ^ mask);
          if (index + 1 < altered.size()) {
            altered[index] += altered[index + 1];
            altered.erase(altered.begin() + static_cast<long>(index) + 1);
          }
        }
        std::string text = joined(altered);
        if (pos == lines[index].size() && index + 1 == lines.size()) text.pop_back();  // flipped, not added
        auto report = verifyText(text);
        INFO("entry " << seq << ", byte " << pos << ", mask " << int(mask) << ": " << report.reason);
        CHECK_FALSE(report.ok);
        CHECK(report.firstBadEntry == seq);
      }
    }
  }
}

TEST_CASE("flipping any byte of an exported checkpoint makes the export fail at the checkpoint's entry") {
  Node node;
  node.appendMany(6);
  auto lines = linesOf(node.trail.exportJsonl());
  REQUIRE_THAT(lines[5], Catch::StartsWith(R"({"type":"checkpoint","count":4,)"));
  for (size_t pos = 0; pos < lines[5].size(); ++pos) {
    for (uint8_t mask : kMasks) {
      auto altered = lines;
      altered[5][pos] = static_cast<char>(altered[5][pos] ^ mask);
      auto report = verifyText(joined(altered));
      INFO("byte " << pos << ", mask " << int(mask) << ": " << report.reason);
      CHECK_FALSE(report.ok);
      CHECK(report.firstBadEntry == 4);
    }
  }
}

TEST_CASE("an export since a time starts at the first entry at or after it and verifies from there") {
  Node node;
  node.appendMany(9);  // times 1010 .. 1090, checkpoints at 4 and 8
  SECTION("anchored by the checkpoint of the entry before it") {
    auto text = node.trail.exportJsonl(1045);
    auto lines = linesOf(text);
    REQUIRE(lines.size() == 1 + 1 + 5 + 1);
    CHECK_THAT(lines[1], Catch::StartsWith(R"({"type":"checkpoint","count":4,)"));
    CHECK_THAT(lines[2], Catch::StartsWith(R"({"type":"entry","seq":5,)"));
    auto report = verifyText(text, node.identity.publicKey());
    CHECK(report.ok);
    CHECK(report.firstEntry == 5);
    CHECK(report.entries == 5);
    CHECK(report.uncoveredEntries == 1);
  }
  SECTION("without a checkpoint before it, its link is taken as given and said so") {
    auto text = node.trail.exportJsonl(1021);
    CHECK_THAT(linesOf(text)[1], Catch::StartsWith(R"({"type":"entry","seq":3,)"));
    auto report = verifyText(text, node.identity.publicKey());
    CHECK(report.ok);
    CHECK(report.firstEntry == 3);
    CHECK_THAT(report.reason, Catch::Contains("taken as given"));
  }
  SECTION("after every entry, only the header") {
    auto text = node.trail.exportJsonl(5000);
    CHECK(linesOf(text).size() == 1);
    CHECK(verifyText(text).ok);
  }
}

TEST_CASE("an export is refused when its key is not the expected one") {
  Node node;
  node.appendMany(4);
  auto other = crypto::NodeIdentity::generate("test-node");
  auto report = verifyText(node.trail.exportJsonl(), other.publicKey());
  CHECK_FALSE(report.ok);
  CHECK_THAT(report.reason, Catch::Contains("not by the expected key"));
}

TEST_CASE("an export whose header names another key fails at the first checkpoint") {
  Node node;
  node.appendMany(4);
  auto other = crypto::NodeIdentity::generate("test-node");
  Trail foreign(node.env, other, 100);
  auto lines = linesOf(node.trail.exportJsonl());
  lines[0] = linesOf(foreign.exportJsonl())[0];
  auto report = verifyText(joined(lines));
  CHECK_FALSE(report.ok);
  CHECK(report.firstBadEntry == 4);
}

TEST_CASE("a removed line of an export is detected at the missing entry") {
  Node node;
  node.appendMany(6);
  auto lines = linesOf(node.trail.exportJsonl());
  lines.erase(lines.begin() + 2);  // entry 2
  auto report = verifyText(joined(lines));
  CHECK_FALSE(report.ok);
  CHECK(report.firstBadEntry == 2);
}

TEST_CASE("an empty or foreign file is not an export") {
  CHECK_FALSE(verifyText("").ok);
  CHECK_FALSE(verifyText("customer_id,email\n1,a@example.com\n").ok);
  CHECK_FALSE(verifyText("{\"type\":\"header\"}\n").ok);
}
