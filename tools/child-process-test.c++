#include "tools/child-process.h"

#include "tools/control-client.h"

#include <catch2/catch.hpp>

#include <csignal>

using namespace entente::tools;

namespace {

const std::filesystem::path kShell = "/bin/sh";

}  // namespace

TEST_CASE("a child run to completion reports its exit code, stdout and stderr") {
  auto result = runChild(kShell, {"-c", "echo out; echo err >&2; exit 3"}, Capture::STDOUT_AND_STDERR);
  CHECK(result.exitCode == 3);
  CHECK(result.out == "out\n");
  CHECK(result.err == "err\n");
}

TEST_CASE("a child that writes more than a pipe holds is captured whole") {
  auto result = runChild(kShell, {"-c", "head -c 300000 /dev/zero"}, Capture::STDOUT);
  CHECK(result.exitCode == 0);
  CHECK(result.out.size() == 300000);
}

TEST_CASE("a child ended by a signal reports 128 plus the signal") {
  CHECK(waitForChild(startChild(kShell, {"-c", "kill -TERM $$"})) == 128 + SIGTERM);
}

TEST_CASE("a program that cannot be executed is an error naming it and the reason") {
  CHECK_THROWS_MATCHES(runChild("/nonexistent/entente", {"node", "status"}, Capture::STDOUT), CliError,
                       Catch::Message("cannot run /nonexistent/entente: No such file or directory"));
}
