// The control socket of a node folder: whether a node answers on it. The node asks at
// start (a second start of the same node is refused), the command line before it
// waits for a node to come up or go away.
#pragma once

#include <filesystem>

namespace entente::protocol {

// True when a process accepts connections on the Unix socket `socket`. A path too long
// for a socket address, or nothing listening, is false.
bool controlSocketAnswers(const std::filesystem::path& socket);

}  // namespace entente::protocol
