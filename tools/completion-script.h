// Shell completion scripts for `entente`, generated from its command tree
// (tools/command-tree.h): commands at each level, each command's options, and file
// names after an option that takes a value. `entente completion bash|zsh` prints them.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace entente::tools {

// A bash script defining _entente and registering it with `complete` for `entente`.
std::string bashCompletionScript(const CLI::App& top);

// A zsh completion function (#compdef entente), for a folder on $fpath or to source.
std::string zshCompletionScript(const CLI::App& top);

}  // namespace entente::tools
