// The command line as a user meets it, run as the real `entente` binary with no node:
// usage errors that name the typo, --version, `help`, the completion scripts and the
// manual page generated from the command tree. The check that the documentation names
// only flags the binary has is in docs-flags-test.c++.
#include "tests/support/entente-cli.h"
#include "tools/build-version.h"

#include <catch2/catch.hpp>

#include <fstream>

using namespace entente::testing;

namespace {

// Runs `script` with bash, capturing its output.
CliResult runBash(const std::string& script) {
  return entente::tools::runChild("/bin/bash", {"-c", script}, entente::tools::Capture::STDOUT_AND_STDERR);
}

std::filesystem::path writeFile(const TempDir& dir, const std::string& name, const std::string& content) {
  auto path = dir.path() / name;
  std::ofstream(path) << content;
  return path;
}

}  // namespace

TEST_CASE("a mistyped command is named with what it probably meant, exit code 2") {
  auto top = runCli({"imprt", "x.csv"});
  CHECK(top.exitCode == 2);
  CHECK_THAT(top.err, Catch::Contains("unknown command 'imprt'") && Catch::Contains("did you mean 'import'?"));
  CHECK_THAT(top.err, !Catch::Contains("subcommand is required"));
  auto node = runCli({"node", "strat"});
  CHECK(node.exitCode == 2);
  CHECK_THAT(node.err, Catch::Contains("unknown command 'strat' for `entente node`; did you mean 'start'?"));
  auto peer = runCli({"peer", "lsit"});
  CHECK(peer.exitCode == 2);
  CHECK_THAT(peer.err, Catch::Contains("did you mean 'list'?"));
}

TEST_CASE("a mistyped option is named before the required option it leaves missing") {
  auto r = runCli({"match", "--peer", "travel", "--purpose", "overlap-analysis", "--mdoe", "count"});
  CHECK(r.exitCode == 2);
  CHECK_THAT(r.err, Catch::Contains("unknown option --mdoe for `entente match`; did you mean --mode?"));
  CHECK_THAT(r.err, !Catch::Contains("--mode is required"));
}

TEST_CASE("entente --version prints the project version and the build's git description") {
  auto r = runCli({"--version"});
  CHECK(r.exitCode == 0);
  CHECK_THAT(r.out, Catch::StartsWith(std::string("entente ") + entente::tools::projectVersion()));
  CHECK_THAT(r.out, Catch::Contains(std::string("(") + entente::tools::gitDescription() + ")"));
  CHECK(std::string(entente::tools::gitDescription()).size() > 0);
}

TEST_CASE("entente help COMMAND prints what COMMAND --help prints") {
  for (std::vector<std::string> path : {std::vector<std::string>{}, {"node"}, {"node", "start"}, {"peer", "policy"}}) {
    auto viaHelp = path;
    viaHelp.insert(viaHelp.begin(), "help");
    auto viaFlag = path;
    viaFlag.push_back("--help");
    auto help = runCli(viaHelp);
    auto flag = runCli(viaFlag);
    CHECK(help.exitCode == 0);
    CHECK(flag.exitCode == 0);
    CHECK(help.out == flag.out);
  }
  CHECK_THAT(runCli({"help", "node", "start"}).out, Catch::Contains("Usage: entente node start"));
}

TEST_CASE("entente help of an unknown command suggests the closest one") {
  auto r = runCli({"help", "peer", "polcy"});
  CHECK(r.exitCode == 2);
  CHECK_THAT(r.err, Catch::Contains("no command 'polcy' in `entente peer`; did you mean 'policy'?"));
}

TEST_CASE("the bash completion script parses and completes commands and options from the tree") {
  TempDir dir;
  auto script = runCli({"completion", "bash"});
  REQUIRE(script.exitCode == 0);
  auto file = writeFile(dir, "entente.bash", script.out);
  CHECK(runBash("bash -n " + file.string()).exitCode == 0);
  auto complete = [&](const std::string& words, int cword) {
    auto r = runBash("source " + file.string() + "; COMP_WORDS=(" + words + "); COMP_CWORD=" + std::to_string(cword) +
                     "; _entente; echo \"${COMPREPLY[*]}\"");
    CHECK(r.exitCode == 0);
    return r.out;
  };
  CHECK(complete("entente pe", 1) == "peer\n");
  CHECK(complete("entente node st", 2) == "start stop status\n");
  CHECK_THAT(complete("entente match --mo", 2), Catch::Contains("--mode"));
  CHECK_THAT(complete("entente node init --n", 3), Catch::Contains("--node") && Catch::Contains("--name"));
}

TEST_CASE("the zsh completion script covers the same commands") {
  auto r = runCli({"completion", "zsh"});
  REQUIRE(r.exitCode == 0);
  CHECK_THAT(r.out, Catch::StartsWith("#compdef entente"));
  CHECK_THAT(r.out, Catch::Contains("\"/peer/policy\")") && Catch::Contains("--min-overlap"));
  if (std::filesystem::exists("/bin/zsh") || std::filesystem::exists("/usr/bin/zsh")) {
    TempDir dir;
    auto file = writeFile(dir, "_entente", r.out);
    CHECK(entente::tools::runChild("/usr/bin/env", {"zsh", "-n", file.string()}, entente::tools::Capture::STDOUT_AND_STDERR)
              .exitCode == 0);
  }
}

TEST_CASE("the manual page names every top-level command and formats without warnings") {
  auto page = runCli({"manpage"});
  REQUIRE(page.exitCode == 0);
  CHECK_THAT(page.out, Catch::Contains(".TH ENTENTE 1"));
  auto help = runCli({"help"}).out;
  auto commands = help.substr(help.find("Subcommands:"));
  size_t found = 0;
  std::istringstream lines(commands);
  std::string line;
  std::getline(lines, line);  // "Subcommands:"
  while (std::getline(lines, line) && line.rfind("  ", 0) == 0) {
    std::string name = line.substr(2, line.find(' ', 2) - 2), roffName;
    for (char c : name) roffName += c == '-' ? std::string("\\-") : std::string(1, c);
    CHECK_THAT(page.out, Catch::Contains(".SS entente " + roffName + "\n"));
    ++found;
  }
  CHECK(found >= 12);
  if (std::filesystem::exists("/usr/bin/groff")) {
    TempDir dir;
    auto file = writeFile(dir, "entente.1", page.out);
    auto r = runBash("groff -man -Tutf8 -ww " + file.string() + " 2>&1 >/dev/null");
    CHECK(r.exitCode == 0);
    CHECK(r.out == "");
  }
}

TEST_CASE("the help of token create promises no feature that is missing") {
  auto r = runCli({"token", "create", "--help"});
  CHECK(r.exitCode == 0);
  CHECK_THAT(r.out, !Catch::Contains("coming"));
}

TEST_CASE("sample-data prints import commands that read each firm's own date format") {
  TempDir dir;
  auto r = runCli({"sample-data", "--out", (dir.path() / "data").string(), "--firms", "2", "--customers", "50"});
  REQUIRE(r.exitCode == 0);
  // firm-b writes dates day first (07/05/1995): its command must say so, or import drops them.
  auto line = r.out.substr(r.out.find("firm-b:"));
  line = line.substr(0, line.find("expected"));
  CHECK_THAT(line, Catch::Contains("--date-format '%d/%m/%Y'"));
}
