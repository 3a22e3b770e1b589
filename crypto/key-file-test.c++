// How a node's identity is saved and loaded back: sealed with a passphrase (Argon2id)
// or, with explicit consent, in plain text; the key file's documented format and the
// cost it records; private file modes; and every way a key file or its certificate can
// be wrong, altered or exposed, including a search of the node's folder for the seed in
// every spelling we can think of.
#include "crypto/node-identity.h"

#include "crypto/identity-test-support.h"
#include "crypto/openssl-handles.h"
#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>
#include <openssl/evp.h>
#include <sodium.h>

#include <sys/stat.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace entente::crypto;
using namespace entente::crypto::testing;
using entente::testing::TempDir;
namespace fs = std::filesystem;

namespace {

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void writeFile(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// The 32-byte seed, read back through OpenSSL from the PKCS#8 export.
std::vector<uint8_t> seedOf(const NodeIdentity& identity) {
  PkeyPtr key = privateKeyOf(identity);
  std::vector<uint8_t> seed(32);
  size_t length = seed.size();
  REQUIRE(EVP_PKEY_get_raw_private_key(key.get(), seed.data(), &length) == 1);
  REQUIRE(length == 32);
  return seed;
}

// Not crypto/base64.h: the search below must also try the standard alphabet, and
// must not rely on the encoder whose output it looks for.
std::string base64(std::span<const uint8_t> bytes, int variant) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// Every way we can think of to spell the seed in a text or binary file: the raw bytes,
// hex in both cases, and base64 (both alphabets) at each of the three alignments the
// seed could have inside a longer encoded blob.
std::vector<std::string> spellingsOf(const std::vector<uint8_t>& seed) {
  std::vector<std::string> spellings;
  spellings.emplace_back(seed.begin(), seed.end());
  std::string hex(seed.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), seed.data(), seed.size());
  hex.pop_back();
  spellings.push_back(hex);
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  spellings.push_back(hex);
  for (int variant : {sodium_base64_VARIANT_ORIGINAL_NO_PADDING, sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
    for (size_t shift = 0; shift < 3; ++shift) {
      std::vector<uint8_t> shifted(shift, 0);
      shifted.insert(shifted.end(), seed.begin(), seed.end());
      std::string encoded = base64(shifted, variant);
      // The first and last four characters may mix in neighbouring bytes.
      spellings.push_back(encoded.substr(4, encoded.size() - 8));
    }
  }
  return spellings;
}

bool folderReveals(const fs::path& dir, const std::vector<uint8_t>& seed) {
  auto spellings = spellingsOf(seed);
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string contents = readFile(entry.path());
    for (const auto& spelling : spellings) {
      if (contents.find(spelling) != std::string::npos) return true;
    }
  }
  return false;
}

mode_t modeOf(const fs::path& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

// Replaces the first line starting with `label ` by `replacement`.
std::string withLine(const std::string& text, const std::string& label, const std::string& replacement) {
  std::istringstream in(text);
  std::string line, out;
  bool replaced = false;
  while (std::getline(in, line)) {
    if (!replaced && line.rfind(label + " ", 0) == 0) {
      line = replacement;
      replaced = true;
    }
    out += line + "\n";
  }
  REQUIRE(replaced);
  return out;
}

std::string valueOf(const std::string& text, const std::string& label) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(label + " ", 0) == 0) return line.substr(label.size() + 1);
  }
  FAIL("no '" << label << "' line");
  return {};
}

}  // namespace

// ---------------------------------------------------------------------------------
// Saving and loading.

TEST_CASE("an identity sealed with a passphrase loads back and signs as before") {
  TempDir dir;
  auto original = NodeIdentity::generate("boats");
  original.save(dir.path(), fastSealed("correct horse battery staple"));
  CHECK(NodeIdentity::keyIsSealed(dir.path()));

  auto loaded = NodeIdentity::load(dir.path(), KeyProtection::sealed(SecretBytes::copyOf("correct horse battery staple")));
  CHECK(loaded.publicKey() == original.publicKey());
  CHECK(loaded.nodeName() == "boats");
  CHECK(loaded.certificatePem() == original.certificatePem());
  auto message = bytesOf("checkpoint");
  CHECK(verifySignature(original.publicKey(), message, loaded.sign(message)));
}

TEST_CASE("the key file records the Argon2id cost it was sealed with") {
  TempDir dir;
  auto identity = NodeIdentity::generate("boats");
  identity.save(dir.path(), fastSealed("pw"));
  std::string fast = readFile(dir / "identity.key");
  CHECK(fast.rfind("entente-identity-key v1 argon2id\n", 0) == 0);
  CHECK(valueOf(fast, "opslimit") == std::to_string(crypto_pwhash_OPSLIMIT_MIN));
  CHECK(valueOf(fast, "memlimit") == std::to_string(crypto_pwhash_MEMLIMIT_MIN));

  // Production cost: one derivation of about half a second and 256 MiB.
  identity.save(dir.path(), KeyProtection::sealed(SecretBytes::copyOf("pw")));
  std::string moderate = readFile(dir / "identity.key");
  CHECK(valueOf(moderate, "opslimit") == std::to_string(crypto_pwhash_OPSLIMIT_MODERATE));
  CHECK(valueOf(moderate, "memlimit") == std::to_string(crypto_pwhash_MEMLIMIT_MODERATE));
}

TEST_CASE("a wrong passphrase is refused with a message saying where the passphrase comes from") {
  TempDir dir;
  NodeIdentity::generate("boats").save(dir.path(), fastSealed("right"));
  CHECK_THROWS_WITH(NodeIdentity::load(dir.path(), KeyProtection::sealed(SecretBytes::copyOf("wrong"))),
                    Catch::Contains("the passphrase does not open") &&
                        Catch::Contains("check key_passphrase_file or key_passphrase_env in node.toml"));
}

TEST_CASE("a sealed key without a passphrase is refused with a message asking for it") {
  TempDir dir;
  NodeIdentity::generate("boats").save(dir.path(), fastSealed("right"));
  CHECK_THROWS_WITH(NodeIdentity::load(dir.path(), KeyProtection::plaintext()),
                    Catch::Contains("sealed with a passphrase") && Catch::Contains("key_passphrase_file"));
}

TEST_CASE("a stolen node folder without the passphrase does not reveal the private key") {
  TempDir sealed, plain;
  auto identity = NodeIdentity::generate("boats");
  std::vector<uint8_t> seed = seedOf(identity);
  identity.save(sealed.path(), fastSealed("pw"));
  CHECK_FALSE(folderReveals(sealed.path(), seed));

  // The same search does find a key stored in plaintext, so it is not blind.
  identity.save(plain.path(), KeyProtection::plaintext());
  CHECK(folderReveals(plain.path(), seed));
}

TEST_CASE("identity.key and identity.crt are only readable by their owner") {
  TempDir dir;
  mode_t previous = ::umask(0);  // the modes must not depend on a lenient umask
  NodeIdentity::generate("boats").save(dir.path(), fastSealed("pw"));
  ::umask(previous);
  CHECK(modeOf(dir / "identity.key") == 0600);
  CHECK(modeOf(dir / "identity.crt") == 0600);
  // No temporary file is left behind.
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 2);
}

TEST_CASE("a key file that other users can read is refused with the command that fixes it") {
  TempDir dir;
  NodeIdentity::generate("boats").save(dir.path(), KeyProtection::plaintext());
  fs::permissions(dir / "identity.key", fs::perms::group_read | fs::perms::others_read, fs::perm_options::add);
  CHECK_THROWS_WITH(NodeIdentity::load(dir.path(), KeyProtection::plaintext()), Catch::Contains("chmod 600"));
}

TEST_CASE("a plaintext key loads back, with or without a passphrase given") {
  TempDir dir;
  auto original = NodeIdentity::generate("boats");
  original.save(dir.path(), KeyProtection::plaintext());
  CHECK_FALSE(NodeIdentity::keyIsSealed(dir.path()));
  CHECK(NodeIdentity::load(dir.path(), KeyProtection::plaintext()).publicKey() == original.publicKey());
  CHECK(NodeIdentity::load(dir.path(), fastSealed("unused")).publicKey() == original.publicKey());
}

TEST_CASE("saving a key without a passphrase needs explicit consent") {
  TempDir dir;
  auto identity = NodeIdentity::generate("boats");
  CHECK_THROWS_WITH(identity.save(dir.path(), KeyProtection{}), Catch::Contains("without a passphrase"));
  CHECK_THROWS_WITH(identity.save(dir.path(), fastSealed("")), Catch::Contains("empty passphrase"));
  CHECK_FALSE(fs::exists(dir / "identity.key"));
}

TEST_CASE("a sealed key whose ciphertext was altered is refused") {
  TempDir dir;
  NodeIdentity::generate("boats").save(dir.path(), fastSealed("pw"));
  std::string text = readFile(dir / "identity.key");
  std::string ciphertext = valueOf(text, "ciphertext");
  ciphertext[5] = ciphertext[5] == 'A' ? 'B' : 'A';
  writeFile(dir / "identity.key", withLine(text, "ciphertext", "ciphertext " + ciphertext));
  // The box cannot tell an altered ciphertext from a wrong passphrase; the message
  // names both.
  CHECK_THROWS_WITH(NodeIdentity::load(dir.path(), fastSealed("pw")),
                    Catch::Contains("does not open") && Catch::Contains("altered"));
}

TEST_CASE("a sealed key whose cost or salt was altered is refused") {
  TempDir dir;
  NodeIdentity::generate("boats").save(dir.path(), fastSealed("pw"));
  std::string text = readFile(dir / "identity.key");
  writeFile(dir / "identity.key", withLine(text, "opslimit", "opslimit 2"));
  CHECK_THROWS_WITH(NodeIdentity::load(dir.path(), fastSealed("pw")), Catch::Contains("does not open"));
  std::string salt = valueOf(text, "salt");
  salt[0] = salt[0] == 'A' ? 'B' : 'A';
  writeFile(dir / "identity.key", withLine(text, "salt", "salt " + salt));
  CHECK_THROWS_WITH(NodeIdentity::load(dir.path(), fastSealed("pw")), Catch::Contains("does not open"));
}

TEST_CASE("a key file that is not in the documented format is refused as damaged") {
  TempDir dir;
  NodeIdentity::generate("boats").save(dir.path(), fastSealed("pw"));
  std::string text = readFile(dir / "identity.key");
  auto refusedAsDamaged = [&](const std::string& contents) {
    writeFile(dir / "identity.key", contents);
    CHECK_THROWS_WITH(NodeIdentity::load(dir.path(), fastSealed("pw")),
                      Catch::Contains("damaged or was altered") && Catch::Contains("backup"));
  };
  refusedAsDamaged(withLine(text, "entente-identity-key", "entente-identity-key v2 argon2id"));
  refusedAsDamaged(text.substr(0, text.size() / 2));
  refusedAsDamaged(withLine(text, "nonce", "nonce " + valueOf(text, "nonce") + "AA"));
  refusedAsDamaged(withLine(text, "memlimit", "memlimit 99999999999999"));
  refusedAsDamaged(text + "extra line\n");
  refusedAsDamaged("");
}

TEST_CASE("a certificate of another identity is refused") {
  TempDir boatsDir, otherDir;
  NodeIdentity::generate("boats").save(boatsDir.path(), fastSealed("pw"));
  NodeIdentity::generate("boats").save(otherDir.path(), fastSealed("pw"));
  fs::copy_file(otherDir / "identity.crt", boatsDir / "identity.crt", fs::copy_options::overwrite_existing);
  CHECK_THROWS_WITH(NodeIdentity::load(boatsDir.path(), fastSealed("pw")),
                    Catch::Contains("identity.crt does not belong to identity.key"));
}

TEST_CASE("a certificate whose name was edited after signing is refused") {
  TempDir dir;
  NodeIdentity::generate("boats").save(dir.path(), KeyProtection::plaintext());
  X509Ptr certificate = parse(readFile(dir / "identity.crt"));
  unsigned char* der = nullptr;
  int length = i2d_X509(certificate.get(), &der);
  REQUIRE(length > 0);
  std::string bytes(reinterpret_cast<const char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  // "boats" occurs as issuer, subject and DNS name; the second is the subject's CN.
  size_t subject = bytes.find("boats", bytes.find("boats") + 1);
  REQUIRE(subject != std::string::npos);
  bytes[subject + 4] = 'z';
  BioPtr bio(BIO_new(BIO_s_mem()));
  REQUIRE(PEM_write_bio(bio.get(), "CERTIFICATE", "", reinterpret_cast<const unsigned char*>(bytes.data()),
                        static_cast<long>(bytes.size())) > 0);
  char* pem = nullptr;
  long pemLength = BIO_get_mem_data(bio.get(), &pem);
  writeFile(dir / "identity.crt", std::string(pem, static_cast<size_t>(pemLength)));
  CHECK_THROWS_WITH(NodeIdentity::load(dir.path(), KeyProtection::plaintext()),
                    Catch::Contains("signature does not verify"));
}

TEST_CASE("a folder without an identity points to entente node init") {
  TempDir dir;
  CHECK_THROWS_WITH(NodeIdentity::load(dir.path(), fastSealed("pw")), Catch::Contains("entente node init"));
  CHECK_THROWS_WITH(NodeIdentity::keyIsSealed(dir.path()), Catch::Contains("entente node init"));

  NodeIdentity::generate("boats").save(dir.path(), fastSealed("pw"));
  fs::remove(dir / "identity.crt");
  CHECK_THROWS_WITH(NodeIdentity::load(dir.path(), fastSealed("pw")),
                    Catch::Contains("no identity.crt") && Catch::Contains("entente node init"));
}
