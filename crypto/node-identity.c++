#include "crypto/node-identity.h"

#include "crypto/key-file.h"
#include "crypto/node-certificate.h"
#include "crypto/sodium-init.h"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <utility>

namespace entente::crypto {
namespace {

namespace fs = std::filesystem;

constexpr const char* kKeyFile = "identity.key";
constexpr const char* kCertificateFile = "identity.crt";
// Far above what the file holds; a bound so that a wrong path cannot make us read a
// disk image into memory.
constexpr size_t kMaxCertificateBytes = 65536;

[[noreturn]] void failMissing(const fs::path& dir, const char* missing, const char* other) {
  std::error_code ec;
  if (!fs::exists(dir / other, ec)) {
    throw IdentityError("no node identity in " + dir.string() + " (no " + missing +
                        "); create the node with `entente node init --dir " + dir.string() + " ...`");
  }
  throw IdentityError(dir.string() + " has " + other + " but no " + missing +
                      "; restore it from the node's backup, or make a new identity with "
                      "`entente node init` (partners must then pair again)");
}

}  // namespace

// ---------------------------------------------------------------------------------

SecretBytes::SecretBytes(size_t size) : bytes_(new uint8_t[size]()), size_(size) {}

SecretBytes SecretBytes::copyOf(std::string_view text) {
  SecretBytes out(text.size());
  std::copy(text.begin(), text.end(), out.data());
  return out;
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : bytes_(std::move(other.bytes_)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    wipe();
    bytes_ = std::move(other.bytes_);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecretBytes::~SecretBytes() { wipe(); }

void SecretBytes::wipe() noexcept {
  if (bytes_) sodium_memzero(bytes_.get(), size_);
}


std::string fingerprintOf(const PublicKey& key) {
  requireSodium();
  uint8_t digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, key.data(), key.size());
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  std::string out;
  for (size_t i = 0; i + 1 < sizeof hex; i += 4) {
    if (i > 0) out += ' ';
    out.append(hex + i, 4);
  }
  return out;
}

std::string safetyNumber(const PublicKey& a, const PublicKey& b) {
  requireSodium();
  static constexpr std::string_view kLabel = "entente-safety-v1";
  const PublicKey& low = std::min(a, b);
  const PublicKey& high = std::max(a, b);
  crypto_hash_sha512_state state;
  crypto_hash_sha512_init(&state);
  crypto_hash_sha512_update(&state, reinterpret_cast<const uint8_t*>(kLabel.data()), kLabel.size());
  crypto_hash_sha512_update(&state, low.data(), low.size());
  crypto_hash_sha512_update(&state, high.data(), high.size());
  uint8_t digest[crypto_hash_sha512_BYTES];
  crypto_hash_sha512_final(&state, digest);

  // 40 bits per group reduced mod 10^5: the bias (2^40 is not a multiple of 10^5) is
  // below 10^-7 per group, far under what a person comparing digits could notice.
  std::string out;
  for (int group = 0; group < 12; ++group) {
    uint64_t chunk = 0;
    for (int i = 0; i < 5; ++i) chunk = (chunk << 8) | digest[group * 5 + i];
    char digits[6];
    std::snprintf(digits, sizeof digits, "%05u", static_cast<unsigned>(chunk % 100000));
    if (group > 0) out += ' ';
    out += digits;
  }
  return out;
}

bool verifySignature(const PublicKey& key, std::span<const uint8_t> message, const Signature& signature) {
  requireSodium();
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(), key.data()) == 0;
}

KeyProtection KeyProtection::sealed(SecretBytes passphrase) {
  KeyProtection protection;
  protection.passphrase = std::move(passphrase);
  return protection;
}

KeyProtection KeyProtection::plaintext() {
  KeyProtection protection;
  protection.allowPlaintext = true;
  return protection;
}

// ---------------------------------------------------------------------------------

NodeIdentity::NodeIdentity(SecretBytes secretKey, std::string nodeName, std::string certificatePem)
    : secretKey_(std::move(secretKey)), nodeName_(std::move(nodeName)), certificatePem_(std::move(certificatePem)) {
  // libsodium's secret key ends with the public key.
  std::copy_n(secretKey_.data() + crypto_sign_SEEDBYTES, publicKey_.size(), publicKey_.begin());
}

NodeIdentity::~NodeIdentity() = default;

void NodeIdentity::requireKey() const {
  if (secretKey_.size() != crypto_sign_SECRETKEYBYTES) {
    throw std::logic_error("NodeIdentity used after it was moved from");
  }
}

std::span<const uint8_t> NodeIdentity::seed() const {
  requireKey();
  return {secretKey_.data(), crypto_sign_SEEDBYTES};
}

NodeIdentity NodeIdentity::generate(const std::string& nodeName) {
  requireSodium();
  if (!isValidNodeName(nodeName)) {
    throw IdentityError("node name must be 1-64 characters of letters, digits, '.', '_' or '-', because it becomes "
                        "the certificate's DNS name; choose another name");
  }
  SecretBytes seed(crypto_sign_SEEDBYTES);
  randombytes_buf(seed.data(), seed.size());
  SecretBytes secretKey(crypto_sign_SECRETKEYBYTES);
  PublicKey publicKey;
  crypto_sign_seed_keypair(publicKey.data(), secretKey.data(), seed.data());
  std::string pem = makeNodeCertificate(seed.span(), nodeName);
  return NodeIdentity(std::move(secretKey), nodeName, std::move(pem));
}

void NodeIdentity::save(const std::filesystem::path& dir, const KeyProtection& protection) const {
  requireSodium();
  // The key first: a crash between the two renames leaves a new key with the old
  // certificate, which load() reports instead of using.
  writeKeyFile(dir / kKeyFile, seed(), protection);
  writeIdentityFile(dir / kCertificateFile, certificatePem_, 0600);
}

void NodeIdentity::renewCertificate(const std::filesystem::path& dir, const std::string& nodeName,
                                       const KeyProtection& protection) {
  requireSodium();
  std::error_code ec;
  if (!fs::exists(dir / kKeyFile, ec)) failMissing(dir, kKeyFile, kCertificateFile);
  SecretBytes seed = readKeyFile(dir / kKeyFile, protection);
  std::string pem = makeNodeCertificate(seed.span(), nodeName);
  writeIdentityFile(dir / kCertificateFile, pem, 0600);
}

NodeIdentity NodeIdentity::load(const std::filesystem::path& dir, const KeyProtection& protection) {
  requireSodium();
  fs::path certificatePath = dir / kCertificateFile;
  std::error_code ec;
  // Both checked before the slow key derivation, the key first because "no key" is
  // what a folder without an identity is missing.
  if (!fs::exists(dir / kKeyFile, ec)) failMissing(dir, kKeyFile, kCertificateFile);
  if (!fs::exists(certificatePath, ec)) failMissing(dir, kCertificateFile, kKeyFile);

  SecretBytes seed = readKeyFile(dir / kKeyFile, protection);
  SecretBytes secretKey(crypto_sign_SECRETKEYBYTES);
  PublicKey publicKey;
  crypto_sign_seed_keypair(publicKey.data(), secretKey.data(), seed.data());

  std::string pem = readSmallFile(certificatePath, kMaxCertificateBytes);
  auto damagedCertificate = [&](const std::string& why) {
    return IdentityError(certificatePath.string() + " is damaged or was altered (" + why +
                         "); restore it from the node's backup, or make a new identity with `entente node init` "
                         "(partners must then pair again)");
  };
  CertificateContents certificate;
  try {
    certificate = readNodeCertificate(pem);
  } catch (const IdentityError& e) {
    throw damagedCertificate(e.what());
  }
  if (sodium_memcmp(certificate.publicKey.data(), publicKey.data(), publicKey.size()) != 0) {
    throw IdentityError("identity.crt does not belong to identity.key in " + dir.string() +
                        ": the certificate carries another key; put back the certificate that was made with "
                        "this key (from the node's backup), or make a new identity with `entente node init`");
  }
  // The key matches, but the rest of the certificate (its name) could still have been
  // edited: only our own signature over it says it is as we made it.
  if (!certificate.selfSignatureVerifies) throw damagedCertificate("its signature does not verify");
  std::optional<std::string>& name = certificate.commonName;
  if (!name || !isValidNodeName(*name)) throw damagedCertificate("it names no valid node");
  pem.shrink_to_fit();  // read into a buffer sized for the largest file we accept
  return NodeIdentity(std::move(secretKey), std::move(*name), std::move(pem));
}

bool NodeIdentity::keyIsSealed(const std::filesystem::path& dir) {
  fs::path keyPath = dir / kKeyFile;
  std::error_code ec;
  if (!fs::exists(keyPath, ec)) failMissing(dir, kKeyFile, kCertificateFile);
  return keyFileIsSealed(keyPath);
}

SecretBytes NodeIdentity::privateKeyPem() const { return privateKeyPemOfSeed(seed()); }

Signature NodeIdentity::sign(std::span<const uint8_t> message) const {
  requireKey();
  Signature signature;
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), secretKey_.data());
  return signature;
}


PublicKey NodeIdentity::publicKeyOfCertificate(const std::string& pem) { return certificatePublicKey(pem); }

}  // namespace entente::crypto
