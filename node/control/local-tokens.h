// Tokens for the control socket: issuing one (the secret is returned once and only
// its hash is stored) and the roles they carry.
#pragma once

#include "storage/environment.h"

#include <string>

namespace entente::node {

// "admin", "marketer" or "compliance".
bool isRole(const std::string& role);

// Issues a token in `txn` (the caller commits) and returns its secret.
std::string issueToken(storage::Transaction& txn, const std::string& name, const std::string& role);

}  // namespace entente::node
