// The command tree of `entente`, read from the CLI11 application that main builds:
// the one source of the help, the "did you mean" of usage errors, the shell
// completions and the manual page, so that none of them can name a command or an
// option the binary does not have.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace entente::tools {

// Builds the whole command line of `entente` into `app` (named "entente"): every
// command group, `help`, `completion`, `manpage` and --version.
void buildCommandLine(CLI::App& app);

// The commands under `command` that a user may type, in the order they were added
// (hidden ones, with an empty group, left out).
std::vector<const CLI::App*> subcommandsOf(const CLI::App& command);

// The command's name as typed from the top: "entente node start".
std::string commandPath(const CLI::App& command);

// The command reached by following `names` from `top`, or nullptr; `unknown` gets the
// first name that is not a command there.
const CLI::App* findCommand(const CLI::App& top, const std::vector<std::string>& names, std::string* unknown = nullptr);

// The long and short option names of `command` ("--node", "-h"), help included.
std::vector<std::string> optionNames(const CLI::App& command);

// The named (not positional) options of `command`, help included.
std::vector<const CLI::Option*> namedOptions(const CLI::App& command);

// Whether the option takes a value (--node DIR) rather than being a flag (--json).
bool takesValue(const CLI::Option& option);

// The names among `candidates` closest to `word` by edit distance (a swap of two
// neighbouring letters is one edit), when close enough to be a likely typo; else
// those that start with `word`. Leading dashes are compared like letters.
std::vector<std::string> closestNames(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace entente::tools
