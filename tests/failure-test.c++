// What users see when something is wrong: unknown peers, refusals, nodes that are
// down or die mid-session. Each gets a clear message and leaves no half-done state.
#include "tests/support/entente-cli.h"
#include "tools/commands.h"
#include "tools/sample-population.h"

#include <catch2/catch.hpp>

#include <signal.h>

#include <future>

using namespace entente;
using namespace entente::testing;

TEST_CASE("a match with a peer not on the list says how to add it") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto r = net.run("boats", {"match", "--peer", "nobody", "--purpose", "p", "--mode", "count"});
  CHECK(r.exitCode == 1);
  CHECK_THAT(r.err, Catch::Contains("no peer named 'nobody'") && Catch::Contains("entente peer invite"));
}

TEST_CASE("nodes of different consortia refuse to compare values") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto other = net.root() / "elsewhere";
  std::string address = "127.0.0.1:0";  // any free port, chosen at the first start
  REQUIRE(runCli({"node", "init", "--dir", other.string(), "--name", "insurer", "--listen", address, "--region", "PT",
                  "--consortium", "another", "--insecure-plaintext-key"})
              .exitCode == 0);
  tools::NodeProcess insurer(ententeBinary(), other);
  auto invitation = runCli({"peer", "invite", "--node", other.string()});
  REQUIRE(invitation.exitCode == 0);
  REQUIRE(net.run("boats", {"peer", "accept", invitation.out.substr(0, invitation.out.find('\n'))}).exitCode == 0);
  auto r = net.run("boats", {"match", "--peer", "insurer", "--purpose", "overlap-analysis", "--mode", "count"});
  CHECK(r.exitCode == 1);
  CHECK_THAT(r.err, Catch::Contains("another consortium"));
}

TEST_CASE("a partner that is down is reported with its address") {
  TestNetwork net;
  net.addNode("boats", "FR");
  net.addNode("travel", "ES");
  net.pair("boats", "travel");
  REQUIRE(net.process("travel").stop(SIGTERM) == 0);
  auto r = net.run("boats", {"match", "--peer", "travel", "--purpose", "overlap-analysis", "--mode", "ids"});
  CHECK(r.exitCode == 1);
  CHECK_THAT(r.err, Catch::StartsWith("entente: cannot reach the partner at " + net.address("travel") +
                                      ": is its node running"));
}

TEST_CASE("a partner that dies mid-session fails the match cleanly and the requester keeps running") {
  TestNetwork net;
  auto set = sample::writeSampleSet({2, 20000, 0.5, 3}, net.root() / "data");
  net.addNode("firm-a", "FR");
  net.addNode("firm-b", "ES");
  net.pair("firm-a", "firm-b");
  for (auto& firm : set.firms) REQUIRE(net.run(firm.firm, tools::importArgsFor(firm)).exitCode == 0);

  auto match = std::async(std::launch::async, [&] {
    return net.run("firm-a", {"match", "--peer", "firm-b", "--purpose", "overlap-analysis", "--mode", "ids"});
  });
  // Kill the responder once the session is under way.
  REQUIRE(waitFor([&] {
    return readFile(net.dir("firm-b") / "node.log").find("session.serve actor=firm-a outcome=opened") !=
           std::string::npos;
  }));
  net.process("firm-b").stop(SIGKILL);
  auto r = match.get();
  CHECK(r.exitCode == 1);
  // Killed after its offer, or while the TLS connection was still being set up: both
  // are reported as the partner going away, never as this node's own failure.
  CHECK_THAT(r.err, (Catch::Contains("the session with peer 'firm-b' broke off") &&
                     Catch::Contains("run the match again")) ||
                        Catch::Contains("the partner closed the connection before the session started"));
  CHECK(r.out.empty());  // no partial list of ids
  // The requester is still up and logged the failure.
  auto status = net.run("firm-a", {"node", "status", "--json"});
  CHECK(status.exitCode == 0);
  CHECK_THAT(readFile(net.dir("firm-a") / "node.log"), Catch::Contains("match.request actor=initial-admin outcome=failed"));
}

TEST_CASE("a client command against a stopped node says how to start it") {
  TestNetwork net;
  net.addNode("boats", "FR");
  REQUIRE(net.run("boats", {"node", "stop"}).exitCode == 0);
  CHECK(net.process("boats").waitForExit() == 0);
  auto r = net.run("boats", {"peer", "list"});
  CHECK(r.exitCode == 3);
  CHECK_THAT(r.err, Catch::Contains("is not running") && Catch::Contains("entente node start"));
}

TEST_CASE("a node stops cleanly on SIGTERM and removes its control socket") {
  TestNetwork net;
  net.addNode("boats", "FR");
  CHECK(net.process("boats").stop(SIGTERM) == 0);
  CHECK_FALSE(std::filesystem::exists(net.dir("boats") / "control.sock"));
  CHECK_THAT(readFile(net.dir("boats") / "node.log"), Catch::Contains("node.stop actor=system outcome=ok"));
}

TEST_CASE("a second node on the same folder is refused") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto r = runCli({"node", "start", "--dir", net.dir("boats").string()});
  CHECK(r.exitCode == 2);
  CHECK_THAT(r.err, Catch::Contains("already running"));
}

TEST_CASE("a client pointed at a folder without a node says how to create one") {
  TempDir empty;
  auto r = runCli({"peer", "list", "--node", empty.path().string()});
  CHECK(r.exitCode == 2);
  CHECK_THAT(r.err, Catch::Contains("entente node init"));
}
