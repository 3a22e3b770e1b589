#include "crypto/key-file.h"

#include "crypto/base64.h"
#include "crypto/private-file.h"

#include <sodium.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace entente::crypto {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSealedHeader = "entente-identity-key v1 argon2id";
constexpr std::string_view kPlaintextHeader = "entente-identity-key v1 plaintext";
// Far above what the file holds.
constexpr size_t kMaxKeyFileBytes = 4096;

std::string errnoText(int error) { return std::strerror(error); }

// Wipes a string that held key material when it goes out of scope.
struct WipeOnExit {
  std::string& text;
  ~WipeOnExit() { sodium_memzero(text.data(), text.size()); }
};

// One "label value" line after another, in a fixed order.
class KeyFileReader {
 public:
  KeyFileReader(const fs::path& path, std::string_view text) : path_(path), rest_(text) {}

  std::string_view nextLine() {
    if (rest_.empty()) damaged("it ends early");
    size_t end = rest_.find('\n');
    std::string_view line = rest_.substr(0, end);
    rest_ = end == std::string_view::npos ? std::string_view() : rest_.substr(end + 1);
    return line;
  }

  std::string_view field(std::string_view label) {
    std::string_view line = nextLine();
    if (line.size() <= label.size() || line.substr(0, label.size()) != label || line[label.size()] != ' ') {
      damaged("expected a '" + std::string(label) + "' line");
    }
    return line.substr(label.size() + 1);
  }

  void base64Field(std::string_view label, std::span<uint8_t> out) {
    if (decodeBase64Url(field(label), out) != out.size()) {
      damaged("the '" + std::string(label) + "' line is not " + std::to_string(out.size()) + " bytes of base64");
    }
  }

  unsigned long long numberField(std::string_view label, unsigned long long min, unsigned long long max) {
    std::string_view text = field(label);
    unsigned long long value = 0;
    bool ok = !text.empty() && text.size() <= 19;
    for (char c : text) {
      if (c < '0' || c > '9') ok = false;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (!ok || value < min || value > max) damaged("the '" + std::string(label) + "' value is out of range");
    return value;
  }

  void end() {
    if (!rest_.empty()) damaged("it has lines after the last field");
  }

  [[noreturn]] void damaged(const std::string& why) const {
    throw IdentityError(path_.string() + " is damaged or was altered (" + why +
                        "); restore it from the node's backup, or make a new identity with "
                        "`entente node init` (partners must then pair again)");
  }

 private:
  const fs::path& path_;
  std::string_view rest_;
};

struct SealedFields {
  unsigned long long opslimit = 0;
  size_t memlimit = 0;
  std::array<uint8_t, crypto_pwhash_SALTBYTES> salt{};
  std::array<uint8_t, crypto_secretbox_NONCEBYTES> nonce{};
  std::array<uint8_t, crypto_secretbox_MACBYTES + crypto_sign_SEEDBYTES> ciphertext{};
};

// The secretbox key for a passphrase. Fails only for lack of memory: Argon2id cannot
// tell a wrong passphrase, the box can.
SecretBytes deriveKey(const SecretBytes& passphrase, const SealedFields& fields, const fs::path& keyPath) {
  SecretBytes key(crypto_secretbox_KEYBYTES);
  if (crypto_pwhash(key.data(), key.size(), reinterpret_cast<const char*>(passphrase.data()), passphrase.size(),
                    fields.salt.data(), fields.opslimit, fields.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw IdentityError("could not open " + keyPath.string() + ": Argon2id needs " +
                        std::to_string(fields.memlimit >> 20) +
                        " MiB of memory, which this process could not get; free memory or raise the "
                        "node's memory limit");
  }
  return key;
}

void requireKeyFileMode(const fs::path& keyPath) {
  struct stat info {};
  if (::stat(keyPath.c_str(), &info) != 0) return;  // the read that follows reports it
  // As ssh does: a private key others can read is already as good as leaked, and the
  // operator should know before the node runs with it.
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    throw IdentityError(keyPath.string() + " can be read by other users (mode " + mode + "); restrict it with `chmod 600 " +
                        keyPath.string() + "`, and if the key is not sealed, consider it exposed");
  }
}

}  // namespace

void writeKeyFile(const fs::path& keyPath, std::span<const uint8_t> seed, const KeyProtection& protection) {
  // Reserved once so that no reallocation leaves a copy of a plaintext seed behind.
  std::string text;
  text.reserve(512);
  WipeOnExit wipe{text};

  if (protection.passphrase) {
    if (protection.passphrase->empty()) {
      throw IdentityError("an empty passphrase does not protect identity.key; give a real passphrase, or choose "
                          "plaintext storage explicitly");
    }
    SealedFields fields;
    fields.opslimit = protection.fastKdfForTests ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_MODERATE;
    fields.memlimit = protection.fastKdfForTests ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_MODERATE;
    randombytes_buf(fields.salt.data(), fields.salt.size());
    randombytes_buf(fields.nonce.data(), fields.nonce.size());
    SecretBytes key = deriveKey(*protection.passphrase, fields, keyPath);
    crypto_secretbox_easy(fields.ciphertext.data(), seed.data(), seed.size(), fields.nonce.data(), key.data());
    text.append(kSealedHeader).append("\nopslimit ").append(std::to_string(fields.opslimit));
    text.append("\nmemlimit ").append(std::to_string(fields.memlimit));
    text.append("\nsalt ");
    appendBase64Url(text, fields.salt);
    text.append("\nnonce ");
    appendBase64Url(text, fields.nonce);
    text.append("\nciphertext ");
    appendBase64Url(text, fields.ciphertext);
    text.append("\n");
  } else {
    if (!protection.allowPlaintext) {
      throw IdentityError("refusing to store identity.key without a passphrase: give one (key_passphrase_file or "
                          "key_passphrase_env in node.toml), or choose plaintext storage explicitly");
    }
    text.append(kPlaintextHeader).append("\nseed ");
    appendBase64Url(text, seed);
    text.append("\n");
  }
  writeIdentityFile(keyPath, text, 0600);
}

SecretBytes readKeyFile(const fs::path& keyPath, const KeyProtection& protection) {
  requireKeyFileMode(keyPath);
  std::string text = readSmallFile(keyPath, kMaxKeyFileBytes);
  WipeOnExit wipe{text};
  KeyFileReader reader(keyPath, text);
  std::string_view header = reader.nextLine();
  SecretBytes seed(crypto_sign_SEEDBYTES);

  if (header == kPlaintextHeader) {
    reader.base64Field("seed", {seed.data(), seed.size()});
    reader.end();
    return seed;
  }
  if (header != kSealedHeader) reader.damaged("its first line is not an entente identity key header");

  SealedFields fields;
  // Bounds that libsodium accepts; the upper ones also stop an altered file from
  // asking for gigabytes of memory.
  fields.opslimit = reader.numberField("opslimit", crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_OPSLIMIT_SENSITIVE);
  fields.memlimit = reader.numberField("memlimit", crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_MEMLIMIT_SENSITIVE);
  reader.base64Field("salt", fields.salt);
  reader.base64Field("nonce", fields.nonce);
  reader.base64Field("ciphertext", fields.ciphertext);
  reader.end();

  if (!protection.passphrase || protection.passphrase->empty()) {
    throw IdentityError(keyPath.string() +
                        " is sealed with a passphrase and none was given; give it with key_passphrase_file "
                        "or key_passphrase_env in node.toml");
  }
  SecretBytes key = deriveKey(*protection.passphrase, fields, keyPath);
  if (crypto_secretbox_open_easy(seed.data(), fields.ciphertext.data(), fields.ciphertext.size(),
                                 fields.nonce.data(), key.data()) != 0) {
    throw IdentityError("the passphrase does not open " + keyPath.string() +
                        ": check key_passphrase_file or key_passphrase_env in node.toml (if the passphrase "
                        "is right, the file was altered: restore it from the node's backup)");
  }
  return seed;
}

bool keyFileIsSealed(const fs::path& keyPath) {
  std::string text = readSmallFile(keyPath, kMaxKeyFileBytes);
  WipeOnExit wipe{text};
  std::string_view header = std::string_view(text).substr(0, text.find('\n'));
  if (header == kSealedHeader) return true;
  if (header == kPlaintextHeader) return false;
  KeyFileReader(keyPath, text).damaged("its first line is not an entente identity key header");
}


void writeIdentityFile(const fs::path& target, std::string_view contents, mode_t mode) {
  try {
    writeFileAtomically(target, contents, mode);
  } catch (const FileError& e) {
    throw IdentityError(e.what());
  }
}

std::string readSmallFile(const fs::path& path, size_t maxBytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int error = errno;
    throw IdentityError("could not read " + path.string() + ": " + errnoText(error) +
                        "; check that the node runs as the user that owns the node folder");
  }
  std::string text;
  text.reserve(maxBytes + 1);
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      sodium_memzero(buffer, sizeof buffer);
      ::close(fd);
      throw IdentityError("could not read " + path.string() + ": " + errnoText(error));
    }
    if (n == 0) break;
    if (text.size() + static_cast<size_t>(n) > maxBytes) {
      sodium_memzero(buffer, sizeof buffer);
      sodium_memzero(text.data(), text.size());
      ::close(fd);
      throw IdentityError(path.string() + " is far larger than a node identity file; point the node at its "
                          "own folder, or restore the file from the node's backup");
    }
    text.append(buffer, static_cast<size_t>(n));
  }
  sodium_memzero(buffer, sizeof buffer);
  ::close(fd);
  return text;
}

}  // namespace entente::crypto
