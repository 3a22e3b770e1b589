// Runs the real `entente` executable for integration tests, and manages the node
// folders and processes a test needs. Everything is real: processes, loopback TCP,
// LMDB files on disk. Waits are on conditions with deadlines, never fixed sleeps.
#pragma once

#include "tests/support/temp-dir.h"
#include "tools/child-process.h"
#include "tools/node-process.h"

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>
#include <string>
#include <vector>

namespace entente::testing {

// The exit code and the captured stdout and stderr of one run.
using CliResult = tools::ChildResult;

// The entente binary built alongside the tests (path set by CMake).
std::filesystem::path ententeBinary();

// Runs `entente args...` to completion, capturing stdout and stderr.
CliResult runCli(const std::vector<std::string>& args);

// A top-level unsigned number of the one-line JSON objects the CLI prints.
uint64_t jsonNumber(const std::string& json, const std::string& key);
// The same for a number with a fraction (CPU seconds).
double jsonReal(const std::string& json, const std::string& key);

// Reads a whole file ("" when missing).
std::string readFile(const std::filesystem::path& file);

// Polls `condition` until true or the deadline; returns its last value. A poll, not a
// wait on a signal: what the tests wait for happens in another process (a node's log
// line, its exit, a count it reports), which has no way to wake this one. The 20 ms
// between polls only bounds how soon a condition already true is seen.
template <typename Condition>
bool waitFor(Condition condition, std::chrono::milliseconds within = std::chrono::seconds(30)) {
  auto deadline = std::chrono::steady_clock::now() + within;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// Nodes in a temporary folder, on free loopback ports.
class TestNetwork {
 public:
  // Creates (`entente node init`) and starts a node.
  void addNode(const std::string& name, const std::string& region);
  // `entente peer invite` on `inviter`, `entente peer accept` on `accepter`: both
  // nodes then know each other.
  void pair(const std::string& inviter, const std::string& accepter);
  // An invitation from `node` offering `purposes`.
  std::string invite(const std::string& node, const std::string& purposes = "overlap-analysis,cross-selling");
  // Runs `entente args... --node <dir of node>`.
  CliResult run(const std::string& node, std::vector<std::string> args);

  std::filesystem::path dir(const std::string& node) const { return root_ / node; }
  std::string address(const std::string& node) const { return addresses_.at(node); }
  tools::NodeProcess& process(const std::string& node) { return *processes_.at(node); }
  // Stops the node (SIGTERM) if it runs, and starts it again on its folder.
  void restart(const std::string& node);
  const std::filesystem::path& root() const { return root_.path(); }
  // Puts `settings` (TOML lines) at the top of the node's node.toml and restarts it.
  void configure(const std::string& node, const std::string& settings);
  // The admin address the node chose for port 0 and wrote back to node.toml.
  std::string adminAddress(const std::string& node) const;

 private:
  TempDir root_;
  std::map<std::string, std::string> addresses_;
  std::map<std::string, std::unique_ptr<tools::NodeProcess>> processes_;
};

}  // namespace entente::testing
