// The documentation names only flags that the binary has: every `entente COMMAND ...
// --flag` in a code span or code block of README.md and docs/*.md is checked against
// the --help of that command, read from the real binary by walking its commands
// (`entente help PATH...` lists each level's subcommands).
#include "tests/support/entente-cli.h"

#include <catch2/catch.hpp>

#include <map>
#include <regex>
#include <set>
#include <sstream>

using namespace entente::testing;

namespace {

struct HelpedCommand {
  std::set<std::string> subcommands;
  std::set<std::string> flags;
};

// The lines of a CLI11 help section ("Subcommands:", "Options:") that start an entry.
std::vector<std::string> sectionEntries(const std::string& help, const std::string& title) {
  std::vector<std::string> entries;
  std::istringstream in(help);
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line == title) {
      inside = true;
    } else if (inside && line.rfind("  ", 0) == 0) {
      if (line.size() > 2 && line[2] != ' ') entries.push_back(line.substr(2));
    } else if (inside) {
      inside = false;
    }
  }
  return entries;
}

// Every command's subcommands and flags, keyed by its path ("", "node", "node start").
std::map<std::string, HelpedCommand> commandTree() {
  std::map<std::string, HelpedCommand> tree;
  std::vector<std::vector<std::string>> pending{{}};
  while (!pending.empty()) {
    auto path = pending.back();
    pending.pop_back();
    std::vector<std::string> args{"help"};
    args.insert(args.end(), path.begin(), path.end());
    auto r = runCli(args);
    REQUIRE(r.exitCode == 0);
    std::string key;
    for (const auto& name : path) key += (key.empty() ? "" : " ") + name;
    HelpedCommand& command = tree[key];
    for (const auto& entry : sectionEntries(r.out, "Options:")) {
      std::string names = entry.substr(0, entry.find(' '));
      std::regex flag("--[a-z][a-z0-9-]*");
      for (std::sregex_iterator it(names.begin(), names.end(), flag), end; it != end; ++it) command.flags.insert(it->str());
    }
    for (const auto& entry : sectionEntries(r.out, "Subcommands:")) {
      std::string name = entry.substr(0, entry.find(' '));
      command.subcommands.insert(name);
      auto below = path;
      below.push_back(name);
      pending.push_back(below);
    }
  }
  return tree;
}

// The code of a Markdown file: its code blocks' lines (a line ending in `\` joined to
// the next) and its code spans, each with the line it starts on.
std::vector<std::pair<int, std::string>> codeOf(const std::string& text) {
  std::vector<std::pair<int, std::string>> code;
  std::istringstream in(text);
  bool block = false;
  std::string prose, continued;
  int lineNumber = 0, proseStart = 0;
  auto spans = [&] {
    std::regex span("`([^`]+)`");
    for (std::sregex_iterator it(prose.begin(), prose.end(), span), end; it != end; ++it) {
      code.emplace_back(proseStart, (*it)[1].str());
    }
    prose.clear();
  };
  for (std::string line; std::getline(in, line);) {
    ++lineNumber;
    if (line.rfind("```", 0) == 0) {
      spans();
      block = !block;
      continue;
    }
    if (block) {
      if (!line.empty() && line.back() == '\\') {
        continued += line.substr(0, line.size() - 1) + " ";
        continue;
      }
      code.emplace_back(lineNumber, continued + line);
      continued.clear();
      continue;
    }
    // Spans stay within a paragraph; a table row is a paragraph of its own.
    if (line.empty() || line[0] == '|') spans();
    if (prose.empty()) proseStart = lineNumber;
    prose += line + " ";
    if (line[0] == '|') spans();
  }
  spans();
  return code;
}

struct FlagUse {
  std::string file;
  int line;
  std::string command, flag, text;
};

// Every `entente PATH... --flag` in `code`: the path is the longest run of words that
// are commands, the flags those in the rest of that shell command.
std::vector<FlagUse> flagUses(const std::string& file, int line, const std::string& code,
                              const std::map<std::string, HelpedCommand>& tree) {
  std::vector<FlagUse> uses;
  // A word of its own: not the value of another program's option (`--uid=entente`),
  // nor the user of `sudo -u entente entente ...`.
  std::regex invocation("(^|[\\s/\"`(])entente\\s+(?!entente\\s)");
  // The end of one shell command: a list or pipe operator (a `|` between alternatives
  // such as `(--a X | --b Y)` is followed by a flag and is not an end), a redirection,
  // a comment.
  std::regex end("&&|\\|\\||;|\\|\\s+(?!-)|>|\\s#");
  std::regex flag("--[a-z][a-z0-9-]*");
  for (std::sregex_iterator it(code.begin(), code.end(), invocation), stop; it != stop; ++it) {
    std::string rest = code.substr(it->position() + it->length());
    std::smatch cut;
    if (std::regex_search(rest, cut, end)) rest = rest.substr(0, cut.position());
    std::istringstream words(rest);
    std::string path, word, remainder;
    while (words >> word) {
      auto at = tree.find(path);
      if (at == tree.end() || !at->second.subcommands.count(word)) {
        remainder = word;
        break;
      }
      path += (path.empty() ? "" : " ") + word;
    }
    // getline leaves `word` as it was when nothing is left to read.
    std::string rest2;
    std::getline(words, rest2);
    remainder += " " + rest2;
    for (std::sregex_iterator f(remainder.begin(), remainder.end(), flag), stop2; f != stop2; ++f) {
      uses.push_back({file, line, path, f->str(), code});
    }
  }
  return uses;
}

std::vector<std::filesystem::path> documentation() {
  std::vector<std::filesystem::path> files{std::filesystem::path(ENTENTE_SOURCE_DIR) / "README.md"};
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(ENTENTE_SOURCE_DIR) / "docs")) {
    if (entry.path().extension() == ".md") files.push_back(entry.path());
  }
  return files;
}

}  // namespace

TEST_CASE("every flag the documentation gives an entente command is in that command's --help") {
  auto tree = commandTree();
  REQUIRE(tree.size() > 40);
  size_t checked = 0;
  for (const auto& file : documentation()) {
    for (const auto& [line, code] : codeOf(readFile(file))) {
      for (const auto& use : flagUses(file.filename().string(), line, code, tree)) {
        ++checked;
        INFO(use.file << ":" << use.line << ": `entente " << use.command << "` has no " << use.flag << " (in: "
                      << use.text << ")");
        CHECK(tree.at(use.command).flags.count(use.flag) == 1);
      }
    }
  }
  // The scan found the documentation's examples, not nothing.
  CHECK(checked > 100);
}

TEST_CASE("the documentation scan finds the flags of a command and only of that command") {
  std::map<std::string, HelpedCommand> tree{{"", {{"peer"}, {"--help"}}}, {"peer", {{"list"}, {"--help"}}},
                                            {"peer list", {{}, {"--json", "--node"}}}};
  CHECK(flagUses("x.md", 1, "systemd-run --uid=entente --gid=entente /bin/true", tree).empty());
  CHECK(flagUses("x.md", 1, "sudo -u entente entente peer list --json", tree).size() == 1);
  auto uses = flagUses("x.md", 1, "entente peer list --json --node D | grep --count x", tree);
  REQUIRE(uses.size() == 2);
  CHECK(uses[0].command == "peer list");
  CHECK(uses[0].flag == "--json");
  CHECK(uses[1].flag == "--node");
  auto spans = codeOf("Run `entente peer\nlist --json` now.\n\n```sh\nentente peer list \\\n  --node D\n```\n");
  REQUIRE(spans.size() == 2);
  CHECK(spans[0].second == "entente peer list --json");
  CHECK(flagUses("x.md", 1, spans[1].second, tree).size() == 1);
}
