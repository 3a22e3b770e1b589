// entente query save | run | list | history | remove: a marketer's match saved under
// a name, so that a monthly overlap is one command (`entente query run NAME`), and the
// history of its runs (when, who, what was shown, which session) is another. The node
// keeps both (storage/saved-queries.h); the options are checked when saved, exactly
// as `entente match` would read them.
#include "tools/commands.h"
#include "tools/control-client.h"
#include "tools/match-options.h"
#include "tools/match-output.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>

namespace entente::tools {
namespace {

struct QueryOptions {
  std::string name, node;
  bool force = false, json = false, csv = false;
  std::string out;
};

// Reads `arguments` as `entente match` options, so that a typo is refused now and
// not a month later. Throws CliError (exit 2) naming the problem.
MatchOptions readMatchArguments(const std::vector<std::string>& arguments, bool forSaving) {
  MatchOptions options;
  CLI::App scratch("entente match");
  addMatchOptions(scratch, options, forSaving);
  std::vector<std::string> reversed(arguments.rbegin(), arguments.rend());
  try {
    scratch.parse(reversed);
  } catch (const CLI::ParseError& e) {
    throw CliError(std::string("the match options are not valid: ") + e.what() +
                       "; give them as for `entente match`, e.g. --peer travel --purpose overlap-analysis",
                   2);
  }
  return options;
}

// The match options as given on the command line, read back from the parsed `save`
// command (CLI11 keeps each option's strings): what `query run` will replay.
std::vector<std::string> givenMatchOptions(const CLI::App& command) {
  std::vector<std::string> arguments;
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_positional() || option->count() == 0 || option->get_lnames().empty()) continue;
    std::string name = "--" + option->get_lnames().front();
    if (name == "--help" || name == "--force" || name == "--node" || name == "--token-file") continue;
    if (option->get_type_size() == 0) {
      arguments.push_back(name);
      continue;
    }
    for (const auto& value : option->results()) {
      arguments.push_back(name);
      arguments.push_back(value);
    }
  }
  return arguments;
}

void save(QueryOptions& o, const CLI::App& command) {
  auto arguments = givenMatchOptions(command);
  // Read again as `query run` will, so that what is saved is known to replay.
  readMatchArguments(arguments, true);
  ControlClient client(resolveNodeDir(o.node));
  auto request = client.control().saveQueryRequest();
  auto q = request.initQuery();
  q.setName(o.name);
  auto list = q.initArguments(static_cast<unsigned>(arguments.size()));
  for (unsigned i = 0; i < arguments.size(); ++i) list.set(i, arguments[i]);
  request.setReplace(o.force);
  client.wait(request.send());
  std::string joined;
  for (auto& a : arguments) joined += " " + a;
  fmt::print("saved query '{}':{}\nrun it with: entente query run {}\n", o.name, joined, o.name);
}

void run(const QueryOptions& o) {
  std::vector<std::string> arguments;
  {
    // One control connection at a time: this one is closed before the match opens its own.
    ControlClient client(resolveNodeDir(o.node));
    auto request = client.control().getQueryRequest();
    request.setName(o.name);
    auto response = client.wait(request.send());
    for (auto a : response.getQuery().getArguments()) arguments.emplace_back(a.cStr());
  }
  auto options = readMatchArguments(arguments, true);
  options.node = o.node;
  options.queryName = o.name;
  if (o.json) options.json = true;
  if (o.csv) options.csv = true;
  if (!o.out.empty()) options.out = o.out;
  if (o.force) options.force = true;
  runMatch(options);
}

void list(const QueryOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto response = client.wait(client.control().listQueriesRequest().send());
  if (o.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (auto q : response.getQueries()) {
      std::vector<std::string> args;
      for (auto a : q.getArguments()) args.emplace_back(a.cStr());
      out.push_back({{"name", q.getName().cStr()},
                     {"arguments", args},
                     {"savedBy", q.getSavedBy().cStr()},
                     {"savedAt", utcTime(q.getSavedAtUnix())}});
    }
    std::cout << out.dump() << "\n";
    return;
  }
  if (response.getQueries().size() == 0) {
    fmt::print("no saved queries; save one with: entente query save NAME --peer PEER --purpose PURPOSE ...\n");
    return;
  }
  for (auto q : response.getQueries()) {
    std::string joined;
    for (auto a : q.getArguments()) joined += " " + std::string(a.cStr());
    fmt::print("{}\n  entente match{}\n  saved by {} at {}\n", q.getName().cStr(), joined, q.getSavedBy().cStr(),
               utcTime(q.getSavedAtUnix()));
  }
}

void history(const QueryOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto request = client.control().queryHistoryRequest();
  request.setName(o.name);
  auto response = client.wait(request.send());
  if (o.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (auto r : response.getRuns()) {
      out.push_back({{"query", r.getName().cStr()},
                     {"at", utcTime(r.getAtUnix())},
                     {"by", r.getActor().cStr()},
                     {"peer", r.getPeer().cStr()},
                     {"session", r.getSessionId().cStr()},
                     {"outcome", r.getOutcome().cStr()},
                     {"shown", r.getShown().cStr()}});
    }
    std::cout << out.dump() << "\n";
    return;
  }
  if (response.getRuns().size() == 0) {
    fmt::print("no runs yet{}\n", o.name.empty() ? "" : " of '" + o.name + "'");
    return;
  }
  fmt::print("{:<20} {:<20} {:<12} {:<10} {:<16} {}\n", "query", "at", "by", "peer", "session", "overlap shown");
  for (auto r : response.getRuns()) {
    fmt::print("{:<20} {:<20} {:<12} {:<10} {:<16} {}\n", r.getName().cStr(), utcTime(r.getAtUnix()),
               r.getActor().cStr(), r.getPeer().cStr(), r.getSessionId().cStr(), r.getShown().cStr());
  }
}

void remove(const QueryOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto request = client.control().removeQueryRequest();
  request.setName(o.name);
  client.wait(request.send());
  fmt::print("removed query '{}'; its runs stay in `entente query history`\n", o.name);
}

}  // namespace

void addQueryCommands(CLI::App& app) {
  auto* group = app.add_subcommand("query", "Saved match queries: save, run, list, history, remove");
  group->require_subcommand(1);
  group->footer("Example: entente query save monthly-boats --peer travel --purpose overlap-analysis "
                "--where ours:segment=boat-owner\n         entente query run monthly-boats");

  auto s = std::make_shared<QueryOptions>();
  auto saved = std::make_shared<MatchOptions>();
  auto* saveCmd = group->add_subcommand("save", "Save `entente match` options under a name");
  saveCmd->add_option("NAME", s->name, "The query's name: a-z, 0-9, '-', '_', '.'")->required();
  addMatchOptions(*saveCmd, *saved, true);
  saveCmd->add_flag("--force", s->force, "Replace a saved query of the same name");
  addNodeOption(*saveCmd, s->node);
  saveCmd->footer("The options are those of `entente match`, checked now and replayed by `entente query run`.\n"
                  "Example: entente query save monthly-boats --peer travel --purpose overlap-analysis \\\n"
                  "             --where ours:segment=boat-owner --by ours:country");
  saveCmd->callback([s, saved, saveCmd] { save(*s, *saveCmd); });  // `saved` holds what the options bind

  auto r = std::make_shared<QueryOptions>();
  auto* runCmd = group->add_subcommand("run", "Run a saved query (its run is kept in `entente query history`)");
  runCmd->add_option("NAME", r->name, "The saved query")->required();
  runCmd->add_flag("--json", r->json, "Print the result as one JSON object");
  runCmd->add_flag("--csv", r->csv, "Print the result as CSV");
  runCmd->add_option("--out", r->out, "Write the matched customers here (ids and enrich queries)");
  runCmd->add_flag("--force", r->force, "Replace the --out file if it exists");
  addNodeOption(*runCmd, r->node);
  runCmd->footer("Example: entente query run monthly-boats");
  runCmd->callback([r] { run(*r); });

  auto l = std::make_shared<QueryOptions>();
  auto* listCmd = group->add_subcommand("list", "List the saved queries with their options");
  listCmd->add_flag("--json", l->json, "Print a JSON array");
  addNodeOption(*listCmd, l->node);
  listCmd->footer("Example: entente query list");
  listCmd->callback([l] { list(*l); });

  auto h = std::make_shared<QueryOptions>();
  auto* historyCmd = group->add_subcommand("history", "Past runs: when, who, the overlap shown, the session id");
  historyCmd->add_option("NAME", h->name, "One query (default: all)");
  historyCmd->add_flag("--json", h->json, "Print a JSON array");
  addNodeOption(*historyCmd, h->node);
  historyCmd->footer("Example: entente query history monthly-boats");
  historyCmd->callback([h] { history(*h); });

  auto d = std::make_shared<QueryOptions>();
  auto* removeCmd = group->add_subcommand("remove", "Remove a saved query (its history stays)");
  removeCmd->add_option("NAME", d->name, "The saved query")->required();
  addNodeOption(*removeCmd, d->node);
  removeCmd->footer("Example: entente query remove monthly-boats");
  removeCmd->callback([d] { remove(*d); });
}

}  // namespace entente::tools
