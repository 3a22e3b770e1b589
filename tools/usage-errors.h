// Usage errors of `entente`, said so that a typo is quick to fix. An unknown command
// or option is always named, with the closest names that command knows ("did you
// mean ...?"), and it is reported before the complaint it causes ("a subcommand is
// required", "--mode is required"), which would otherwise hide it. Exit code 2, as
// for every usage error (docs/operations.md).
#pragma once

#include <CLI/CLI.hpp>

#include <ostream>

namespace entente::tools {

// Reports the failed parse of `app` (already parsed, so that CLI11's leftovers tell
// what it did not know) to `err` and returns the exit code.
int reportUsageError(const CLI::App& app, const CLI::ParseError& error, std::ostream& err);

}  // namespace entente::tools
