// The options of `entente match`, shared with `entente query save|run`, which keep a
// match's options under a name and replay them.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

namespace entente::tools {

struct MatchOptions {
  std::string peer, purpose, mode = "count", out, node;
  std::string kinds = "email,phone,name_dob_postal";
  std::string attributes, columns;
  std::vector<std::string> where, by;
  double noise = 0;
  bool json = false, csv = false, force = false;
  std::string queryName;  // set by `entente query run`
};

// Adds the match options to `command`; `forSaving` leaves out --node and --force,
// which belong to where and how a query is saved or run, not to the query.
void addMatchOptions(CLI::App& command, MatchOptions& options, bool forSaving);
void runMatch(const MatchOptions& options);

}  // namespace entente::tools
