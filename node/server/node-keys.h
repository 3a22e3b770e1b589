// The node's identity key as the daemon and `node init` need it: where its
// passphrase comes from (a file, an environment variable or a systemd credential named
// in node.toml, never the passphrase itself), and loading or creating the identity with it.
#pragma once

#include "crypto/node-identity.h"
#include "node/server/node-config.h"

namespace entente::node {

// Reads the passphrase the configuration points at. Throws ConfigError when the file
// or variable is missing or empty, saying which.
crypto::KeyProtection keyProtectionFor(const NodeConfig& config);

// Loads the identity from the node's folder. Throws crypto::IdentityError or
// ConfigError with what to do.
crypto::NodeIdentity loadIdentity(const NodePaths& paths, const NodeConfig& config);

}  // namespace entente::node
