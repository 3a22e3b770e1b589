#include "tools/child-process.h"

#include "tools/control-client.h"

#include <kj/io.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace entente::tools {
namespace {

[[noreturn]] void failToRun(const std::filesystem::path& program, int error) {
  throw CliError("cannot run " + program.string() + ": " + std::strerror(error));
}

// An anonymous in-memory file for one captured stream. The child may write any amount
// into it before we read, so that, unlike a pipe, it never fills up while we wait for
// the child to end.
kj::AutoCloseFd captureFile(const std::filesystem::path& program, const char* name) {
  int fd = ::memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) failToRun(program, errno);
  return kj::AutoCloseFd(fd);
}

std::string readCaptured(int fd) {
  std::string text;
  char buffer[4096];
  off_t offset = 0;
  for (;;) {
    ssize_t n = ::pread(fd, buffer, sizeof buffer, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
    offset += n;
  }
  return text;
}

// In the child, after a failed dup2 or exec: tells the parent why, and ends.
[[noreturn]] void reportAndExit(int reportFd) {
  int error = errno;
  ssize_t written = ::write(reportFd, &error, sizeof error);
  static_cast<void>(written);  // nobody is left to tell
  ::_exit(127);
}

}  // namespace

pid_t startChild(const std::filesystem::path& program, const std::vector<std::string>& args, int stdoutFd,
                 int stderrFd) {
  // Built before the fork: allocating is not async-signal-safe.
  std::string path = program.string();
  std::vector<std::string> copies = args;  // execv takes non-const strings
  std::vector<char*> argv{path.data()};
  for (auto& arg : copies) argv.push_back(arg.data());
  argv.push_back(nullptr);

  // The child writes its errno here when it cannot exec; a successful exec closes the
  // pipe, so the parent reads either the reason or the end.
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) failToRun(program, errno);
  kj::AutoCloseFd reportIn(report[0]), reportOut(report[1]);

  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = ::fork();
  if (pid < 0) failToRun(program, errno);
  if (pid == 0) {
    if (stdoutFd >= 0 && ::dup2(stdoutFd, STDOUT_FILENO) < 0) reportAndExit(report[1]);
    if (stderrFd >= 0 && ::dup2(stderrFd, STDERR_FILENO) < 0) reportAndExit(report[1]);
    ::execv(path.c_str(), argv.data());
    reportAndExit(report[1]);
  }

  reportOut = nullptr;
  int error = 0;
  ssize_t n;
  do {
    n = ::read(reportIn.get(), &error, sizeof error);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof error)) {
    waitForChild(pid);
    failToRun(program, error);
  }
  return pid;
}

int exitCodeOf(int waitStatus) {
  return WIFEXITED(waitStatus) ? WEXITSTATUS(waitStatus) : 128 + WTERMSIG(waitStatus);
}

int waitForChild(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      throw CliError("lost track of child process " + std::to_string(pid) + ": " + std::strerror(errno));
    }
  }
  return exitCodeOf(status);
}

ChildResult runChild(const std::filesystem::path& program, const std::vector<std::string>& args, Capture capture) {
  kj::AutoCloseFd out = captureFile(program, "entente-child-stdout");
  kj::AutoCloseFd err;
  if (capture == Capture::STDOUT_AND_STDERR) err = captureFile(program, "entente-child-stderr");
  pid_t pid = startChild(program, args, out.get(), err == nullptr ? kInheritOutput : err.get());
  ChildResult result;
  result.exitCode = waitForChild(pid);
  result.out = readCaptured(out.get());
  if (err != nullptr) result.err = readCaptured(err.get());
  return result;
}

}  // namespace entente::tools
