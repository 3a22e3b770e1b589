// The node's Prometheus metrics, as a firm's monitoring scrapes them: from the admin
// address, parsed by Prometheus' own text-format parser (python3-prometheus-client,
// Debian's), and moving when a session runs.
#include "tests/support/entente-cli.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

using namespace entente::testing;

namespace {

// Fetches `path` from the node's admin address with Python's urllib and, for
// /metrics, parses it with prometheus_client: prints one "name{labels} value" line per
// sample (labels sorted), or "HTTP <code>" for an error status.
const char* kScrape = R"(
import sys, urllib.request, urllib.error
from prometheus_client.parser import text_string_to_metric_families
url, method = sys.argv[1], sys.argv[2]
try:
    with urllib.request.urlopen(urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)) as r:
        text = r.read().decode()
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), r.headers["Content-Type"]
except urllib.error.HTTPError as e:
    print("HTTP", e.code)
    sys.exit(0)
for family in text_string_to_metric_families(text):
    for s in family.samples:
        labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
        print(f"{s.name}{{{labels}}} {s.value}")
)";

struct Scrape {
  std::map<std::string, double> samples;
  std::string error;
  double operator[](const std::string& key) const {
    auto it = samples.find(key);
    return it == samples.end() ? -1 : it->second;
  }
};

Scrape scrape(const TestNetwork& net, const std::string& address, const std::string& path = "/metrics",
              const std::string& method = "GET") {
  auto script = net.root() / "scrape.py";
  std::ofstream(script) << kScrape;
  auto r = entente::tools::runChild("/usr/bin/python3", {script.string(), "http://" + address + path, method},
                                    entente::tools::Capture::STDOUT_AND_STDERR);
  INFO(r.err);
  REQUIRE(r.exitCode == 0);
  Scrape out;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("HTTP ", 0) == 0) {
      out.error = line;
      continue;
    }
    auto space = line.rfind(' ');
    out.samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

std::string adminAddress(const TestNetwork& net, const std::string& node) { return net.adminAddress(node); }

void enableAdmin(TestNetwork& net, const std::string& node) { net.configure(node, "admin_listen = \"127.0.0.1:0\""); }

}  // namespace

TEST_CASE("metrics parse with Prometheus' parser and move when a session runs") {
  TestNetwork net;
  net.addNode("boats", "FR");
  net.addNode("travel", "FR");
  net.pair("boats", "travel");
  REQUIRE(net.run("travel", {"peer", "policy", "boats", "--min-query", "1", "--min-overlap", "0"}).exitCode == 0);
  REQUIRE(net.run("boats", {"peer", "policy", "travel", "--min-query", "1", "--min-overlap", "0"}).exitCode == 0);
  std::ofstream(net.root() / "boats.csv") << "customer_id,email,consent_overlap-analysis\nB1,ana@example.pt,yes\n"
                                             "B2,joao@example.pt,yes\nB3,eva@example.fi,yes\n";
  std::ofstream(net.root() / "travel.csv") << "customer_id,email,consent_overlap-analysis\nT1,ana@example.pt,yes\n"
                                              "T2,joao@example.pt,yes\n";
  REQUIRE(net.run("boats", {"import", (net.root() / "boats.csv").string()}).exitCode == 0);
  REQUIRE(net.run("travel", {"import", (net.root() / "travel.csv").string()}).exitCode == 0);
  enableAdmin(net, "boats");
  enableAdmin(net, "travel");
  auto boats = adminAddress(net, "boats");
  auto travel = adminAddress(net, "travel");

  auto before = scrape(net, boats);
  CHECK(before["entente_customers{}"] == 3);
  CHECK(before["entente_audit_entries{}"] > 0);
  CHECK(before["entente_store_bytes{}"] > 0);
  // The restart signed a checkpoint a moment ago.
  CHECK(before["entente_audit_checkpoint_age_seconds{}"] >= 0);
  CHECK(before["entente_audit_checkpoint_age_seconds{}"] < 120);
  const std::string requester =
      "entente_sessions_total{mode=\"count\",outcome=\"completed\",partner=\"travel\",purpose=\"overlap-analysis\","
      "role=\"requester\"}";
  CHECK(before[requester] == -1);  // no session yet

  auto match = net.run("boats", {"match", "--peer", "travel", "--purpose", "overlap-analysis", "--mode", "count",
                                 "--kinds", "email"});
  REQUIRE(match.exitCode == 0);
  auto after = scrape(net, boats);
  CHECK(after[requester] == 1);
  CHECK(after["entente_session_duration_seconds_count{role=\"requester\"}"] == 1);
  CHECK(after["entente_audit_entries{}"] > before["entente_audit_entries{}"]);
  auto served = scrape(net, travel);
  CHECK(served["entente_sessions_total{mode=\"count\",outcome=\"completed\",partner=\"boats\","
               "purpose=\"overlap-analysis\",role=\"responder\"}"] == 1);
  CHECK(served["entente_session_duration_seconds_count{role=\"responder\"}"] == 1);

  // A refused session is counted by its reason on the side that refused.
  REQUIRE(net.run("travel", {"peer", "policy", "boats", "--purposes", "overlap-analysis"}).exitCode == 0);
  CHECK(net.run("boats", {"match", "--peer", "travel", "--purpose", "cross-selling", "--mode", "count"}).exitCode == 1);
  auto refused = scrape(net, travel);
  double refusals = 0;
  for (auto& [key, value] : refused.samples) {
    if (key.rfind("entente_refusals_total{kind=\"session\"", 0) == 0) refusals += value;
  }
  CHECK(refusals == 1);

  // Read-only; the reports' pages need a login (tests/web-report-test.c++).
  CHECK(scrape(net, boats, "/reports/consent").error == "HTTP 401");
  CHECK(scrape(net, boats, "/metrics", "POST").error == "HTTP 405");
}

TEST_CASE("an admin address off loopback without TLS is refused with what to do instead") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto path = net.dir("boats") / "node.toml";
  std::string config = readFile(path);
  std::ofstream(path) << "admin_listen = \"0.0.0.0:7480\"\n" << config;
  auto r = net.run("boats", {"node", "status"});
  CHECK(r.exitCode != 0);
  CHECK_THAT(r.err, Catch::Contains("needs TLS") && Catch::Contains("admin_tls_certificate") &&
                        Catch::Contains("127.0.0.1"));
}
