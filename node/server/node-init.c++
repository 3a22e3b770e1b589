#include "node/server/node-init.h"

#include "crypto/node-identity.h"
#include "crypto/private-file.h"
#include "crypto/wipe.h"
#include "node/control/local-tokens.h"
#include "node/server/node-keys.h"
#include "storage/environment.h"

#include <sys/stat.h>

#include <cctype>

namespace entente::node {

CreatedNode createNode(const std::filesystem::path& dir, NodeConfig config) {
  for (auto& c : config.region) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  config.validate();
  crypto::KeyProtection protection = keyProtectionFor(config);
  std::error_code ec;
  if (std::filesystem::exists(NodePaths{dir}.config(), ec)) {
    throw ConfigError(dir.string() + " already holds a node; choose another folder, or use the existing node");
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
  // The folder holds customer data: only its owner may enter it.
  ::chmod(dir.c_str(), 0700);
  auto identity = crypto::NodeIdentity::generate(config.name);
  identity.save(dir, protection);
  std::string adminToken;
  {
    storage::Environment store(NodePaths{dir}.store(), true);
    storage::Transaction txn(store, storage::Transaction::Mode::WRITE);
    adminToken = issueToken(txn, "initial-admin", "admin");
    txn.commit();
  }
  adminToken += "\n";
  crypto::writeFileAtomically(NodePaths{dir}.adminToken(), adminToken, 0600, crypto::Existing::KEEP);
  crypto::wipe(adminToken);
  // node.toml last: its presence is what marks the folder as a node.
  config.save(dir);
  return {identity.fingerprint(), NodePaths{dir}.adminToken()};
}

CreatedNode renewCertificate(const std::filesystem::path& dir) {
  auto config = NodeConfig::load(dir);
  crypto::NodeIdentity::renewCertificate(dir, config.name, keyProtectionFor(config));
  auto identity = loadIdentity(NodePaths{dir}, config);
  return {identity.fingerprint(), NodePaths{dir}.adminToken()};
}

}  // namespace entente::node
