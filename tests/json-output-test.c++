// The --json output of every command that reads, against its documentation: each
// command prints exactly the top-level fields that its table in docs/operations.md
// ("JSON output") names, so that a field can be neither dropped nor added silently.
#include "tests/support/entente-cli.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using namespace entente::testing;

namespace {

struct DocumentedFields {
  std::set<std::string> required, optional;
};

// "### `entente peer show NAME --json`" and its table, keyed by the command's words
// ("peer show").
std::map<std::string, DocumentedFields> documentedJson() {
  std::map<std::string, DocumentedFields> out;
  std::istringstream in(readFile(std::filesystem::path(ENTENTE_SOURCE_DIR) / "docs" / "operations.md"));
  bool section = false;
  std::string command;
  std::regex heading("^### `entente ([a-z -]+?)( [A-Z.…].*)? --json`");
  std::regex field("`([A-Za-z_]+)`");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) section = line == "## JSON output";
    if (!section) continue;
    std::smatch m;
    if (std::regex_search(line, m, heading)) {
      command = m[1].str();
      out[command];
      continue;
    }
    if (command.empty() || line.rfind("| `", 0) != 0) continue;
    std::string first = line.substr(1, line.find('|', 1) - 1);
    bool optional = line.find("*optional*") != std::string::npos;
    for (std::sregex_iterator it(first.begin(), first.end(), field), end; it != end; ++it) {
      (optional ? out[command].optional : out[command].required).insert((*it)[1].str());
    }
  }
  return out;
}

// The top-level fields of an object, or of every object of an array (which must not
// be empty: an empty array shows no fields).
std::set<std::string> fieldsOf(const std::string& output) {
  auto json = nlohmann::json::parse(output);
  std::set<std::string> fields;
  auto add = [&](const nlohmann::json& object) {
    REQUIRE(object.is_object());
    for (auto& [key, value] : object.items()) fields.insert(key);
  };
  if (json.is_array()) {
    REQUIRE(!json.empty());
    for (const auto& element : json) add(element);
  } else {
    add(json);
  }
  return fields;
}

void checkAgainstDocs(const std::map<std::string, DocumentedFields>& docs, const std::string& command,
                      const CliResult& r) {
  INFO("entente " << command << " --json: " << r.out << r.err);
  REQUIRE(r.exitCode == 0);
  REQUIRE(docs.count(command) == 1);
  const auto& documented = docs.at(command);
  auto fields = fieldsOf(r.out);
  for (const auto& name : documented.required) {
    INFO("documented but not printed: " << name);
    CHECK(fields.count(name) == 1);
  }
  for (const auto& name : fields) {
    INFO("printed but not documented: " << name);
    CHECK((documented.required.count(name) + documented.optional.count(name)) == 1);
  }
}

}  // namespace

TEST_CASE("every command's --json prints the fields docs/operations.md documents for it") {
  auto docs = documentedJson();
  TestNetwork net;
  net.addNode("boats", "FR");
  net.addNode("travel", "FR");
  net.pair("boats", "travel");
  REQUIRE(net.run("travel", {"peer", "policy", "boats", "--min-query", "1", "--min-overlap", "0"}).exitCode == 0);
  REQUIRE(net.run("boats", {"peer", "policy", "travel", "--min-overlap", "0"}).exitCode == 0);
  std::ofstream(net.root() / "boats.csv") << "customer_id,email,consent_overlap-analysis\nB1,ana@example.pt,yes\n"
                                             "B2,joao@example.pt,yes\n";
  std::ofstream(net.root() / "travel.csv") << "customer_id,email,consent_overlap-analysis\nT1,ana@example.pt,yes\n";
  std::ofstream(net.root() / "events.csv") << "customer_id,event_id,date,type,amount,currency\n"
                                              "B1,E-1,2026-01-05,purchase,19.90,EUR\n";
  std::map<std::string, CliResult> results;
  results["import"] = net.run("boats", {"import", (net.root() / "boats.csv").string(), "--json"});
  REQUIRE(net.run("travel", {"import", (net.root() / "travel.csv").string()}).exitCode == 0);
  REQUIRE(net.run("boats", {"history", "import", (net.root() / "events.csv").string()}).exitCode == 0);
  results["node status"] = net.run("boats", {"node", "status", "--json"});
  results["node identity"] = net.run("boats", {"node", "identity", "--json"});
  results["peer show"] = net.run("boats", {"peer", "show", "travel", "--json"});
  results["peer list"] = net.run("boats", {"peer", "list", "--json"});
  results["token list"] = net.run("boats", {"token", "list", "--json"});
  results["consent show"] = net.run("boats", {"consent", "show", "B1", "--json"});
  results["consent report"] = net.run("boats", {"consent", "report", "--json"});
  results["history show"] = net.run("boats", {"history", "show", "B1", "--json"});
  results["match"] = net.run("boats", {"match", "--peer", "travel", "--purpose", "overlap-analysis", "--mode", "count",
                                       "--json"});
  results["audit verify"] = net.run("boats", {"audit", "verify", "--json"});
  for (const auto& [command, result] : results) checkAgainstDocs(docs, command, result);
  // Every table is checked by a run above.
  for (const auto& [command, fields] : docs) {
    INFO("docs/operations.md documents `entente " << command << " --json`, which this test does not run");
    CHECK(results.count(command) == 1);
  }
}

TEST_CASE("peer show --json says who offered the purposes, on each side of the pairing") {
  TestNetwork net;
  net.addNode("boats", "FR");
  net.addNode("travel", "FR");
  net.pair("boats", "travel");
  auto inviter = nlohmann::json::parse(net.run("boats", {"peer", "show", "travel", "--json"}).out);
  auto accepter = nlohmann::json::parse(net.run("travel", {"peer", "show", "boats", "--json"}).out);
  CHECK(inviter["offeredBy"] == "us");
  CHECK(accepter["offeredBy"] == "partner");
  CHECK(inviter["safetyNumber"] == accepter["safetyNumber"]);
  CHECK(inviter["policy"]["modes"] == nlohmann::json::array({"count", "ids"}));
  CHECK_THAT(net.run("boats", {"peer", "show", "travel"}).out, Catch::Contains("we offered"));
  CHECK_THAT(net.run("travel", {"peer", "show", "boats"}).out, Catch::Contains("they offered"));
}

TEST_CASE("audit verify --json reports a log that verifies, and the text counts in the singular when it is one") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto report = nlohmann::json::parse(net.run("boats", {"audit", "verify", "--json"}).out);
  CHECK(report["ok"] == true);
  CHECK(report["firstBadEntry"].is_null());
  CHECK(report["entries"].get<uint64_t>() >= 1);
  auto text = net.run("boats", {"audit", "verify"}).out;
  CHECK_THAT(text, !Catch::Contains("1 entries") && !Catch::Contains(" 1 signed checkpoints") &&
                       !Catch::Contains(" 0 partner receipt held"));
  CHECK_THAT(text, Catch::Contains("0 partner receipts held"));
}
