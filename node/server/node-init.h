// Creating a node's folder (`entente node init`): settings, identity, store and the
// first admin token, in that order, so that a folder holding node.toml is a complete
// node. The node's own entry point beside runNode (node/server/node-server.h): the
// command line never opens the store itself.
#pragma once

#include "node/server/node-config.h"

#include <filesystem>
#include <string>

namespace entente::node {

struct CreatedNode {
  std::string fingerprint;
  std::filesystem::path adminTokenFile;
};

// Throws ConfigError (usage: bad settings, or a folder that already holds a node) or
// another std::exception naming what could not be written.
CreatedNode createNode(const std::filesystem::path& dir, NodeConfig config);

// Re-issues the certificate of a stopped node for the same key (`entente node
// renew-certificate`); returns the name and the unchanged fingerprint. Throws
// ConfigError for a folder without a valid node.toml.
CreatedNode renewCertificate(const std::filesystem::path& dir);

}  // namespace entente::node
