// The manual page entente(1), in roff, generated from the command tree
// (tools/command-tree.h): every command with its description, arguments, options
// and example, then exit status, environment and files. `entente manpage` prints it;
// packaging runs `entente manpage > entente.1` at build time.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace entente::tools {

std::string manualPage(const CLI::App& top);

// `text` made safe for roff: backslashes, dashes, a leading dot or quote, and
// non-ASCII characters (as \[uXXXX], so that groff needs no preprocessor).
std::string roffText(const std::string& text);

}  // namespace entente::tools
