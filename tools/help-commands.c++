// entente help [COMMAND...] | completion bash|zsh | manpage: the command line
// describing itself, from the one command tree (tools/command-tree.h). `completion`
// and `manpage` need no node, so that packaging can run them at build time:
//   entente manpage > entente.1
//   entente completion bash > entente.bash-completion
#include "tools/command-tree.h"
#include "tools/commands.h"
#include "tools/completion-script.h"
#include "tools/control-client.h"
#include "tools/manual-page.h"

#include <iostream>
#include <memory>

namespace entente::tools {

void addHelpCommands(CLI::App& app) {
  CLI::App* top = &app;

  auto names = std::make_shared<std::vector<std::string>>();
  auto* help = app.add_subcommand("help", "Show the help of a command (the same as COMMAND --help)");
  help->add_option("COMMAND", *names, "The command, e.g. `node start`");
  help->footer("Example: entente help peer policy");
  help->callback([top, names] {
    std::string unknown;
    const CLI::App* command = findCommand(*top, *names, &unknown);
    if (command == nullptr) {
      std::vector<std::string> known(names->begin(), std::find(names->begin(), names->end(), unknown));
      const CLI::App* parent = findCommand(*top, known);
      std::vector<std::string> siblings;
      for (const auto* sub : subcommandsOf(*parent)) siblings.push_back(sub->get_name());
      auto close = closestNames(unknown, siblings);
      std::string message = "no command '" + unknown + "' in `" + commandPath(*parent) + "`";
      if (!close.empty()) message += "; did you mean '" + close.front() + "'?";
      else if (siblings.empty()) message += ", which has no commands";
      throw CliError(message, 2);
    }
    std::string prefix = command == top ? "" : commandPath(*command->get_parent());
    std::cout << command->get_formatter()->make_help(command, prefix.empty() ? command->get_name()
                                                                           : prefix + " " + command->get_name(),
                                                     CLI::AppFormatMode::Normal);
  });

  auto shell = std::make_shared<std::string>();
  auto* completion = app.add_subcommand("completion", "Print a shell completion script for entente (bash or zsh)");
  completion->add_option("SHELL", *shell, "bash or zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));
  completion->footer(
      "Needs no node. Install the bash script where bash-completion finds it, or source it:\n"
      "Example: entente completion bash > /usr/share/bash-completion/completions/entente\n"
      "         entente completion zsh > \"${fpath[1]}/_entente\"");
  completion->callback([top, shell] {
    std::cout << (*shell == "bash" ? bashCompletionScript(*top) : zshCompletionScript(*top));
  });

  auto* manpage = app.add_subcommand("manpage", "Print the manual page entente(1) in roff");
  manpage->footer("Needs no node.\nExample: entente manpage > entente.1 && man -l entente.1");
  manpage->callback([top] { std::cout << manualPage(*top); });
}

}  // namespace entente::tools
