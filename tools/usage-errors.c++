// Usage errors: unknown commands and options first, with suggestions, then CLI11's
// own complaint with the command it concerns (tools/usage-errors.h).
#include "tools/usage-errors.h"

#include "tools/command-tree.h"

#include <string>
#include <vector>

namespace entente::tools {
namespace {

std::string quotedList(const std::vector<std::string>& names, const std::string& lastJoin) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? lastJoin : ", ";
    out += names[i];
  }
  return out;
}

std::vector<std::string> namesOf(const std::vector<const CLI::App*>& commands) {
  std::vector<std::string> names;
  for (const auto* command : commands) names.push_back(command->get_name());
  return names;
}

// "entente help node start": where to read about a command, from the top.
std::string helpFor(const CLI::App& command) {
  std::string path = commandPath(command);
  return "entente help" + path.substr(path.find(' ') == std::string::npos ? path.size() : path.find(' '));
}

// The message for the arguments `command` did not know, or "" when it knew them all.
std::string unknownArguments(const CLI::App& command) {
  std::vector<std::string> options, positionals;
  for (const auto& argument : command.remaining(false)) {
    if (argument.size() > 1 && argument[0] == '-' && argument != "--") {
      options.push_back(argument.substr(0, argument.find('=')));
    } else if (argument != "--") {
      positionals.push_back(argument);
    }
  }
  // "unknown command 'imprt'" at the top; "... for `entente node`" below it.
  std::string where = command.get_parent() == nullptr ? "" : " for `" + commandPath(command) + "`";
  if (!options.empty()) {
    // The positionals are likely the values of these options: not reported.
    std::string message;
    for (const auto& option : options) {
      auto close = closestNames(option, optionNames(command));
      if (!message.empty()) message += "\nentente: ";
      message += "unknown option " + option + where;
      message += close.empty() ? "; `" + helpFor(command) + "` lists its options"
                               : "; did you mean " + quotedList(close, " or ") + "?";
    }
    return message;
  }
  if (positionals.empty()) return "";
  const std::string& word = positionals.front();
  auto commands = namesOf(subcommandsOf(command));
  if (commands.empty()) {
    return "unexpected argument '" + word + "'" + where + "; `" + helpFor(command) + "` shows what it takes";
  }
  std::vector<std::string> quoted;
  for (const auto& name : closestNames(word, commands)) quoted.push_back("'" + name + "'");
  if (!quoted.empty()) return "unknown command '" + word + "'" + where + "; did you mean " + quotedList(quoted, " or ") + "?";
  return "unknown command '" + word + "'" + where + "; the commands are " + quotedList(commands, " and ");
}

}  // namespace

int reportUsageError(const CLI::App& app, const CLI::ParseError& error, std::ostream& err) {
  // The commands that were recognised, from the top down; each keeps what it did not
  // know in remaining(), whichever error ended the parse.
  std::vector<const CLI::App*> chain{&app};
  while (!chain.back()->get_subcommands().empty()) chain.push_back(chain.back()->get_subcommands().front());
  bool reported = false;
  for (const auto* command : chain) {
    auto message = unknownArguments(*command);
    if (message.empty()) continue;
    err << "entente: " << message << "\n";
    reported = true;
  }
  if (reported) return 2;
  const CLI::App& last = *chain.back();
  auto commands = subcommandsOf(last);
  if (last.get_require_subcommand_min() > 0 && !commands.empty() && last.get_subcommands().empty()) {
    err << "entente: `" << commandPath(last) << "` needs a command: " << quotedList(namesOf(commands), " or ")
        << "; `" << helpFor(last) << "` describes them\n";
    return 2;
  }
  err << "entente: " << error.what() << "; `" << helpFor(last) << "` shows what `" << commandPath(last)
      << "` takes\n";
  return 2;
}

}  // namespace entente::tools
