#include "node/control/local-tokens.h"

#include "crypto/credential.h"
#include "storage/credential-store.h"

#include <ctime>

namespace entente::node {

bool isRole(const std::string& role) { return role == "admin" || role == "marketer" || role == "compliance"; }

std::string issueToken(storage::Transaction& txn, const std::string& name, const std::string& role) {
  auto secret = crypto::newSecret("ent_");
  auto hash = crypto::hashSecret(secret);
  storage::TokenStore::put(txn, {hash.data(), hash.size()}, {name, role, static_cast<int64_t>(std::time(nullptr)), false});
  return secret;
}

}  // namespace entente::node
