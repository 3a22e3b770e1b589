// Compliance reports with real node processes: who took part in which session, on
// both nodes; subject access by e-mail; erasure; and the consent, audit and processing
// reports' figures against what the test itself put into the store.
#include "storage/environment.h"
#include "storage/receipt-store.h"
#include "tests/support/reported-pair.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <set>

using namespace entente;
using namespace entente::testing;
using nlohmann::json;

namespace {

const json& table(const json& report, const std::string& id) {
  for (auto& section : report["sections"]) {
    for (auto& t : section["tables"]) {
      if (t["id"] == id) return t;
    }
  }
  FAIL("no table " << id);
  static json none;
  return none;
}

std::set<std::string> column(const json& t, const std::string& name) {
  std::set<std::string> out;
  for (auto& row : t["rows"]) out.insert(row[name].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("a subject report found by e-mail lists exactly the sessions that person took part in on both nodes") {
  ReportedPair p;
  // Ana consented to both purposes on both sides: both sessions, and matched in ids mode.
  auto ana = p.report("boats", {"subject", "--email", "ANA.SILVA@example.pt"});
  auto recipients = table(ana, "recipients");
  CHECK(column(recipients, "session") == std::set<std::string>{p.idsSession, p.countSession});
  for (auto& row : recipients["rows"]) {
    CHECK(row["asked by"] == "this firm");
    if (row["session"] == p.idsSession) CHECK(row["what was disclosed"].get<std::string>().find("also the partner's customer") != std::string::npos);
  }
  // João did not consent to cross-selling at boats: only the count session.
  auto joao = p.report("boats", {"subject", "--email", "joao.costa@example.pt"});
  CHECK(column(table(joao, "recipients"), "session") == std::set<std::string>{p.countSession});
  // On the responder: Eva refused cross-selling at travel, João granted it.
  auto eva = p.report("travel", {"subject", "--email", "eva.jarvi@example.fi"});
  CHECK(column(table(eva, "recipients"), "session") == std::set<std::string>{p.countSession});
  auto joaoThere = p.report("travel", {"subject", "--email", "joao.costa@example.pt"});
  auto there = table(joaoThere, "recipients");
  CHECK(column(there, "session") == std::set<std::string>{p.idsSession, p.countSession});
  CHECK(column(there, "asked by") == std::set<std::string>{"the partner"});
  // Luc consented to nothing and took part in nothing.
  auto luc = p.report("boats", {"subject", "--customer", "B4"});
  CHECK(table(luc, "recipients")["rows"].empty());
  // The data held and where it came from.
  CHECK(column(table(ana, "sources"), "read with") == std::set<std::string>{"preset salesforce"});
  CHECK(column(table(ana, "attributes"), "value") == std::set<std::string>{"sailing"});
  CHECK(ana["meta"]["Audit head"].get<std::string>().rfind("entry ", 0) == 0);
}

TEST_CASE("an erased customer's subject report shows the erasure and nothing else") {
  ReportedPair p;
  REQUIRE(p.net.run("boats", {"customer", "erase", "B1"}).exitCode == 0);
  for (auto how : std::vector<std::vector<std::string>>{{"--email", "ana.silva@example.pt"}, {"--customer", "B1"}}) {
    std::vector<std::string> args = {"subject"};
    args.insert(args.end(), how.begin(), how.end());
    auto erased = p.report("boats", args);
    REQUIRE(erased["sections"].size() == 1);
    CHECK(erased["sections"][0]["heading"] == "Erasure");
    CHECK(erased["sections"][0]["tables"].empty());
    CHECK(erased.dump().find("sailing") == std::string::npos);
  }
  // The session records no longer hold the erased customer: Eva's still do.
  auto eva = p.report("boats", {"subject", "--email", "eva.jarvi@example.fi"});
  CHECK(column(table(eva, "recipients"), "session") == std::set<std::string>{p.idsSession, p.countSession});
  // Someone never held is not mistaken for someone erased.
  auto unknown = p.net.run("boats", {"report", "subject", "--email", "nobody@example.org"});
  CHECK(unknown.exitCode != 0);
  CHECK(unknown.err.find("nothing is held") != std::string::npos);
}

TEST_CASE("the consent, audit and processing reports give the figures the store holds") {
  ReportedPair p;
  auto consent = p.report("boats", {"consent"});
  auto byPurpose = table(consent, "consent-by-purpose");
  std::map<std::string, json> rows;
  for (auto& row : byPurpose["rows"]) rows[row["purpose"]] = row;
  // From boats.csv above: overlap-analysis yes,yes,yes,no; cross-selling yes,no,yes,no.
  CHECK(rows["overlap-analysis"]["granted"] == "3");
  CHECK(rows["overlap-analysis"]["withdrawn"] == "1");
  CHECK(rows["cross-selling"]["granted"] == "2");
  CHECK(rows["cross-selling"]["withdrawn"] == "2");
  CHECK(column(table(consent, "change-sources"), "source") == std::set<std::string>{"import boats.csv"});

  auto audit = p.report("boats", {"audit"});
  auto sessions = table(audit, "sessions");
  std::map<std::string, json> bySession;
  for (auto& row : sessions["rows"]) bySession[row["session"]] = row;
  REQUIRE(bySession.count(p.idsSession));
  CHECK(bySession[p.idsSession]["outcome"] == "completed");
  CHECK(bySession[p.idsSession]["direction"] == "outbound");
  CHECK(bySession[p.idsSession]["result"] == "1");  // Ana only: both sides consented to cross-selling
  CHECK(bySession[p.countSession]["result"] == "3");
  CHECK(column(table(audit, "receipts"), "matches its session") ==
        std::set<std::string>{"yes: signed by travel, purpose, mode and sizes as logged"});
  auto inbound = p.report("travel", {"audit"});
  CHECK(column(table(inbound, "sessions"), "direction") == std::set<std::string>{"inbound"});
  CHECK(column(table(inbound, "receipts"), "matches its session") ==
        std::set<std::string>{"yes: signed by boats, purpose, mode and sizes as logged"});

  auto processing = p.report("boats", {"processing"});
  std::map<std::string, json> categories;
  for (auto& row : table(processing, "data-categories")["rows"]) categories[row["data"]] = row;
  CHECK(categories["e-mail address"]["customers holding it"] == "4");
  CHECK(categories["first name"]["customers holding it"] == "4");
  CHECK(categories["segment"]["category"] == "profile");
  CHECK(column(table(processing, "recipients"), "partner") == std::set<std::string>{"travel"});
}

TEST_CASE("a report written to a file is private, self-contained HTML, and a marketer may not read reports") {
  ReportedPair p;
  auto out = p.net.root() / "audit.html";
  REQUIRE(p.net.run("boats", {"report", "audit", "--format", "html", "--out", out.string()}).exitCode == 0);
  struct stat st {};
  REQUIRE(::stat(out.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto html = readFile(out);
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("<th scope=\"col\">") != std::string::npos);
  auto csv = p.net.run("boats", {"report", "audit", "--format", "csv"});
  CHECK(csv.out.find("# table: sessions") != std::string::npos);
  auto exported = p.net.run("boats", {"audit", "export", "--format", "csv"});
  REQUIRE(exported.exitCode == 0);
  CHECK(exported.out.rfind("type,seq,time,action", 0) == 0);
  CHECK(exported.out.find("match.request") != std::string::npos);

  auto created = p.net.run("boats", {"token", "create", "--role", "marketer", "--name", "mia"});
  REQUIRE(created.exitCode == 0);
  auto tokenFile = p.net.root() / "mia.token";
  std::ofstream(tokenFile) << created.out;
  for (auto args : std::vector<std::vector<std::string>>{{"report", "consent"},
                                                          {"customer", "show", "B1"},
                                                          {"consent", "receipt", "B1"}}) {
    args.insert(args.end(), {"--token-file", tokenFile.string()});
    auto refused = p.net.run("boats", args);
    CHECK(refused.exitCode == 1);
    CHECK_THAT(refused.err, Catch::Contains("the token of 'mia' may not"));
  }
}

TEST_CASE("customer show finds a customer by e-mail and a consent receipt carries the ISO/IEC TS 27560 fields") {
  ReportedPair p;
  auto shown = p.net.run("boats", {"customer", "show", "--email", "eva.jarvi@example.fi"});
  REQUIRE(shown.exitCode == 0);
  CHECK_THAT(shown.out, Catch::Contains("B3"));
  CHECK_THAT(shown.out, Catch::Contains("motor"));
  CHECK_THAT(shown.out, !Catch::Contains("Your rights"));
  auto receipt = p.net.run("boats", {"consent", "receipt", "B3"});
  REQUIRE(receipt.exitCode == 0);
  auto j = json::parse(receipt.out);
  REQUIRE(j["records"].size() == 2);
  for (auto& r : j["records"]) {
    for (auto key : {"record_id", "pii_principal_id", "notice", "language", "purpose", "lawful_basis", "pii_categories",
                     "controller", "collection_method", "recipients", "retention", "withdrawal_method", "event", "state"}) {
      CHECK(r.contains(key));
    }
    CHECK(r["pii_principal_id"] == "B3");
    CHECK(r["state"] == "granted");
    CHECK(r["event"][0]["event_time"].get<std::string>().back() == 'Z');
  }
}

TEST_CASE("the audit report finds a partner receipt that was altered after it was stored") {
  ReportedPair p;
  p.net.process("travel").stop(SIGTERM);
  {
    storage::Environment env(p.net.dir("travel") / "store", false);
    storage::Transaction txn(env, storage::Transaction::Mode::WRITE);
    auto receipt = storage::ReceiptStore::find(txn, p.idsSession, "requester");
    REQUIRE(receipt);
    auto at = receipt->text.find("mode=ids");
    REQUIRE(at != std::string::npos);
    receipt->text.replace(at, 8, "mode=cnt");
    storage::ReceiptStore::put(txn, *receipt);
    txn.commit();
  }
  p.net.restart("travel");
  auto audit = p.report("travel", {"audit"});
  std::map<std::string, std::string> checks;
  for (auto& row : table(audit, "receipts")["rows"]) checks[row["session"]] = row["matches its session"];
  CHECK(checks[p.idsSession] == "NO: the signature does not verify with the key of boats");
  CHECK(checks[p.countSession] == "yes: signed by boats, purpose, mode and sizes as logged");
}
