// A node killed with SIGKILL at random moments of an import, a match and an erasure,
// a bounded number of times, then started again: it must start, both audit logs must
// verify (so no receipt lacks its session's entry), and a finished import must leave
// exactly the customers a clean import leaves. The moments come from a fixed seed,
// printed, so that a failure can be replayed.
#include "tests/support/entente-cli.h"
#include "tools/child-process.h"
#include "tools/commands.h"
#include "tools/sample-population.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <thread>

using namespace entente;
using namespace entente::testing;

namespace {

constexpr uint32_t kCustomers = 2000;

struct CrashedFirms {
  TestNetwork net;
  sample::SampleSet set;
  std::mt19937 random;

  explicit CrashedFirms(uint32_t seed) : random(seed) {
    set = sample::writeSampleSet({2, kCustomers, 0.5, 23}, net.root() / "data");
    for (auto& firm : set.firms) net.addNode(firm.firm, firm.region);
    net.pair("firm-a", "firm-b");
    REQUIRE(net.run("firm-b", tools::importArgsFor(set.firms[1])).exitCode == 0);
  }

  // Runs `args` on `node`'s CLI in the background and kills `victim`'s node process
  // with SIGKILL after a random delay of up to `within`; then starts the node again.
  void killDuring(const std::string& node, std::vector<std::string> args, const std::string& victim,
                  std::chrono::milliseconds within) {
    args.push_back("--node");
    args.push_back(net.dir(node).string());
    int devNull = ::open("/dev/null", O_WRONLY);
    pid_t cli = tools::startChild(ententeBinary(), args, devNull, devNull);
    ::close(devNull);
    auto delay = std::chrono::microseconds(std::uniform_int_distribution<int64_t>(
        0, std::chrono::duration_cast<std::chrono::microseconds>(within).count())(random));
    INFO("killing " << victim << " after " << delay.count() << " us of: " << args[0]);
    // A moment chosen at random is the point of this test: not a wait for a condition.
    std::this_thread::sleep_for(delay);
    ::kill(net.process(victim).pid(), SIGKILL);
    tools::waitForChild(cli);
    net.restart(victim);  // must start: a pending compaction or a torn import is finished or undone
  }

  uint64_t customers(const std::string& node) {
    auto r = net.run(node, {"node", "status", "--json"});
    REQUIRE(r.exitCode == 0);
    return jsonNumber(r.out, "customers");
  }

  void checkLogsVerify() {
    for (std::string node : {"firm-a", "firm-b"}) {
      auto verify = net.run(node, {"audit", "verify"});
      INFO(node << ": " << verify.out << verify.err);
      CHECK(verify.exitCode == 0);
    }
  }

  std::string someCustomerOf(size_t firm, size_t row) {
    std::ifstream in(set.firms[firm].csv);
    std::string line;
    for (size_t i = 0; i <= row; ++i) std::getline(in, line);
    return line.substr(0, line.find(','));
  }
};

}  // namespace

TEST_CASE("nodes killed at random moments of imports, matches and erasures start again with verifiable logs") {
  const uint32_t seed = 20261204;
  INFO("seed " << seed);
  CrashedFirms firms(seed);
  auto importA = tools::importArgsFor(firms.set.firms[0]);
  for (int round = 0; round < 3; ++round) {
    INFO("round " << round);
    // An import killed halfway: what was committed stays, and the same import run
    // again completes it to exactly a clean import's customers.
    firms.killDuring("firm-a", importA, "firm-a", std::chrono::milliseconds(400));
    REQUIRE(firms.net.run("firm-a", importA).exitCode == 0);
    CHECK(firms.customers("firm-a") == kCustomers);  // an erased customer of the last round is imported again
    firms.checkLogsVerify();

    // A match killed on either side.
    std::string victim = round % 2 == 0 ? "firm-b" : "firm-a";
    firms.killDuring("firm-a", {"match", "--peer", "firm-b", "--purpose", "cross-selling", "--mode", "ids"}, victim,
                     std::chrono::milliseconds(800));
    firms.checkLogsVerify();

    // An erasure killed between its commit and its compaction, or before.
    auto customer = firms.someCustomerOf(0, 1 + static_cast<size_t>(round));
    firms.killDuring("firm-a", {"customer", "erase", customer}, "firm-a", std::chrono::milliseconds(300));
    auto again = firms.net.run("firm-a", {"customer", "erase", customer});
    // Either the erasure had committed (nothing left to erase) or it now does.
    CHECK((again.exitCode == 0 || again.err.find("no customer with that customer_id") != std::string::npos));
    firms.checkLogsVerify();
  }
  // After it all, a match still runs and both logs verify.
  auto r = firms.net.run("firm-a", {"match", "--peer", "firm-b", "--purpose", "overlap-analysis", "--mode", "count"});
  CHECK(r.exitCode == 0);
  firms.checkLogsVerify();
}
