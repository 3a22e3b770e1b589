#include "tools/node-process.h"

#include "node/server/node-config.h"
#include "protocol/control-socket.h"
#include "tools/child-process.h"
#include "tools/control-client.h"

#include <kj/io.h>

#include <fcntl.h>
#include <signal.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace entente::tools {
namespace {

using Clock = std::chrono::steady_clock;
// How often a wait re-checks its condition.
constexpr auto kPoll = std::chrono::milliseconds(20);

std::string tailOf(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream all;
  all << in.rdbuf();
  std::string text = all.str();
  if (text.size() > 2000) text = "..." + text.substr(text.size() - 2000);
  return text;
}

}  // namespace

std::filesystem::path selfExecutable() { return std::filesystem::read_symlink("/proc/self/exe"); }

bool nodeAnswers(const std::filesystem::path& nodeDir) {
  return protocol::controlSocketAnswers(node::NodePaths{std::filesystem::absolute(nodeDir)}.controlSocket());
}

int runEntente(const std::filesystem::path& binary, const std::vector<std::string>& args, std::string* capture) {
  if (capture == nullptr) return waitForChild(startChild(binary, args));
  ChildResult result = runChild(binary, args, Capture::STDOUT);
  capture->append(result.out);
  return result.exitCode;
}

uint16_t freeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t length = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<struct sockaddr*>(&addr), &length) != 0) {
    if (fd >= 0) ::close(fd);
    throw CliError("cannot find a free port on 127.0.0.1");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

NodeProcess::NodeProcess(const std::filesystem::path& binary, const std::filesystem::path& nodeDir,
                         std::chrono::milliseconds readyWithin)
    : dir_(std::filesystem::absolute(nodeDir)) {
  auto out = dir_ / "node.out";
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    int error = errno;
    throw CliError("cannot start the node in " + dir_.string() + ": cannot open " + out.string() +
                   " for its output: " + std::strerror(error));
  }
  kj::AutoCloseFd output(fd);
  pid_ = startChild(binary, {"node", "start", "--node", dir_.string()}, output.get(), output.get());
  auto deadline = Clock::now() + readyWithin;
  while (!nodeAnswers(dir_)) {
    if (!running()) {
      throw CliError("the node in " + dir_.string() + " exited at start:\n" + tailOf(out));
    }
    if (Clock::now() > deadline) {
      stop(SIGKILL);
      throw CliError("the node in " + dir_.string() + " did not answer within " +
                     std::to_string(readyWithin.count()) + " ms:\n" + tailOf(out));
    }
    std::this_thread::sleep_for(kPoll);
  }
}

NodeProcess::~NodeProcess() {
  if (pid_ > 0 && running()) {
    if (stop(SIGTERM, std::chrono::seconds(10)) < 0) stop(SIGKILL);
  }
}

bool NodeProcess::running() {
  if (status_ >= 0) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    status_ = exitCodeOf(status);
    return false;
  }
  return r == 0;
}

int NodeProcess::waitForExit(std::chrono::milliseconds within) {
  auto deadline = Clock::now() + within;
  while (running()) {
    if (Clock::now() > deadline) return -1;
    std::this_thread::sleep_for(kPoll);
  }
  return status_;
}

int NodeProcess::stop(int signal, std::chrono::milliseconds within) {
  if (running()) ::kill(pid_, signal);
  return waitForExit(within);
}

}  // namespace entente::tools
