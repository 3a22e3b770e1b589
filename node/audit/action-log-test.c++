#include "node/audit/action-log.h"

#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace entente::node;
using entente::testing::TempDir;

namespace {
std::string contents(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream all;
  all << in.rdbuf();
  return all.str();
}
}  // namespace

TEST_CASE("an action is written as one line with its actor, outcome and details") {
  TempDir dir;
  {
    ActionLog log(dir / "node.log", false);
    log.record("peer.add", "local-admin", "ok", {{"peer", "travel"}, {"note", "two words"}});
  }
  auto text = contents(dir / "node.log");
  CHECK_THAT(text, Catch::Contains("peer.add actor=local-admin outcome=ok peer=travel note=\"two words\"\n"));
}

TEST_CASE("a value with a line break cannot forge a second log line") {
  TempDir dir;
  {
    ActionLog log(dir / "node.log", false);
    log.record("import", "local-admin", "ok", {{"source", "x.csv\n2026-01-01T00:00:00Z node.stop"}});
  }
  auto text = contents(dir / "node.log");
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);
}

TEST_CASE("perform records success with the body's details and failure with its error") {
  TempDir dir;
  {
    ActionLog log(dir / "node.log", false);
    int got = log.perform("peer.add", "me", {{"peer", "a"}}, [](Details& d) {
      d.emplace_back("replaced", "no");
      return 7;
    });
    CHECK(got == 7);
    CHECK_THROWS_WITH(log.perform("peer.add", "me", {{"peer", "b"}},
                                  [](Details&) -> int { throw std::runtime_error("address invalid"); }),
                      "address invalid");
  }
  auto text = contents(dir / "node.log");
  CHECK_THAT(text, Catch::Contains("outcome=ok peer=a replaced=no"));
  CHECK_THAT(text, Catch::Contains("outcome=failed peer=b error=\"address invalid\""));
}
