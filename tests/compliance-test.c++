// Consent, erasure and the audit log with real node processes and real store files.
#include "storage/audit-store.h"
#include "storage/customer-store.h"
#include "storage/environment.h"
#include "storage/history-store.h"
#include "tests/support/entente-cli.h"

#include <catch2/catch.hpp>

#include <signal.h>

#include <fstream>
#include <sstream>

using namespace entente;
using namespace entente::testing;

namespace {

// Two paired nodes, each with the same three people written in its own way.
struct SharedPeople {
  TestNetwork net;
  SharedPeople() {
    net.addNode("boats", "FR");
    net.addNode("travel", "FR");
    net.pair("boats", "travel");
    // A partner answers queries of 10 customers or more, and releases groups of 10 or
    // more, by default; these are 3.
    REQUIRE(net.run("travel", {"peer", "policy", "boats", "--min-query", "1", "--min-overlap", "0"}).exitCode == 0);
    REQUIRE(net.run("boats", {"peer", "policy", "travel", "--min-query", "1", "--min-overlap", "0"}).exitCode == 0);
    write("boats.csv",
          "customer_id,email,consent_overlap-analysis,consent_cross-selling\n"
          "B1,ana.silva@example.pt,yes,yes\n"
          "B2,joao.costa@example.pt,yes,no\n"
          "B3,eva.jarvi@example.fi,yes,yes\n");
    write("travel.csv",
          "customer_id,email,consent_overlap-analysis,consent_cross-selling\n"
          "T1,Ana.Silva@Example.PT,yes,yes\n"
          "T2,JOAO.COSTA@example.pt,yes,yes\n"
          "T3,eva.jarvi@example.fi,yes,no\n");
    REQUIRE(net.run("boats", {"import", (net.root() / "boats.csv").string()}).exitCode == 0);
    REQUIRE(net.run("travel", {"import", (net.root() / "travel.csv").string()}).exitCode == 0);
  }
  void write(const std::string& name, const std::string& text) { std::ofstream(net.root() / name) << text; }
  uint64_t overlap(const std::string& purpose) {
    auto r = net.run("boats", {"match", "--peer", "travel", "--purpose", purpose, "--mode", "count", "--json",
                               "--kinds", "email"});
    REQUIRE(r.exitCode == 0);
    return jsonNumber(r.out, "overlap");
  }
  std::string log(const std::string& node) { return readFile(net.dir(node) / "node.log"); }
};

size_t occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("a customer without consent for the purpose never matches, on either side") {
  SharedPeople people;
  CHECK(people.overlap("overlap-analysis") == 3);
  // B2 refused cross-selling at boats; T3 refused it at travel: only Ana is left.
  CHECK(people.overlap("cross-selling") == 1);
  REQUIRE(people.net.run("travel", {"peer", "policy", "boats", "--purposes",
                                    "overlap-analysis,cross-selling,enrichment"})
              .exitCode == 0);
  // Never asked anywhere: boats has no customer to send, and an empty query is below
  // the partner's minimum.
  auto enrichment = people.net.run("boats", {"match", "--peer", "travel", "--purpose", "enrichment", "--mode",
                                             "count", "--kinds", "email"});
  CHECK(enrichment.exitCode == 1);
  CHECK_THAT(enrichment.err, Catch::Contains("this one has 0"));
}

TEST_CASE("a withdrawal takes effect at the next session, with no restart") {
  SharedPeople people;
  CHECK(people.overlap("overlap-analysis") == 3);
  auto r = people.net.run("travel", {"consent", "set", "T1", "overlap-analysis", "withdrawn", "--source", "call"});
  REQUIRE(r.exitCode == 0);
  CHECK(people.overlap("overlap-analysis") == 2);
  auto show = people.net.run("travel", {"consent", "show", "T1"});
  CHECK_THAT(show.out, Catch::Contains("overlap-analysis   withdrawn"));
  CHECK_THAT(show.out, Catch::Contains("source: import travel.csv:2"));
  CHECK_THAT(show.out, Catch::Contains("source: cli:initial-admin (call)"));
}

TEST_CASE("expired consent counts as withdrawn") {
  SharedPeople people;
  REQUIRE(people.net.run("boats", {"consent", "set", "B3", "overlap-analysis", "granted", "--expires", "2001-01-01"})
              .exitCode == 0);
  CHECK(people.overlap("overlap-analysis") == 2);
  auto report = people.net.run("boats", {"consent", "report", "--json"});
  CHECK_THAT(report.out, Catch::Contains("\"purpose\":\"overlap-analysis\",\"granted\":2,\"withdrawn\":0,\"expired\":1"));
}

TEST_CASE("a consent-only import updates existing customers and rejects unknown ones") {
  SharedPeople people;
  people.write("cmp.csv", "Member,Offers\nB1,no\nB9,yes\n");
  auto r = people.net.run("boats", {"consent", "import", (people.net.root() / "cmp.csv").string(), "--map",
                                    "Member=customer_id", "--map", "Offers=consent_cross-selling", "--json"});
  INFO(r.err);
  REQUIRE(r.exitCode == 1);  // a row was rejected: the exit status says so
  CHECK(jsonNumber(r.out, "consentChanges") == 1);
  CHECK(jsonNumber(r.out, "rejected") == 1);
  CHECK_THAT(r.err, Catch::Contains("cmp.csv:3: rejected: no customer with this customer_id"));
  CHECK(people.overlap("cross-selling") == 0);
}

TEST_CASE("an erased customer is gone from the store, no longer matches, and its e-mail is not in the file") {
  SharedPeople people;
  CHECK(people.overlap("overlap-analysis") == 3);
  auto r = people.net.run("travel", {"customer", "erase", "T2"});
  REQUIRE(r.exitCode == 0);
  CHECK(people.overlap("overlap-analysis") == 2);
  CHECK(people.net.run("travel", {"consent", "show", "T2"}).exitCode == 1);
  // The raw file, as a copy of it would be: neither the e-mail nor the id remain.
  auto file = readFile(people.net.dir("travel") / "store" / "data.mdb");
  CHECK(file.find("JOAO.COSTA@example.pt") == std::string::npos);
  CHECK(file.find("joao.costa@example.pt") == std::string::npos);
  CHECK(file.find("T2") == std::string::npos);
  // The log says an erasure happened and by whom, not whom. (Not a bare "T2": every
  // timestamp from 20:00 UTC holds one.)
  auto log = people.log("travel");
  CHECK_THAT(log, Catch::Contains("customer.erase actor=initial-admin outcome=ok"));
  CHECK_THAT(log, !Catch::Contains("=T2") && !Catch::Contains(" T2") && !Catch::Contains("\"T2\""));
}

TEST_CASE("an erased customer's purchase history is gone from the store and from the file") {
  TestNetwork net;
  net.addNode("boats", "FR");
  std::ofstream(net.root() / "boats.csv") << "customer_id,email\nB1,ana.silva@example.pt\nB2,joao.costa@example.pt\n";
  REQUIRE(net.run("boats", {"import", (net.root() / "boats.csv").string()}).exitCode == 0);
  auto store = net.dir("boats") / "store";
  {
    // Written beside the running node (LMDB serialises the two writers), as the
    // history import will write it.
    storage::Environment env(store, false);
    storage::Transaction txn(env, storage::Transaction::Mode::WRITE);
    auto add = [&](const char* customerId, const char* eventId) {
      storage::HistoryEvent event;
      event.eventId = eventId;
      event.dateDays = 20161;
      event.amountMinor = 1990;
      event.currency = "EUR";
      event.category = "sailing-gear";
      storage::HistoryStore::upsert(txn, *storage::CustomerStore::keyOf(txn, customerId), event);
    };
    add("B2", "ERP-ERASED-ONE");
    add("B2", "ERP-ERASED-TWO");
    add("B1", "ERP-KEPT-ONE");
    txn.commit();
  }
  REQUIRE(net.run("boats", {"customer", "erase", "B2"}).exitCode == 0);
  CHECK_THAT(readFile(net.dir("boats") / "node.log"),
             Catch::Contains("customer.erase actor=initial-admin outcome=ok") && Catch::Contains("history_events=2"));
  auto file = readFile(store / "data.mdb");
  CHECK(file.find("ERP-ERASED") == std::string::npos);
  CHECK(file.find("ERP-KEPT-ONE") != std::string::npos);
  storage::Environment env(store, false);
  storage::Transaction txn(env, storage::Transaction::Mode::READ);
  CHECK(storage::HistoryStore::count(txn) == 1);
  CHECK_FALSE(storage::HistoryStore::locate(txn, "ERP-ERASED-ONE"));
  CHECK(storage::HistoryStore::locate(txn, "ERP-KEPT-ONE"));
}

TEST_CASE("every action leaves exactly the expected audit entries, and the log verifies") {
  SharedPeople people;
  people.overlap("overlap-analysis");
  REQUIRE(people.net.run("boats", {"consent", "set", "B1", "enrichment", "granted"}).exitCode == 0);
  REQUIRE(people.net.run("boats", {"customer", "erase", "B3"}).exitCode == 0);
  REQUIRE(people.net.run("boats", {"node", "stop"}).exitCode == 0);
  REQUIRE(people.net.process("boats").waitForExit() == 0);
  // Offline: the export lists each action once.
  tools::NodeProcess again(ententeBinary(), people.net.dir("boats"));
  auto exportFile = people.net.root() / "boats-audit.jsonl";
  REQUIRE(people.net.run("boats", {"audit", "export", "--out", exportFile.string()}).exitCode == 0);
  auto jsonl = readFile(exportFile);
  CHECK(occurrences(jsonl, "\"action\":\"import\",\"actor\":\"initial-admin\",\"outcome\":\"ok\"") == 1);
  CHECK(occurrences(jsonl, "\"action\":\"peer.invite\",\"actor\":\"initial-admin\",\"outcome\":\"ok\"") == 1);
  CHECK(occurrences(jsonl, "\"action\":\"peer.pair\"") == 1);
  CHECK(occurrences(jsonl, "\"action\":\"peer.policy\",\"actor\":\"initial-admin\",\"outcome\":\"ok\"") == 1);
  CHECK(occurrences(jsonl, "\"action\":\"match.request\",\"actor\":\"initial-admin\",\"outcome\":\"completed\"") == 1);
  CHECK(occurrences(jsonl, "\"action\":\"consent.set\",\"actor\":\"initial-admin\",\"outcome\":\"ok\"") == 1);
  CHECK(occurrences(jsonl, "\"action\":\"customer.erase\",\"actor\":\"initial-admin\",\"outcome\":\"ok\"") == 1);
  CHECK(occurrences(jsonl, "\"type\":\"checkpoint\"") >= 1);  // signed at the clean stop
  CHECK(jsonl.find("ana.silva") == std::string::npos);
  CHECK(jsonl.find("\"B3\"") == std::string::npos);
  // The responder logged the session it served.
  CHECK_THAT(people.log("travel"), Catch::Contains("session.serve actor=boats outcome=completed"));
  auto verify = people.net.run("boats", {"audit", "verify"});
  CHECK(verify.exitCode == 0);
  CHECK_THAT(verify.out, Catch::Contains("audit log verified"));
  auto offline = runCli({"audit", "verify", "--from-export", exportFile.string()});
  CHECK(offline.exitCode == 0);
}

TEST_CASE("flipping a byte of an audit entry or checkpoint makes verify fail at that entry") {
  SharedPeople people;
  people.overlap("overlap-analysis");
  REQUIRE(people.net.process("boats").stop(SIGTERM) == 0);  // signs a checkpoint at shutdown
  uint64_t entries = 0;
  {
    storage::Environment store(people.net.dir("boats") / "store", false);
    storage::Transaction txn(store, storage::Transaction::Mode::WRITE);
    entries = storage::AuditStore::count(txn);
    REQUIRE(entries > 5);
    storage::Bytes entry;
    REQUIRE(storage::AuditStore::read(txn, 4, entry));
    std::string tampered(storage::textOf(entry));
    tampered[tampered.size() / 3] ^= 0x01;
    auto key = storage::encodeKey(4);
    txn.put(storage::Table::AUDIT, storage::Bytes(key), storage::bytesOf(tampered));
    txn.commit();
  }
  tools::NodeProcess restarted(ententeBinary(), people.net.dir("boats"));
  auto r = people.net.run("boats", {"audit", "verify"});
  CHECK(r.exitCode == 1);
  CHECK_THAT(r.err, Catch::Contains("first bad entry 4"));
}

TEST_CASE("deleting the last entries is detected against the last signed checkpoint") {
  SharedPeople people;
  REQUIRE(people.net.process("boats").stop(SIGTERM) == 0);
  {
    storage::Environment store(people.net.dir("boats") / "store", false);
    storage::Transaction txn(store, storage::Transaction::Mode::WRITE);
    uint64_t last = storage::AuditStore::count(txn);
    auto key = storage::encodeKey(last);
    txn.erase(storage::Table::AUDIT, storage::Bytes(key));
    txn.commit();
  }
  // The node will not write a single new entry over the gap, so it refuses to start
  // and says why.
  auto r = runCli({"node", "start", "--dir", people.net.dir("boats").string()});
  CHECK(r.exitCode != 0);
  CHECK_THAT(r.err, Catch::Contains("entries were deleted"));
}

TEST_CASE("a flipped byte in an export fails offline verification") {
  SharedPeople people;
  auto exportFile = people.net.root() / "audit.jsonl";
  REQUIRE(people.net.run("boats", {"audit", "export", "--out", exportFile.string()}).exitCode == 0);
  auto text = readFile(exportFile);
  auto at = text.find("\"action\":\"import\"");
  REQUIRE(at != std::string::npos);
  text[at + 11] = 'X';  // "import" -> "iXport"
  std::ofstream(exportFile) << text;
  auto r = runCli({"audit", "verify", "--from-export", exportFile.string()});
  CHECK(r.exitCode == 1);
  CHECK_THAT(r.err, Catch::Contains("first bad entry"));
}

TEST_CASE("both nodes keep the other's signed receipt, and removed session entries are caught by it") {
  SharedPeople people;
  people.overlap("overlap-analysis");
  auto verify = people.net.run("travel", {"audit", "verify"});
  REQUIRE(verify.exitCode == 0);
  CHECK_THAT(verify.out, Catch::Contains("1 partner receipt held"));
  CHECK_THAT(people.net.run("boats", {"audit", "verify"}).out, Catch::Contains("1 partner receipt held"));
  // travel removes the entries of the session it served (after the last checkpoint,
  // so the chain alone cannot tell), but keeps boats' receipt.
  REQUIRE(people.net.process("travel").stop(SIGKILL) == 137);
  {
    storage::Environment store(people.net.dir("travel") / "store", false);
    storage::Transaction txn(store, storage::Transaction::Mode::WRITE);
    uint64_t count = storage::AuditStore::count(txn);
    uint64_t firstSession = 0;
    storage::AuditStore::forEach(txn, 1, [&](uint64_t seq, storage::Bytes entry) {
      if (firstSession == 0 && storage::textOf(entry).find("session.serve") != std::string_view::npos) {
        firstSession = seq;
      }
      return true;
    });
    REQUIRE(firstSession > 0);
    for (uint64_t seq = firstSession; seq <= count; ++seq) {
      auto key = storage::encodeKey(seq);
      txn.erase(storage::Table::AUDIT, storage::Bytes(key));
    }
    txn.commit();
  }
  tools::NodeProcess restarted(ententeBinary(), people.net.dir("travel"));
  auto tampered = people.net.run("travel", {"audit", "verify"});
  CHECK(tampered.exitCode == 1);
  CHECK_THAT(tampered.err, Catch::Contains("partner receipt(s) name sessions that are missing"));
}
