// The command tree of `entente` and the walks over it that help, usage errors,
// completions and the manual page share (tools/command-tree.h).
#include "tools/command-tree.h"

#include "tools/build-version.h"
#include "tools/commands.h"
#include "tools/control-client.h"

#include <algorithm>

namespace entente::tools {

void buildCommandLine(CLI::App& app) {
  app.name("entente");
  app.description("entente: find the customers you share with partner firms without showing them your customer file");
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("entente ") + projectVersion() + " (" + gitDescription() + ")",
                       "Print the version and the build's git description, then exit");
  app.footer(
      "Start here:  entente demo                 (two nodes, sample data, a real match)\n"
      "A node:      entente node init --node D --name boats --listen 127.0.0.1:7401 --region FR\n"
      "Help:        entente help COMMAND...      (or entente COMMAND --help)");
  addNodeCommands(app);
  addImportCommand(app);
  addPeerCommands(app);
  addMatchCommand(app);
  addQueryCommands(app);
  addSampleDataCommand(app);
  addDemoCommand(app);
  addBenchCommands(app);
  addTokenCommands(app);
  addConsentCommands(app);
  addCustomerCommands(app);
  addAuditCommands(app);
  addReportCommands(app);
  addHistoryCommands(app);
  addHelpCommands(app);
}

void addNodeOption(CLI::App& command, std::string& into) {
  addNodeFolderOption(command, into);
  command.add_option("--token-file", tokenFileOption(),
                     "File holding your token (default: $ENTENTE_TOKEN, $ENTENTE_TOKEN_FILE, else the node's "
                     "admin.token if you can read it)");
}

void addNodeFolderOption(CLI::App& command, std::string& into, bool dirAlias) {
  command.add_option(dirAlias ? "--node,--dir" : "--node", into,
                     "Node folder (default: $ENTENTE_NODE, else ./entente-node)");
}

std::vector<const CLI::App*> subcommandsOf(const CLI::App& command) {
  return command.get_subcommands(
      [](const CLI::App* sub) { return !sub->get_name().empty() && !sub->get_group().empty() && !sub->get_disabled(); });
}

std::string commandPath(const CLI::App& command) {
  std::string path = command.get_name();
  for (const CLI::App* up = command.get_parent(); up != nullptr; up = up->get_parent()) {
    path = up->get_name() + " " + path;
  }
  return path;
}

const CLI::App* findCommand(const CLI::App& top, const std::vector<std::string>& names, std::string* unknown) {
  const CLI::App* at = &top;
  for (const auto& name : names) {
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : subcommandsOf(*at)) {
      if (sub->get_name() == name) next = sub;
    }
    if (next == nullptr) {
      if (unknown != nullptr) *unknown = name;
      return nullptr;
    }
    at = next;
  }
  return at;
}

std::vector<const CLI::Option*> namedOptions(const CLI::App& command) {
  return command.get_options([](const CLI::Option* option) { return option->nonpositional(); });
}

std::vector<std::string> optionNames(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::Option* option : namedOptions(command)) {
    for (const auto& name : option->get_lnames()) names.push_back("--" + name);
    for (const auto& name : option->get_snames()) names.push_back("-" + name);
  }
  return names;
}

bool takesValue(const CLI::Option& option) { return option.nonpositional() && option.get_type_size() != 0; }

namespace {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
// two neighbouring characters each cost one ("strat" is one edit from "start").
size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::vector<std::string> closestNames(const std::string& word, const std::vector<std::string>& candidates) {
  // One edit in three letters, at most three: "imprt" finds "import", but "node" does
  // not find "demo".
  size_t letters = word.size() - std::min(word.find_first_not_of('-'), word.size());
  size_t within = std::min<size_t>(3, letters / 3 + 1);
  size_t best = within + 1;
  std::vector<std::string> closest;
  for (const auto& candidate : candidates) {
    size_t distance = editDistance(word, candidate);
    if (distance > within || distance > best) continue;
    if (distance < best) closest.clear(), best = distance;
    if (std::find(closest.begin(), closest.end(), candidate) == closest.end()) closest.push_back(candidate);
  }
  if (!closest.empty() || letters < 2) return closest;
  for (const auto& candidate : candidates) {
    if (candidate.rfind(word, 0) == 0) closest.push_back(candidate);
  }
  return closest;
}

}  // namespace entente::tools
