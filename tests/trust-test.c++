// Trust between partners with real processes on loopback: identities, mutual TLS
// pinned at pairing, refusals before any RPC, revocation, per-partner policy and the
// roles of local tokens.
#include "tests/support/entente-cli.h"
#include "tools/commands.h"
#include "tools/sample-population.h"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <future>

using namespace entente;
using namespace entente::testing;

namespace {

bool logHas(TestNetwork& net, const std::string& node, const std::string& text) {
  return waitFor([&] { return readFile(net.dir(node) / "node.log").find(text) != std::string::npos; },
                 std::chrono::seconds(10));
}

// Two paired firms with sample customers imported.
struct Firms {
  TestNetwork net;
  explicit Firms(uint32_t customers = 200) {
    auto set = sample::writeSampleSet({2, customers, 0.5, 9}, net.root() / "data");
    net.addNode("firm-a", "FR");
    net.addNode("firm-b", "ES");
    net.pair("firm-a", "firm-b");
    for (auto& firm : set.firms) REQUIRE(net.run(firm.firm, tools::importArgsFor(firm)).exitCode == 0);
  }
  CliResult match(const std::string& from, const std::string& to, const std::string& mode = "count",
                  const std::string& purpose = "overlap-analysis") {
    return net.run(from, {"match", "--peer", to, "--purpose", purpose, "--mode", mode, "--json"});
  }
};

// Sends bytes on a plain TCP connection and returns what came back before the close.
std::string plainTcpExchange(const std::string& address, const std::string& send) {
  auto colon = address.rfind(':');
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
  inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr);
  REQUIRE(::connect(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::write(fd, send.data(), send.size()) == static_cast<ssize_t>(send.size()));
  std::string received;
  char buf[512];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) received.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return received;
}

}  // namespace

TEST_CASE("paired nodes match over mutual TLS and show the same safety number") {
  Firms firms;
  auto r = firms.match("firm-a", "firm-b");
  REQUIRE(r.exitCode == 0);
  CHECK(jsonNumber(r.out, "overlap") > 0);
  auto a = firms.net.run("firm-a", {"peer", "show", "firm-b"});
  auto b = firms.net.run("firm-b", {"peer", "show", "firm-a"});
  REQUIRE(a.exitCode == 0);
  REQUIRE(b.exitCode == 0);
  auto number = [](const std::string& text) {
    auto at = text.find("safety number  ");
    return text.substr(at + 15, text.find('\n', at) - at - 15);
  };
  CHECK(number(a.out) == number(b.out));
  CHECK(number(a.out).size() == 71);  // 12 groups of 5 digits and 11 spaces
  // Each side pinned the other's real identity.
  auto idB = firms.net.run("firm-b", {"node", "identity", "--json"});
  CHECK_THAT(a.out, Catch::Contains(idB.out.substr(idB.out.find("\"fingerprint\":\"") + 15, 79)));
}

TEST_CASE("a node that is no longer paired is refused before any RPC") {
  Firms firms;
  REQUIRE(firms.net.run("firm-b", {"peer", "remove", "firm-a"}).exitCode == 0);
  auto r = firms.match("firm-a", "firm-b");
  CHECK(r.exitCode == 1);
  CHECK_THAT(r.err, Catch::Contains("closed the connection before the session started"));
  CHECK(logHas(firms.net, "firm-b", "connection actor=unknown outcome=refused"));
  CHECK(logHas(firms.net, "firm-b", "reason=\"unknown identity: not a paired peer\""));
  CHECK_THAT(readFile(firms.net.dir("firm-b") / "node.log"), !Catch::Contains("session.serve"));
}

TEST_CASE("a node presenting another certificate is refused by the requester") {
  Firms firms;
  // firm-b is re-created from scratch at the same address: same name, new identity.
  REQUIRE(firms.net.process("firm-b").stop(SIGTERM) == 0);
  auto address = firms.net.address("firm-b");
  std::filesystem::remove_all(firms.net.dir("firm-b"));
  REQUIRE(runCli({"node", "init", "--dir", firms.net.dir("firm-b").string(), "--name", "firm-b", "--listen", address,
                  "--region", "ES", "--consortium", "test", "--insecure-plaintext-key"})
              .exitCode == 0);
  tools::NodeProcess impostor(ententeBinary(), firms.net.dir("firm-b"));
  auto r = firms.match("firm-a", "firm-b");
  CHECK(r.exitCode == 1);
  CHECK_THAT(r.err, Catch::Contains("presented another identity than the one paired with"));
}

TEST_CASE("a plain-TCP client is refused and the refusal is logged with its address") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto reply = plainTcpExchange(net.address("boats"), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(reply.find("HTTP") == std::string::npos);
  // The line carries the number of the refusal's audit entry: it was recorded there too.
  CHECK(logHas(net, "boats", "connection actor=unknown outcome=refused entry="));
  CHECK(logHas(net, "boats", " remote=127.0.0.1:"));
}

TEST_CASE("a TLS 1.2 client is refused") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto command = "openssl s_client -tls1_2 -connect " + net.address("boats") + " </dev/null >/dev/null 2>&1";
  CHECK(std::system(command.c_str()) != 0);
  CHECK(logHas(net, "boats", "outcome=refused"));
  CHECK_THAT(readFile(net.dir("boats") / "node.log"), Catch::Contains("protocol version") ||
                                                          Catch::Contains("unsupported protocol"));
}

TEST_CASE("a revoked partner is refused, and revoking closes its open session") {
  Firms firms(20000);
  auto match = std::async(std::launch::async, [&] { return firms.match("firm-a", "firm-b", "ids"); });
  REQUIRE(logHas(firms.net, "firm-b", "session.serve actor=firm-a outcome=opened"));
  auto revoke = firms.net.run("firm-b", {"peer", "revoke", "firm-a"});
  REQUIRE(revoke.exitCode == 0);
  CHECK_THAT(revoke.out, Catch::Contains("1 open connection(s) closed"));
  CHECK(match.get().exitCode == 1);
  auto again = firms.match("firm-a", "firm-b");
  CHECK(again.exitCode == 1);
  CHECK(logHas(firms.net, "firm-b", "reason=\"revoked peer\""));
  CHECK_THAT(firms.net.run("firm-b", {"peer", "list"}).out, Catch::Contains("revoked"));
}

TEST_CASE("a partner asking for a purpose or mode its policy does not allow gets the reason and no session") {
  Firms firms;
  REQUIRE(firms.net.run("firm-b", {"peer", "policy", "firm-a", "--purposes", "overlap-analysis", "--modes", "count"})
              .exitCode == 0);
  auto purpose = firms.match("firm-a", "firm-b", "count", "cross-selling");
  CHECK(purpose.exitCode == 1);
  CHECK_THAT(purpose.err, Catch::Contains("does not allow the purpose 'cross-selling'"));
  auto mode = firms.match("firm-a", "firm-b", "ids");
  CHECK(mode.exitCode == 1);
  CHECK_THAT(mode.err, Catch::Contains("does not allow ids mode"));
  CHECK(firms.match("firm-a", "firm-b", "count").exitCode == 0);
  CHECK_THAT(readFile(firms.net.dir("firm-b") / "node.log"), !Catch::Contains("cross-selling\" mode=ids"));
}

TEST_CASE("a query below the minimum or above the maximum size is refused with the limit") {
  Firms firms;
  REQUIRE(firms.net.run("firm-b", {"peer", "policy", "firm-a", "--min-query", "500"}).exitCode == 0);
  auto small = firms.match("firm-a", "firm-b");
  CHECK(small.exitCode == 1);
  CHECK_THAT(small.err, Catch::Contains("at least 500 customers; this one has "));
  REQUIRE(firms.net.run("firm-b", {"peer", "policy", "firm-a", "--min-query", "10", "--max-query", "100"})
              .exitCode == 0);
  auto large = firms.match("firm-a", "firm-b");
  CHECK(large.exitCode == 1);
  CHECK_THAT(large.err, Catch::Contains("at most 100 customers"));
}

TEST_CASE("a partner over its daily budget is refused until the next day") {
  Firms firms;
  REQUIRE(firms.net.run("firm-b", {"peer", "policy", "firm-a", "--sessions-per-day", "1"}).exitCode == 0);
  CHECK(firms.match("firm-a", "firm-b").exitCode == 0);
  auto second = firms.match("firm-a", "firm-b");
  CHECK(second.exitCode == 1);
  CHECK_THAT(second.err, Catch::Contains("1 sessions per day and today's are spent"));
  REQUIRE(firms.net.run("firm-b", {"peer", "policy", "firm-a", "--sessions-per-day", "10", "--customers-per-day",
                                   "300"})
              .exitCode == 0);
  auto customers = firms.match("firm-a", "firm-b");
  CHECK(customers.exitCode == 1);
  CHECK_THAT(customers.err, Catch::Contains("300 customers per day; ") && Catch::Contains("are used today"));
}

TEST_CASE("the requester shows no count and no ids below the minimum reportable overlap") {
  Firms firms;
  REQUIRE(firms.net.run("firm-a", {"peer", "policy", "firm-b", "--min-overlap", "100000"}).exitCode == 0);
  auto r = firms.net.run("firm-a", {"match", "--peer", "firm-b", "--purpose", "overlap-analysis", "--mode", "ids"});
  REQUIRE(r.exitCode == 0);
  CHECK_THAT(r.out, Catch::Contains("below the minimum group size of 100000"));
  CHECK_THAT(r.out, !Catch::Contains("customer_id"));
}

TEST_CASE("a marketer token can match but cannot import, pair, change policy or issue tokens") {
  Firms firms;
  auto created = firms.net.run("firm-a", {"token", "create", "--role", "marketer", "--name", "ana"});
  REQUIRE(created.exitCode == 0);
  auto tokenFile = firms.net.root() / "ana.token";
  std::ofstream(tokenFile) << created.out;
  auto as = [&](std::vector<std::string> args) {
    args.push_back("--token-file");
    args.push_back(tokenFile.string());
    return firms.net.run("firm-a", args);
  };
  CHECK(as({"match", "--peer", "firm-b", "--purpose", "overlap-analysis", "--mode", "count"}).exitCode == 0);
  auto import = as({"import", (firms.net.root() / "data" / "firm-a.csv").string()});
  CHECK(import.exitCode == 1);
  CHECK_THAT(import.err, Catch::Contains("the token of 'ana' may not import customers"));
  CHECK(as({"peer", "invite"}).exitCode == 1);
  CHECK(as({"peer", "policy", "firm-b", "--min-query", "1"}).exitCode == 1);
  CHECK(as({"token", "create", "--role", "admin", "--name", "ana2"}).exitCode == 1);
  CHECK(logHas(firms.net, "firm-a", "access.denied actor=ana outcome=refused"));
  CHECK(logHas(firms.net, "firm-a", "match.request actor=ana outcome=completed"));
}

TEST_CASE("a compliance token cannot run matches, and a revoked or unknown token cannot log in") {
  Firms firms;
  auto created = firms.net.run("firm-a", {"token", "create", "--role", "compliance", "--name", "carla"});
  REQUIRE(created.exitCode == 0);
  std::string token = created.out.substr(0, created.out.find('\n'));
  auto as = [&](const std::string& secret, std::vector<std::string> args) {
    auto file = firms.net.root() / "t.token";
    std::ofstream(file) << secret << "\n";
    args.push_back("--token-file");
    args.push_back(file.string());
    return firms.net.run("firm-a", args);
  };
  CHECK(as(token, {"peer", "list"}).exitCode == 0);
  CHECK(as(token, {"match", "--peer", "firm-b", "--purpose", "overlap-analysis", "--mode", "count"}).exitCode == 1);
  REQUIRE(firms.net.run("firm-a", {"token", "revoke", "carla"}).exitCode == 0);
  auto revoked = as(token, {"peer", "list"});
  CHECK(revoked.exitCode == 1);
  CHECK_THAT(revoked.err, Catch::Contains("this token was revoked"));
  auto forged = as("ent_forged", {"peer", "list"});
  CHECK(forged.exitCode == 1);
  CHECK_THAT(forged.err, Catch::Contains("not valid on this node"));
  CHECK_THAT(readFile(firms.net.dir("firm-a") / "node.log"), !Catch::Contains(token));
}

TEST_CASE("a stolen node folder without the passphrase does not start or reveal the key") {
  TempDir dir;
  auto passphrase = dir / "passphrase";
  std::ofstream(passphrase) << "correct horse battery staple\n";
  std::string address = "127.0.0.1:0";  // any free port, chosen at the first start
  REQUIRE(runCli({"node", "init", "--dir", (dir / "node").string(), "--name", "boats", "--listen", address,
                  "--region", "FR", "--passphrase-file", passphrase.string()})
              .exitCode == 0);
  auto key = readFile(dir / "node" / "identity.key");
  CHECK_THAT(key, Catch::StartsWith("entente-identity-key v1 argon2id"));
  CHECK_THAT(key, !Catch::Contains("PRIVATE KEY"));
  {
    tools::NodeProcess node(ententeBinary(), dir / "node");  // starts with the passphrase
  }
  std::filesystem::copy(dir / "node", dir / "stolen", std::filesystem::copy_options::recursive);
  std::filesystem::remove(passphrase);
  auto r = runCli({"node", "start", "--dir", (dir / "stolen").string()});
  CHECK(r.exitCode != 0);
  CHECK_THAT(r.err, Catch::Contains("passphrase"));
  std::ofstream(passphrase) << "a wrong guess\n";
  auto wrong = runCli({"node", "start", "--dir", (dir / "stolen").string()});
  CHECK(wrong.exitCode != 0);
  CHECK_THAT(wrong.err, Catch::Contains("does not open"));
}

TEST_CASE("an invitation is single-use, expires, and is refused when altered") {
  TestNetwork net;
  net.addNode("boats", "FR");
  net.addNode("travel", "ES");
  net.addNode("insurer", "PT");
  auto invitation = net.invite("boats");
  REQUIRE(net.run("travel", {"peer", "accept", invitation}).exitCode == 0);
  auto reuse = net.run("insurer", {"peer", "accept", invitation});
  CHECK(reuse.exitCode == 1);
  CHECK_THAT(reuse.err, Catch::Contains("already used"));
  auto altered = net.invite("boats");
  altered[30] = altered[30] == 'A' ? 'B' : 'A';
  auto bad = net.run("insurer", {"peer", "accept", altered});
  CHECK(bad.exitCode == 1);
  CHECK_THAT(bad.err, Catch::Contains("altered") || Catch::Contains("damaged"));
  CHECK_THAT(net.run("insurer", {"peer", "list"}).out, Catch::Contains("no peers yet"));
}

TEST_CASE("a re-issued certificate keeps the pairing: partners pin the key") {
  Firms firms;
  auto before = readFile(firms.net.dir("firm-b") / "identity.crt");
  REQUIRE(firms.net.process("firm-b").stop(SIGTERM) == 0);
  auto renew = runCli({"node", "renew-certificate", "--dir", firms.net.dir("firm-b").string()});
  REQUIRE(renew.exitCode == 0);
  CHECK(readFile(firms.net.dir("firm-b") / "identity.crt") != before);
  tools::NodeProcess restarted(ententeBinary(), firms.net.dir("firm-b"));
  CHECK(firms.match("firm-a", "firm-b").exitCode == 0);
}
