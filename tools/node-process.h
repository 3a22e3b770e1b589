// A node started as a child process (`entente node start --dir D`), for the demo, the
// benchmark helpers and the integration tests. Waiting is on conditions (the control
// socket answers, the process exits) with a deadline, never on a fixed sleep.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <cstdint>
#include <string>
#include <vector>

namespace entente::tools {

class NodeProcess {
 public:
  // Starts `ententeBinary node start --dir nodeDir`, its output going to
  // nodeDir/node.out, and waits until its control socket answers. Throws CliError
  // (with the tail of node.out) when it exits or does not answer in time.
  NodeProcess(const std::filesystem::path& ententeBinary, const std::filesystem::path& nodeDir,
              std::chrono::milliseconds readyWithin = std::chrono::seconds(20));
  // Stops the node if it still runs (SIGTERM, then SIGKILL after a grace period).
  ~NodeProcess();
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Sends `signal` and waits for the exit; returns the exit status (or 128+signal).
  int stop(int signal, std::chrono::milliseconds within = std::chrono::seconds(20));
  // Waits for the process to exit by itself (after `entente node stop`).
  int waitForExit(std::chrono::milliseconds within = std::chrono::seconds(20));

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int status_ = -1;
};

// Runs `ententeBinary args...` to completion and returns its exit code. Its stdout
// is appended to `capture` when given, else goes to ours; its stderr is ours. Throws
// CliError when it cannot be started (tools/child-process.h).
int runEntente(const std::filesystem::path& ententeBinary, const std::vector<std::string>& args,
               std::string* capture = nullptr);
// A TCP port on 127.0.0.1 that was free a moment ago (for demo and test nodes).
uint16_t freeLoopbackPort();

// The `entente` executable of this process (for spawning nodes from the demo).
std::filesystem::path selfExecutable();
// True when a control socket in `nodeDir` accepts a connection.
bool nodeAnswers(const std::filesystem::path& nodeDir);

}  // namespace entente::tools
