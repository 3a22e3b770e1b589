// Matches that do not end well, with real node processes: a command line killed in
// the middle, a partner that freezes, and a flood of connections from someone who
// cannot pair. Afterwards both audit logs must verify, every session named in a
// receipt must be in its log, and the log must not have grown without bound.
#include "tests/support/entente-cli.h"
#include "tools/child-process.h"
#include "tools/commands.h"
#include "tools/sample-population.h"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

using namespace entente;
using namespace entente::testing;

namespace {

struct PairedFirms {
  TestNetwork net;
  explicit PairedFirms(uint32_t customers) {
    auto set = sample::writeSampleSet({2, customers, 0.5, 17}, net.root() / "data");
    for (auto& firm : set.firms) net.addNode(firm.firm, firm.region);
    net.pair("firm-a", "firm-b");
    for (auto& firm : set.firms) REQUIRE(net.run(firm.firm, tools::importArgsFor(firm)).exitCode == 0);
  }
  std::string log(const std::string& node) { return readFile(net.dir(node) / "node.log"); }
  bool logHas(const std::string& node, const std::string& text, std::chrono::seconds within = std::chrono::seconds(30)) {
    return waitFor([&] { return log(node).find(text) != std::string::npos; }, within);
  }
  // Starts `entente match ... --mode ids` on firm-a in the background.
  pid_t startMatch(const std::filesystem::path& out) {
    int devNull = ::open("/dev/null", O_WRONLY);
    pid_t pid = tools::startChild(ententeBinary(),
                                  {"match", "--peer", "firm-b", "--purpose", "cross-selling", "--mode", "ids", "--out",
                                   out.string(), "--node", net.dir("firm-a").string()},
                                  devNull, devNull);
    ::close(devNull);
    return pid;
  }
  void checkBothLogsVerify() {
    for (std::string node : {"firm-a", "firm-b"}) {
      auto verify = net.run(node, {"audit", "verify"});
      INFO(node << ": " << verify.out << verify.err);
      CHECK(verify.exitCode == 0);
      CHECK_THAT(verify.out, !Catch::Contains("missing from the audit log"));
    }
  }
};

// The session id in the first line of `log` that holds `marker`.
std::string sessionIn(const std::string& log, const std::string& marker) {
  auto at = log.find(marker);
  REQUIRE(at != std::string::npos);
  auto line = log.substr(at, log.find('\n', at) - at);
  std::smatch m;
  REQUIRE(std::regex_search(line, m, std::regex("session=([0-9a-f]{16})")));
  return m[1];
}

// The refusals that node.log lines holding `marker` record: 1 for a line of its own,
// N for a line with repeated=N; and how many lines that took.
struct CountedRefusals {
  uint64_t entries = 0;
  uint64_t refusals = 0;
};
CountedRefusals countRefusals(const std::string& log, const std::string& marker) {
  CountedRefusals counted;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(marker) == std::string::npos) continue;
    ++counted.entries;
    std::smatch m;
    counted.refusals += std::regex_search(line, m, std::regex(" repeated=([0-9]+)")) ? std::stoull(m[1]) : 1;
  }
  return counted;
}

void killAndReap(pid_t pid) {
  ::kill(pid, SIGKILL);
  tools::waitForChild(pid);
}

}  // namespace

TEST_CASE("a command line killed as its session opens cancels it on both nodes, and both logs verify") {
  PairedFirms firms(3000);
  auto out = firms.net.root() / "shared.csv";
  pid_t cli = firms.startMatch(out);
  REQUIRE(firms.logHas("firm-a", "match.session actor=initial-admin outcome=opened"));
  killAndReap(cli);
  std::string session = sessionIn(firms.log("firm-a"), "match.session actor=initial-admin outcome=opened");
  // Each node says how the session ended, naming it.
  REQUIRE(firms.logHas("firm-a", "match.request actor=initial-admin outcome="));
  auto requesterEnd = firms.log("firm-a").substr(firms.log("firm-a").find("match.request actor=initial-admin outcome="));
  CHECK_THAT(requesterEnd, Catch::Contains("session=" + session));
  REQUIRE(waitFor([&] {
    auto log = firms.log("firm-b");
    return log.find("outcome=cancelled") != std::string::npos || log.find("outcome=completed") != std::string::npos;
  }));
  CHECK_THAT(firms.log("firm-b"), Catch::Contains("session=" + session));
  CHECK_FALSE(std::filesystem::exists(out));
  firms.checkBothLogsVerify();
}

TEST_CASE("a command line killed once the receipts are exchanged leaves both logs verifiable") {
  PairedFirms firms(3000);
  auto out = firms.net.root() / "shared.csv";
  pid_t cli = firms.startMatch(out);
  REQUIRE(firms.logHas("firm-a", "match.session actor=initial-admin outcome=completed"));
  killAndReap(cli);
  // The receipt each node holds names a session that its own log has.
  std::string session = sessionIn(firms.log("firm-a"), "match.session actor=initial-admin outcome=completed");
  CHECK_THAT(firms.log("firm-a"), Catch::Contains("receipt=stored"));
  REQUIRE(firms.logHas("firm-b", "session.serve actor=firm-a outcome=completed"));
  CHECK(sessionIn(firms.log("firm-b"), "session.serve actor=firm-a outcome=completed") == session);
  firms.checkBothLogsVerify();
  // The node is still of use: the next match runs.
  auto again = firms.net.run("firm-a", {"match", "--peer", "firm-b", "--purpose", "overlap-analysis", "--mode", "count"});
  CHECK(again.exitCode == 0);
}

TEST_CASE("a partner frozen in the middle of a session ends the match with an error naming it") {
  PairedFirms firms(3000);
  {
    std::ofstream toml(firms.net.dir("firm-a") / "node.toml", std::ios::app);
    toml << "no_progress_timeout_seconds = 5\n";
  }
  firms.net.restart("firm-a");
  auto out = firms.net.root() / "shared.csv";
  int errPipe[2];
  REQUIRE(::pipe(errPipe) == 0);
  int devNull = ::open("/dev/null", O_WRONLY);
  pid_t cli = tools::startChild(ententeBinary(),
                                {"match", "--peer", "firm-b", "--purpose", "cross-selling", "--mode", "ids", "--out",
                                 out.string(), "--node", firms.net.dir("firm-a").string()},
                                devNull, errPipe[1]);
  ::close(errPipe[1]);
  ::close(devNull);
  REQUIRE(firms.logHas("firm-a", "match.session actor=initial-admin outcome=opened"));
  pid_t partner = firms.net.process("firm-b").pid();
  ::kill(partner, SIGSTOP);
  int exitCode = tools::waitForChild(cli);
  ::kill(partner, SIGCONT);
  std::string err;
  char buf[512];
  for (ssize_t n; (n = ::read(errPipe[0], buf, sizeof buf)) > 0;) err.append(buf, static_cast<size_t>(n));
  ::close(errPipe[0]);
  // The match may have finished before the partner froze; otherwise it must end by
  // itself, with the partner named.
  if (exitCode != 0) {
    CHECK(exitCode == 1);
    CHECK_THAT(err, Catch::Contains("peer 'firm-b' sent nothing for 5 s"));
    CHECK_THAT(firms.log("firm-a"), Catch::Contains("match.request actor=initial-admin outcome=failed"));
  }
  firms.checkBothLogsVerify();
}

TEST_CASE("a flood of plain connections adds a bounded number of audit entries that still count them all") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto address = net.address("boats");
  auto colon = address.rfind(':');
  struct sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
  inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr);
  constexpr int kConnections = 400;
  for (int i = 0; i < kConnections; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(::connect(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) == 0);
    const char junk[] = "GET / HTTP/1.1\r\n\r\n";
    (void)::write(fd, junk, sizeof junk - 1);
    char buf[256];
    while (::read(fd, buf, sizeof buf) > 0) {
    }
    ::close(fd);
  }
  // The repeats are recorded as counts when their minute is over, or at stop.
  net.process("boats").stop(SIGTERM);
  auto counted = countRefusals(readFile(net.dir("boats") / "node.log"),
                               " connection actor=unknown outcome=refused entry=");
  CHECK(counted.refusals == kConnections);
  CHECK(counted.entries <= 6);
}

TEST_CASE("repeated pairing attempts with a spent invitation are counted, not recorded one by one") {
  TestNetwork net;
  net.addNode("boats", "FR");
  net.addNode("travel", "FR");
  net.addNode("stranger", "FR");
  auto invitation = net.invite("boats");
  REQUIRE(net.run("travel", {"peer", "accept", invitation}).exitCode == 0);
  constexpr int kAttempts = 12;
  for (int i = 0; i < kAttempts; ++i) {
    auto r = net.run("stranger", {"peer", "accept", invitation, "--name", "boats" + std::to_string(i)});
    CHECK(r.exitCode == 1);
    CHECK_THAT(r.err, Catch::Contains("already used"));
  }
  net.process("boats").stop(SIGTERM);
  auto log = readFile(net.dir("boats") / "node.log");
  auto counted = countRefusals(log, "reason=\"pairing refused: this invitation was already used");
  CHECK(counted.refusals == kAttempts);
  CHECK(counted.entries == 2);  // the first at once, the repeats as one count
  // The names the stranger gave are nowhere in the log.
  CHECK_THAT(log, !Catch::Contains("boats7"));
}
