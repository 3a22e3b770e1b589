#include "tests/support/entente-cli.h"

#include "node/server/node-config.h"

#include <signal.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace entente::testing {

std::filesystem::path ententeBinary() { return ENTENTE_BINARY; }

namespace {
// The text right after `"key":` in a one-line JSON object.
std::string valueOf(const std::string& json, const std::string& key) {
  auto at = json.find("\"" + key + "\":");
  if (at == std::string::npos) throw std::runtime_error("no \"" + key + "\" in: " + json);
  return json.substr(at + key.size() + 3);
}
}  // namespace

uint64_t jsonNumber(const std::string& json, const std::string& key) { return std::stoull(valueOf(json, key)); }

double jsonReal(const std::string& json, const std::string& key) { return std::stod(valueOf(json, key)); }

std::string readFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream all;
  all << in.rdbuf();
  return all.str();
}

CliResult runCli(const std::vector<std::string>& args) {
  return tools::runChild(ententeBinary(), args, tools::Capture::STDOUT_AND_STDERR);
}

void TestNetwork::addNode(const std::string& name, const std::string& region) {
  // Port 0: the node binds any free port at its first start and writes it to
  // node.toml, so that parallel tests cannot race for a port.
  std::string address = "127.0.0.1:0";
  // Test nodes keep their keys unprotected: Argon2id at production cost would make
  // every test start slow. One test seals a key for real (trust-test.c++).
  auto init = runCli({"node", "init", "--node", dir(name).string(), "--name", name, "--listen", address, "--region",
                      region, "--consortium", "test", "--insecure-plaintext-key"});
  if (init.exitCode != 0) throw std::runtime_error("node init failed: " + init.err);
  processes_[name] = std::make_unique<tools::NodeProcess>(ententeBinary(), dir(name));
  addresses_[name] = node::NodeConfig::load(dir(name)).listen;
}

void TestNetwork::configure(const std::string& node, const std::string& settings) {
  auto path = dir(node) / "node.toml";
  std::string config = readFile(path);
  std::ofstream(path) << settings << "\n" << config;
  restart(node);
}

std::string TestNetwork::adminAddress(const std::string& node) const {
  std::smatch m;
  std::string config = readFile(dir(node) / "node.toml");
  if (!std::regex_search(config, m, std::regex("admin_listen = '([^']+)'|admin_listen = \"([^\"]+)\""))) {
    throw std::runtime_error("node " + node + " has no admin_listen");
  }
  return m[1].matched ? m[1].str() : m[2].str();
}

void TestNetwork::restart(const std::string& node) {
  processes_.at(node)->stop(SIGTERM);
  processes_[node] = std::make_unique<tools::NodeProcess>(ententeBinary(), dir(node));
}

std::string TestNetwork::invite(const std::string& node, const std::string& purposes) {
  auto r = run(node, {"peer", "invite", "--purposes", purposes});
  if (r.exitCode != 0) throw std::runtime_error("peer invite failed: " + r.err);
  std::string invitation = r.out;
  while (!invitation.empty() && invitation.back() == '\n') invitation.pop_back();
  return invitation;
}

void TestNetwork::pair(const std::string& inviter, const std::string& accepter) {
  auto r = run(accepter, {"peer", "accept", invite(inviter)});
  if (r.exitCode != 0) throw std::runtime_error("peer accept failed: " + r.err);
}

CliResult TestNetwork::run(const std::string& node, std::vector<std::string> args) {
  args.push_back("--node");
  args.push_back(dir(node).string());
  return runCli(args);
}

}  // namespace entente::testing
