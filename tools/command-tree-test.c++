#include "tools/command-tree.h"

#include "tools/manual-page.h"
#include "tools/usage-errors.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

using namespace entente::tools;

namespace {

// The usage error `entente args...` reports, from the command tree in this process.
std::string usageErrorOf(std::vector<std::string> args) {
  CLI::App app;
  buildCommandLine(app);
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments last first
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    std::ostringstream err;
    CHECK(reportUsageError(app, e, err) == 2);
    return err.str();
  }
  FAIL("the arguments parsed");
  return "";
}

}  // namespace

TEST_CASE("a typo is one edit from the name it meant, a swap of two letters included") {
  std::vector<std::string> commands{"node", "import", "peer", "match", "demo", "token", "consent"};
  CHECK(closestNames("imprt", commands) == std::vector<std::string>{"import"});
  CHECK(closestNames("strat", {"init", "start", "stop", "status"}) == std::vector<std::string>{"start"});
  CHECK(closestNames("lsit", {"invite", "accept", "list", "show"}) == std::vector<std::string>{"list"});
  CHECK(closestNames("--mdoe", {"--peer", "--purpose", "--mode", "--node"}) == std::vector<std::string>{"--mode"});
}

TEST_CASE("a word far from every name gets no suggestion, and a prefix gets the names it starts") {
  CHECK(closestNames("frobnicate", {"node", "import", "peer"}).empty());
  CHECK(closestNames("con", {"consent", "customer", "node"}) == std::vector<std::string>{"consent"});
}

TEST_CASE("an unknown command is named with the closest commands, not as a missing subcommand") {
  auto top = usageErrorOf({"imprt"});
  CHECK_THAT(top, Catch::Contains("unknown command 'imprt'") && Catch::Contains("did you mean 'import'?"));
  CHECK_THAT(top, !Catch::Contains("subcommand is required"));
  CHECK_THAT(usageErrorOf({"node", "strat"}), Catch::Contains("`entente node`") && Catch::Contains("'start'"));
  CHECK_THAT(usageErrorOf({"peer", "lsit"}), Catch::Contains("did you mean 'list'?"));
}

TEST_CASE("an unknown option is named before the required option it hides") {
  auto err = usageErrorOf({"match", "--mdoe", "count", "--peer", "x", "--purpose", "overlap-analysis"});
  CHECK_THAT(err, Catch::Contains("unknown option --mdoe for `entente match`; did you mean --mode?"));
  CHECK_THAT(err, !Catch::Contains("required"));
}

TEST_CASE("an unknown option far from every name still names it and where its options are listed") {
  auto err = usageErrorOf({"peer", "list", "--frobnicate"});
  CHECK_THAT(err, Catch::Contains("unknown option --frobnicate for `entente peer list`") &&
                      Catch::Contains("entente help peer list"));
}

TEST_CASE("a group without its command lists the commands it has") {
  CHECK_THAT(usageErrorOf({"node"}), Catch::Contains("`entente node` needs a command: ") && Catch::Contains("start"));
}

TEST_CASE("the tree finds a command by its path and says which name it does not know") {
  CLI::App app;
  buildCommandLine(app);
  const CLI::App* start = findCommand(app, {"node", "start"});
  REQUIRE(start != nullptr);
  CHECK(commandPath(*start) == "entente node start");
  auto options = optionNames(*start);
  CHECK(std::find(options.begin(), options.end(), "--node") != options.end());
  CHECK(std::find(options.begin(), options.end(), "--dir") != options.end());
  std::string unknown;
  CHECK(findCommand(app, {"node", "strat"}, &unknown) == nullptr);
  CHECK(unknown == "strat");
}

TEST_CASE("roff text escapes dashes, backslashes, a leading dot and non-ASCII characters") {
  CHECK(roffText("--node") == "\\-\\-node");
  CHECK(roffText(".hidden") == "\\&.hidden");
  CHECK(roffText("a\\b") == "a\\eb");
  CHECK(roffText("caf\xc3\xa9") == "caf\\[u00E9]");
}
