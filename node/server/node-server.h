// A running node: opens the store, serves partners on TCP and the command line on
// the Unix socket in the node's folder, and stops cleanly on SIGINT, SIGTERM or
// `entente node stop` (the socket is removed, the store closed, the stop logged).
#pragma once

#include <filesystem>

namespace entente::node {

// Runs in the foreground until stopped. Returns the process exit code; prints what
// went wrong (and what to do) on stderr when it cannot start.
int runNode(const std::filesystem::path& nodeDir);

}  // namespace entente::node
