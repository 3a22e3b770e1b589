// Messages of the command line and the node that say what happened and what to do
// next, with real node processes: a taken port, a stopped node asked to stop, a
// reused invitation, an export's log line.
#include "node/server/node-config.h"
#include "tests/support/entente-cli.h"

#include <catch2/catch.hpp>

using namespace entente;
using namespace entente::testing;

TEST_CASE("a node whose partner address is taken says which address and how to choose another") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto dir = net.root() / "second";
  REQUIRE(runCli({"node", "init", "--node", dir.string(), "--name", "second", "--listen", net.address("boats"),
                  "--region", "FR", "--insecure-plaintext-key"})
              .exitCode == 0);
  auto r = runCli({"node", "start", "--node", dir.string()});
  CHECK(r.exitCode != 0);
  CHECK_THAT(r.err, Catch::Contains("cannot listen for partners on " + net.address("boats")) &&
                        Catch::Contains("already listens on that address") && Catch::Contains("change `listen` in"));
  CHECK_THAT(r.err, !Catch::Contains("bind(") && !Catch::Contains("toString()"));
}

TEST_CASE("stopping a node that is already stopped says so, and how to start it, with exit code 0") {
  TestNetwork net;
  net.addNode("boats", "FR");
  REQUIRE(net.run("boats", {"node", "stop"}).exitCode == 0);
  CHECK(net.process("boats").waitForExit() == 0);
  auto again = net.run("boats", {"node", "stop"});
  CHECK(again.exitCode == 0);
  CHECK_THAT(again.out, Catch::Contains("already stopped") && Catch::Contains("entente node start --node"));
}

TEST_CASE("a reused invitation says to ask for a new one, not to retry") {
  TestNetwork net;
  net.addNode("boats", "FR");
  net.addNode("travel", "FR");
  net.addNode("hotel", "FR");
  auto invitation = net.invite("boats");
  REQUIRE(net.run("travel", {"peer", "accept", invitation}).exitCode == 0);
  auto reuse = net.run("hotel", {"peer", "accept", invitation});
  CHECK(reuse.exitCode == 1);
  CHECK_THAT(reuse.err, Catch::Contains("already used; ask for a new one"));
  CHECK_THAT(reuse.err, !Catch::Contains("retry once the inviting node is reachable"));
}

TEST_CASE("an invitation whose node cannot be reached says to retry once it is") {
  TestNetwork net;
  net.addNode("boats", "FR");
  net.addNode("travel", "FR");
  auto invitation = net.invite("boats");
  REQUIRE(net.run("boats", {"node", "stop"}).exitCode == 0);
  CHECK(net.process("boats").waitForExit() == 0);
  auto r = net.run("travel", {"peer", "accept", invitation});
  CHECK(r.exitCode == 1);
  CHECK_THAT(r.err, Catch::Contains("retry once the inviting node is reachable"));
  CHECK_THAT(r.err, !Catch::Contains("ask for a new one"));
}

TEST_CASE("an audit export without --since logs no since= at all") {
  TestNetwork net;
  net.addNode("boats", "FR");
  REQUIRE(net.run("boats", {"audit", "export", "--out", (net.root() / "all.jsonl").string()}).exitCode == 0);
  REQUIRE(net.run("boats", {"audit", "export", "--since", "2026-01-01", "--out", (net.root() / "since.jsonl").string()})
              .exitCode == 0);
  auto log = readFile(net.dir("boats") / "node.log");
  CHECK_THAT(log, !Catch::Contains("since=-"));
  CHECK_THAT(log, Catch::Contains("audit.export actor=initial-admin outcome=ok"));
  CHECK_THAT(log, Catch::Contains("since=1767225600"));
}
