// `entente import` against a real node: what IT staff see when they load exports.
#include "tests/support/entente-cli.h"
#include "tools/commands.h"
#include "tools/sample-population.h"

#include <catch2/catch.hpp>

#include <fstream>

using namespace entente;
using namespace entente::testing;

namespace {

uint64_t customers(TestNetwork& net, const std::string& node) {
  auto r = net.run(node, {"node", "status", "--json"});
  REQUIRE(r.exitCode == 0);
  return jsonNumber(r.out, "customers");
}

}  // namespace

TEST_CASE("a second import of the same file changes nothing") {
  TestNetwork net;
  auto set = sample::writeSampleSet({2, 300, 0.5, 5}, net.root() / "data");
  net.addNode("firm-b", "ES");
  auto args = tools::importArgsFor(set.firms[1]);
  args.push_back("--json");
  auto first = net.run("firm-b", args);
  REQUIRE(first.exitCode == 0);
  CHECK(jsonNumber(first.out, "inserted") == 300);
  auto store = readFile(net.dir("firm-b") / "store" / "data.mdb");
  auto second = net.run("firm-b", args);
  REQUIRE(second.exitCode == 0);
  CHECK(jsonNumber(second.out, "unchanged") == 300);
  CHECK(jsonNumber(second.out, "inserted") == 0);
  CHECK(jsonNumber(second.out, "updated") == 0);
  CHECK(customers(net, "firm-b") == 300);
}

TEST_CASE("bad rows are rejected with their line and reason while the good rows go in") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto file = net.root() / "crm.csv";
  std::ofstream(file) << "customer_id,email,phone,segment\n"
                         "C1,ana@example.pt,+351912345678,sailing\n"
                         "C2,not-an-email,,sailing\n"                    // line 3: bad e-mail
                         "C3,\"unterminated,+33612345678,x\n"            // line 4: open quote...
                         "C4,joao@example.pt,+351912345679,family\n"
                         ",nobody@example.fr,,family\n"                  // no customer_id
                         "C5,eva@example.fi,040 123 4567,extra,field\n"  // too many fields
                         "C6,eva@example.fi,,family\n";
  auto r = net.run("boats", {"import", file.string(), "--json"});
  REQUIRE(r.exitCode == 0);
  CHECK_THAT(r.err, Catch::Contains("crm.csv:3: rejected: email"));
  CHECK_THAT(r.err, Catch::Contains("crm.csv:4: rejected"));
  CHECK_THAT(r.err, Catch::Contains("customer_id is empty"));
  CHECK_THAT(r.err, Catch::Contains("has 5 fields where the header has 4"));
  CHECK_THAT(r.err, !Catch::Contains("not-an-email"));
  CHECK(jsonNumber(r.out, "inserted") == 3);  // C1, C4, C6
  CHECK(jsonNumber(r.out, "rejected") == 4);
  CHECK(customers(net, "boats") == 3);
}

TEST_CASE("a file without a customer_id column is refused before anything is stored") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto file = net.root() / "crm.csv";
  std::ofstream(file) << "Client,email\nC1,a@b.fr\n";
  auto r = net.run("boats", {"import", file.string()});
  CHECK(r.exitCode == 2);
  CHECK_THAT(r.err, Catch::Contains("--map 'YOUR COLUMN=customer_id'"));
  CHECK(customers(net, "boats") == 0);
  auto mapped = net.run("boats", {"import", file.string(), "--map", "Client=customer_id"});
  CHECK(mapped.exitCode == 0);
  CHECK(customers(net, "boats") == 1);
}

TEST_CASE("a --map to a column that is not canonical is refused with the list of canonical ones") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto file = net.root() / "crm.csv";
  std::ofstream(file) << "customer_id,Mail\nC1,a@b.fr\n";
  auto r = net.run("boats", {"import", file.string(), "--map", "Mail=e-mail"});
  CHECK(r.exitCode == 2);
  CHECK_THAT(r.err, Catch::Contains("not a canonical column"));
}

TEST_CASE("a missing file is reported by name") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto r = net.run("boats", {"import", (net.root() / "nope.csv").string()});
  CHECK(r.exitCode == 2);
  CHECK_THAT(r.err, Catch::Contains("nope.csv"));
}
