#include "node/server/node-keys.h"

#include "crypto/wipe.h"

#include <cstdlib>
#include <cstring>
#include <fstream>

namespace entente::node {

crypto::KeyProtection keyProtectionFor(const NodeConfig& config) {
  if (config.insecurePlaintextKey) return crypto::KeyProtection::plaintext();
  // Reserved up front and read into in place, so that no reallocation leaves a copy of
  // the passphrase behind; wiped once it is in a SecretBytes.
  constexpr size_t kMaxPassphraseBytes = 1024;
  std::string passphrase;
  passphrase.reserve(kMaxPassphraseBytes + 1);
  if (!config.keyPassphraseFile.empty()) {
    std::ifstream in(config.keyPassphraseFile, std::ios::binary);
    if (!in) {
      throw ConfigError("cannot read the key passphrase file " + config.keyPassphraseFile +
                        " named by key_passphrase_file in node.toml");
    }
    for (int c; passphrase.size() <= kMaxPassphraseBytes && (c = in.get()) != std::char_traits<char>::eof();) {
      passphrase.push_back(static_cast<char>(c));
    }
    if (passphrase.size() > kMaxPassphraseBytes) {
      crypto::wipe(passphrase);
      throw ConfigError("the key passphrase file " + config.keyPassphraseFile + " holds more than 1024 bytes; put "
                        "only the passphrase in it");
    }
    // A trailing line end is an artefact of editors and `echo`, not part of the passphrase.
    while (!passphrase.empty() && (passphrase.back() == '\n' || passphrase.back() == '\r')) passphrase.pop_back();
  } else {
    const char* value = std::getenv(config.keyPassphraseEnv.c_str());
    if (value == nullptr) {
      throw ConfigError("the environment variable " + config.keyPassphraseEnv +
                        " (key_passphrase_env in node.toml) is not set; it must hold the key passphrase");
    }
    if (std::strlen(value) > kMaxPassphraseBytes) {
      throw ConfigError("the environment variable " + config.keyPassphraseEnv + " holds more than 1024 bytes");
    }
    passphrase.append(value);
  }
  if (passphrase.empty()) throw ConfigError("the key passphrase is empty; set a non-empty one");
  // SecretBytes::copyOf copies into a buffer of its own that it wipes when destroyed.
  auto secret = crypto::SecretBytes::copyOf(passphrase);
  crypto::wipe(passphrase);
  return crypto::KeyProtection::sealed(std::move(secret));
}

crypto::NodeIdentity loadIdentity(const NodePaths& paths, const NodeConfig& config) {
  return crypto::NodeIdentity::load(paths.dir, keyProtectionFor(config));
}

}  // namespace entente::node
