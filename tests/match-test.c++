// Two real node processes on loopback, real LMDB files, real crypto: the matches a
// marketer runs, checked against the sample generator's ground truth.
#include "tests/support/entente-cli.h"
#include "tools/commands.h"
#include "tools/sample-population.h"

#include <catch2/catch.hpp>

#include <set>
#include <sstream>

using namespace entente;
using namespace entente::testing;

namespace {

std::set<std::string> idsInCsv(const std::string& text) {
  std::set<std::string> ids;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) ids.insert(line.substr(0, line.find(',')));
  }
  return ids;
}

// Two firms with sample data, imported and paired both ways.
struct PairedFirms {
  TestNetwork net;
  sample::SampleSet set;

  explicit PairedFirms(uint32_t customers) {
    set = sample::writeSampleSet({2, customers, 0.5, 11}, net.root() / "data");
    for (auto& firm : set.firms) net.addNode(firm.firm, firm.region);
    net.pair("firm-a", "firm-b");
    for (auto& firm : set.firms) {
      auto r = net.run(firm.firm, tools::importArgsFor(firm));
      REQUIRE(r.exitCode == 0);
    }
  }
  // The customers of `requester` the other firm shares, among those who consented to
  // `purpose` at both firms.
  const sample::PairTruth& truth(const std::string& requester, const std::string& purpose) {
    return set.truthFor(requester, requester == "firm-a" ? "firm-b" : "firm-a", purpose);
  }
};

}  // namespace

TEST_CASE("count mode reports exactly the known overlap") {
  PairedFirms firms(600);
  auto groupCpu = [&](const char* firm) {
    auto status = firms.net.run(firm, {"node", "status", "--json"});
    REQUIRE(status.exitCode == 0);
    return jsonReal(status.out, "groupOperationCpuSeconds");
  };
  double beforeA = groupCpu("firm-a"), beforeB = groupCpu("firm-b");
  auto r = firms.net.run("firm-a", {"match", "--peer", "firm-b", "--purpose", "overlap-analysis", "--mode", "count",
                                    "--json"});
  REQUIRE(r.exitCode == 0);
  // Both nodes count the CPU their group operations took (bench/match's drift-free ratio).
  CHECK(groupCpu("firm-a") > beforeA);
  CHECK(groupCpu("firm-b") > beforeB);
  CHECK(jsonNumber(r.out, "overlap") == firms.truth("firm-a", "overlap-analysis").requesterIds.size());
  // Only customers who consented to the purpose enter the session.
  CHECK(jsonNumber(r.out, "ownCustomers") < 600);
  CHECK(jsonNumber(r.out, "ownCustomers") > 450);
  CHECK(jsonNumber(r.out, "wireBytesSent") > 0);
}

TEST_CASE("ids mode names exactly the requester's shared customers, written differently by each firm") {
  PairedFirms firms(600);
  auto out = firms.net.root() / "shared.csv";
  auto r = firms.net.run("firm-b", {"match", "--peer", "firm-a", "--purpose", "cross-selling", "--mode", "ids",
                                    "--out", out.string()});
  REQUIRE(r.exitCode == 0);
  auto& truth = firms.truth("firm-b", "cross-selling");
  CHECK(idsInCsv(readFile(out)) == std::set<std::string>(truth.requesterIds.begin(), truth.requesterIds.end()));
  CHECK_THAT(r.out, Catch::Contains("matched by email"));
}

TEST_CASE("matching on one kind finds only the customers that kind links") {
  PairedFirms firms(400);
  auto all = firms.net.run("firm-a", {"match", "--peer", "firm-b", "--purpose", "overlap-analysis", "--mode", "count", "--json"});
  auto email = firms.net.run("firm-a", {"match", "--peer", "firm-b", "--purpose", "overlap-analysis", "--mode", "count", "--json",
                                        "--kinds", "email"});
  REQUIRE(all.exitCode == 0);
  REQUIRE(email.exitCode == 0);
  // Some shared customers lack an e-mail at one firm: e-mail alone finds fewer.
  CHECK(jsonNumber(email.out, "overlap") < jsonNumber(all.out, "overlap"));
  CHECK(jsonNumber(email.out, "overlap") > 0);
}

TEST_CASE("the responder's node logs the session without learning the result") {
  PairedFirms firms(200);
  auto r = firms.net.run("firm-a", {"match", "--peer", "firm-b", "--purpose", "overlap-analysis", "--mode", "ids",
                                    "--json"});
  REQUIRE(r.exitCode == 0);
  auto responderLog = readFile(firms.net.dir("firm-b") / "node.log");
  CHECK_THAT(responderLog, Catch::Contains("session.serve actor=firm-a outcome=completed"));
  CHECK_THAT(responderLog, !Catch::Contains("overlap="));
  auto requesterLog = readFile(firms.net.dir("firm-a") / "node.log");
  CHECK_THAT(requesterLog, Catch::Contains("match.request actor=initial-admin outcome=completed"));
  CHECK_THAT(requesterLog, Catch::Contains("overlap=" + std::to_string(firms.truth("firm-a", "overlap-analysis").requesterIds.size())));
}

TEST_CASE("no raw identifier reaches a log, an output other than the ids file, or the wire summary") {
  PairedFirms firms(150);
  auto r = firms.net.run("firm-a", {"match", "--peer", "firm-b", "--purpose", "overlap-analysis", "--mode", "ids", "--out",
                                    (firms.net.root() / "ids.csv").string()});
  REQUIRE(r.exitCode == 0);
  std::string logs;
  for (auto firm : {"firm-a", "firm-b"}) {
    logs += readFile(firms.net.dir(firm) / "node.log") + readFile(firms.net.dir(firm) / "node.out");
  }
  logs += r.out + r.err;
  // Every e-mail address of firm-a's file: none may appear.
  std::istringstream csv(readFile(firms.set.firms[0].csv));
  std::string line;
  std::getline(csv, line);
  int checked = 0;
  while (std::getline(csv, line)) {
    std::string email = line.substr(line.find(',') + 1);
    email = email.substr(0, email.find(','));
    if (email.empty()) continue;
    ++checked;
    REQUIRE(logs.find(email) == std::string::npos);
  }
  CHECK(checked > 100);
}

TEST_CASE("the demo runs end to end and agrees with its ground truth") {
  auto r = runCli({"demo", "--firms", "2", "--customers", "300", "--seed", "4"});
  CHECK(r.exitCode == 0);
  CHECK_THAT(r.out, Catch::Contains("all 2 matches equal the ground truth"));
  CHECK_THAT(r.out, Catch::Contains("node stopped"));
}

TEST_CASE("a usage error exits with code 2 and says what is missing") {
  auto r = runCli({"match", "--peer", "x"});
  CHECK(r.exitCode == 2);
  CHECK_THAT(r.err, Catch::Contains("--purpose is required"));
}
