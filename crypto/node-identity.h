// A node's long-term identity: one Ed25519 key pair that signs (invitations, audit
// checkpoints) and is also the key of the node's self-signed X.509 certificate for
// mutual TLS 1.3. The binding is by construction: the certificate's public key IS the
// signing key, so a partner that pins the certificate has pinned the signer too, and
// load() refuses a certificate whose key differs from the stored key.
//
// People compare keys by their fingerprint (fingerprintOf) or, when two nodes pair,
// by one safety number of both keys (safetyNumber), read out over a second channel.
//
// In the node folder:
//   identity.crt  PEM certificate, mode 0600. Subject CN and subjectAltName DNS are
//                 the node name; v3, random 128-bit serial, valid from one hour ago
//                 for ten years, basicConstraints CA:FALSE and keyUsage
//                 digitalSignature, both critical.
//   identity.key  the 32-byte Ed25519 seed, mode 0600, as a text file:
//
//     entente-identity-key v1 argon2id       entente-identity-key v1 plaintext
//     opslimit 3                             seed <base64>
//     memlimit 268435456
//     salt <base64>
//     nonce <base64>
//     ciphertext <base64>
//
//   Sealed: key = Argon2id(passphrase, salt, opslimit, memlimit) (crypto_pwhash),
//   ciphertext = crypto_secretbox_easy(seed, nonce, key). The cost parameters are
//   stored, so a key sealed at one cost opens at that cost; the salt and the costs
//   are bound by the key derivation (changing one gives a wrong key). Base64 is
//   libsodium's URL-safe variant without padding. Lines are in exactly this order.
//   Both files are written atomically (temporary file, then rename).
//
// Errors: IdentityError, whose message says what failed, on which file, and what to
// do next. It never carries key material.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace entente::crypto {

using PublicKey = std::array<uint8_t, 32>;
using Signature = std::array<uint8_t, 64>;

class IdentityError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Secret bytes that wipe themselves (sodium_memzero) when destroyed. Move-only, and
// fixed in size, so the bytes are never left behind by a copy or a reallocation.
// A moved-from SecretBytes is empty.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size);  // zero-filled
  // Copies `text` (a passphrase just read, say). The caller still owns and must wipe
  // its own copy.
  static SecretBytes copyOf(std::string_view text);

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes();

  uint8_t* data() { return bytes_.get(); }
  const uint8_t* data() const { return bytes_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::span<const uint8_t> span() const { return {bytes_.get(), size_}; }
  std::string_view view() const { return {reinterpret_cast<const char*>(bytes_.get()), size_}; }

 private:
  void wipe() noexcept;
  std::unique_ptr<uint8_t[]> bytes_;
  size_t size_ = 0;
};

// SHA-256 of the raw public key in lower-case hex, 16 groups of 4 separated by spaces.
std::string fingerprintOf(const PublicKey& key);

// What two operators read to each other when their nodes pair: 60 decimal digits in
// 12 groups of 5, the same whichever side computes it (the keys are sorted first).
// From SHA-512("entente-safety-v1" || lower key || higher key), each 5-byte chunk
// read big-endian, mod 100000.
std::string safetyNumber(const PublicKey& a, const PublicKey& b);

bool verifySignature(const PublicKey& key, std::span<const uint8_t> message, const Signature& signature);

// How identity.key is protected when it is saved. There is no default: a caller
// chooses sealed(passphrase) or plaintext() (only with the operator's explicit consent,
// e.g. on a machine whose disk encryption is the protection).
struct KeyProtection {
  std::optional<SecretBytes> passphrase;
  // Required for save() without a passphrase; the consent made visible in the code.
  bool allowPlaintext = false;
  // Seal with Argon2id's minimum cost instead of MODERATE (3 passes, 256 MiB). Only
  // for tests: the cost is what slows down guessing the passphrase of a stolen file.
  bool fastKdfForTests = false;

  static KeyProtection sealed(SecretBytes passphrase);
  static KeyProtection plaintext();
};

class NodeIdentity {
 public:
  // A fresh key pair and its certificate. The node name must be 1-64 characters of
  // letters, digits, '.', '_' or '-' (the rule of node.toml), because it becomes the
  // certificate's CN and DNS name, which a partner's TLS client checks.
  static NodeIdentity generate(const std::string& nodeName);

  // Writes dir/identity.key and dir/identity.crt (see the top of this file), replacing
  // any that are there: refusing to overwrite an identity is the caller's choice
  // (`entente node init` refuses an existing node). Refuses an empty passphrase and
  // a plaintext key without allowPlaintext.
  void save(const std::filesystem::path& dir, const KeyProtection& protection) const;

  // Reads both files and checks they belong together. A plaintext key loads whether
  // or not a passphrase is given; a sealed one needs it. Refuses a key file that
  // other users can read, a damaged or altered file, and a certificate that is not
  // this key's (wrong key or a broken self-signature).
  static NodeIdentity load(const std::filesystem::path& dir, const KeyProtection& protection);

  // Whether dir/identity.key needs a passphrase, so that a caller asks for one only
  // when it must. Throws IdentityError when the file is missing or not a key file.
  static bool keyIsSealed(const std::filesystem::path& dir);
  // Re-issues identity.crt for the same key (new serial, ten more years): partners pin
  // the key, not the certificate, so they need no re-pairing.
  static void renewCertificate(const std::filesystem::path& dir, const std::string& nodeName,
                                  const KeyProtection& protection);

  NodeIdentity(NodeIdentity&&) noexcept = default;
  NodeIdentity& operator=(NodeIdentity&&) noexcept = default;
  NodeIdentity(const NodeIdentity&) = delete;
  NodeIdentity& operator=(const NodeIdentity&) = delete;
  ~NodeIdentity();  // the secret key is wiped (SecretBytes)

  const std::string& nodeName() const { return nodeName_; }
  const PublicKey& publicKey() const { return publicKey_; }
  std::string fingerprint() const { return fingerprintOf(publicKey_); }
  const std::string& certificatePem() const { return certificatePem_; }
  // PKCS#8 PEM ("BEGIN PRIVATE KEY") for the TLS library; the returned bytes wipe
  // themselves, so hand them over and let them go out of scope.
  SecretBytes privateKeyPem() const;

  Signature sign(std::span<const uint8_t> message) const;

  // The Ed25519 public key of a PEM certificate. Throws IdentityError when the text is
  // not a certificate or its key is not Ed25519. Does not check the signature.
  static PublicKey publicKeyOfCertificate(const std::string& pem);

 private:
  NodeIdentity(SecretBytes secretKey, std::string nodeName, std::string certificatePem);
  void requireKey() const;
  std::span<const uint8_t> seed() const;

  SecretBytes secretKey_;  // libsodium's 64-byte form: seed || public key
  PublicKey publicKey_{};
  std::string nodeName_;
  std::string certificatePem_;
};

}  // namespace entente::crypto
