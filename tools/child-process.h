// Child processes of the command line and its tests: `entente` run as one command to
// completion, its output captured (the demo, the integration tests), or started as a
// long-running node (tools/node-process.h).
//
// Every fork and exec of the project happens here, so that each caller gets the same
// care: the argument vector is built before the fork, the child makes only
// async-signal-safe calls before exec (the caller may run other threads), our
// buffered output is flushed first so that it comes before the child's, and a program
// that cannot be executed is reported as an error rather than as a puzzling exit code.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace entente::tools {

// Passed as a descriptor below: the child writes to our own stream.
constexpr int kInheritOutput = -1;

// Starts `program args...` (argv[0] is the program's path) with our environment and
// stdin, its stdout written to `stdoutFd` and its stderr to `stderrFd`. Returns its
// pid; the caller reaps it (waitForChild, or waitpid). Throws CliError, naming the
// program and the reason, when it cannot be started or executed.
pid_t startChild(const std::filesystem::path& program, const std::vector<std::string>& args,
                 int stdoutFd = kInheritOutput, int stderrFd = kInheritOutput);

// A wait status as a shell reports it: the exit status, or 128 + the ending signal.
int exitCodeOf(int waitStatus);

// Waits until `pid` ends and returns its exitCodeOf.
int waitForChild(pid_t pid);

// The outcome of a child run to completion.
struct ChildResult {
  int exitCode = -1;
  std::string out;  // its stdout
  std::string err;  // its stderr, when captured
};

// Which of a child's output streams runChild captures; the others are ours.
enum class Capture { STDOUT, STDOUT_AND_STDERR };

// Runs `program args...` to completion as startChild does, capturing its output.
ChildResult runChild(const std::filesystem::path& program, const std::vector<std::string>& args, Capture capture);

}  // namespace entente::tools
