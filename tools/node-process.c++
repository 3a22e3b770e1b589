#include "tools/node-process.h"

#include "node/server/node-config.h"
#include "tools/control-client.h"

#include <fcntl.h>
#include <signal.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

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
  node::NodePaths paths{std::filesystem::absolute(nodeDir)};
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return false;
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::string path = paths.controlSocket().string();
  if (path.size() >= sizeof addr.sun_path) {
    ::close(fd);
    return false;
  }
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  bool ok = ::connect(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

int runEntente(const std::filesystem::path& binary, const std::vector<std::string>& args, std::string* capture) {
  int pipeFds[2] = {-1, -1};
  if (capture != nullptr && pipe(pipeFds) != 0) throw CliError("cannot create a pipe");
  std::vector<char*> argv;
  std::string self = binary.string();
  argv.push_back(self.data());
  std::vector<std::string> copies = args;
  for (auto& a : copies) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) throw CliError("cannot run entente: fork failed");
  if (pid == 0) {
    if (capture != nullptr) {
      dup2(pipeFds[1], STDOUT_FILENO);
      ::close(pipeFds[0]);
      ::close(pipeFds[1]);
    }
    execv(self.c_str(), argv.data());
    _exit(127);
  }
  if (capture != nullptr) {
    ::close(pipeFds[1]);
    char buf[4096];
    for (ssize_t n; (n = ::read(pipeFds[0], buf, sizeof buf)) > 0;) capture->append(buf, static_cast<size_t>(n));
    ::close(pipeFds[0]);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
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
  pid_ = fork();
  if (pid_ < 0) throw CliError("cannot start a node process: fork failed");
  if (pid_ == 0) {
    int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    execl(binary.c_str(), binary.c_str(), "node", "start", "--dir", dir_.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
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
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
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
