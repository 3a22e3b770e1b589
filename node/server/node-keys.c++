#include "node/server/node-keys.h"

#include "crypto/wipe.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace entente::node {

namespace {

// Reserved up front and read into in place, so that no reallocation leaves a copy of
// the passphrase behind; wiped once it is in a SecretBytes.
constexpr size_t kMaxPassphraseBytes = 1024;

// Reads the passphrase file `file` into `passphrase`; `source` names where the path
// came from, for messages.
void readPassphraseFile(const std::string& file, const std::string& source, std::string& passphrase) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError("cannot read the key passphrase file " + file + " named by " + source);
  for (int c; passphrase.size() <= kMaxPassphraseBytes && (c = in.get()) != std::char_traits<char>::eof();) {
    passphrase.push_back(static_cast<char>(c));
  }
  if (passphrase.size() > kMaxPassphraseBytes) {
    crypto::wipe(passphrase);
    throw ConfigError("the key passphrase file " + file + " holds more than 1024 bytes; put only the passphrase in it");
  }
  // A trailing line end is an artefact of editors and `echo`, not part of the passphrase.
  while (!passphrase.empty() && (passphrase.back() == '\n' || passphrase.back() == '\r')) passphrase.pop_back();
}

}  // namespace

crypto::KeyProtection keyProtectionFor(const NodeConfig& config) {
  if (config.insecurePlaintextKey) return crypto::KeyProtection::plaintext();
  std::string passphrase;
  passphrase.reserve(kMaxPassphraseBytes + 1);
  if (!config.keyPassphraseFile.empty()) {
    readPassphraseFile(config.keyPassphraseFile, "key_passphrase_file in node.toml", passphrase);
  } else if (!config.keyPassphraseCredential.empty()) {
    // systemd copies LoadCredential='s file into a private folder readable by the
    // service alone and names it in $CREDENTIALS_DIRECTORY; the source file can stay
    // readable by root only.
    const char* directory = std::getenv("CREDENTIALS_DIRECTORY");
    if (directory == nullptr || *directory == '\0') {
      throw ConfigError("key_passphrase_credential in node.toml names the systemd credential '" +
                        config.keyPassphraseCredential +
                        "', but $CREDENTIALS_DIRECTORY is not set: run the node as the entente@ service, whose "
                        "LoadCredential=passphrase:/etc/entente/NAME.passphrase provides it (or set "
                        "CREDENTIALS_DIRECTORY to a folder holding that file)");
    }
    readPassphraseFile((std::filesystem::path(directory) / config.keyPassphraseCredential).string(),
                       "key_passphrase_credential in node.toml (the service's LoadCredential=)", passphrase);
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
