#include "node/server/node-keys.h"

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace entente::node {

crypto::KeyProtection keyProtectionFor(const NodeConfig& config) {
  if (config.insecurePlaintextKey) return crypto::KeyProtection::plaintext();
  std::string passphrase;
  if (!config.keyPassphraseFile.empty()) {
    std::ifstream in(config.keyPassphraseFile, std::ios::binary);
    if (!in) {
      throw ConfigError("cannot read the key passphrase file " + config.keyPassphraseFile +
                        " named by key_passphrase_file in node.toml");
    }
    passphrase.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    // A trailing line end is an artefact of editors and `echo`, not part of the passphrase.
    while (!passphrase.empty() && (passphrase.back() == '\n' || passphrase.back() == '\r')) passphrase.pop_back();
  } else {
    const char* value = std::getenv(config.keyPassphraseEnv.c_str());
    if (value == nullptr) {
      throw ConfigError("the environment variable " + config.keyPassphraseEnv +
                        " (key_passphrase_env in node.toml) is not set; it must hold the key passphrase");
    }
    passphrase = value;
  }
  if (passphrase.empty()) throw ConfigError("the key passphrase is empty; set a non-empty one");
  auto secret = crypto::SecretBytes::copyOf(passphrase);
  std::fill(passphrase.begin(), passphrase.end(), '\0');
  return crypto::KeyProtection::sealed(std::move(secret));
}

crypto::NodeIdentity loadIdentity(const NodePaths& paths, const NodeConfig& config) {
  return crypto::NodeIdentity::load(paths.dir, keyProtectionFor(config));
}

}  // namespace entente::node
