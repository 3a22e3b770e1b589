// The node's identity end to end: key generation, sealing with a passphrase, the
// certificate made from the seed, re-issue, and every way a key file can be wrong or
// exposed. One file of ~580 lines: the cases share the sealed-key fixtures and the
// search of a folder for a leaked seed, which split files would each need again.
#include "crypto/node-identity.h"

#include "crypto/openssl-handles.h"
#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include <sys/stat.h>

#include <cstring>
#include <ctime>
#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

using namespace entente::crypto;
using entente::testing::TempDir;
namespace fs = std::filesystem;

namespace {

std::span<const uint8_t> bytesOf(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// Argon2id at its minimum cost; production seals at MODERATE.
KeyProtection fastSealed(std::string_view passphrase) {
  KeyProtection protection = KeyProtection::sealed(SecretBytes::copyOf(passphrase));
  protection.fastKdfForTests = true;
  return protection;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void writeFile(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

X509Ptr parse(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  REQUIRE(certificate);
  return certificate;
}

std::string toPem(X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  REQUIRE(PEM_write_bio_X509(bio.get(), certificate) == 1);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

PkeyPtr privateKeyOf(const NodeIdentity& identity) {
  SecretBytes pem = identity.privateKeyPem();
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  REQUIRE(key);
  return key;
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

// TLS endpoint configured as an entente node would be: its own certificate and key,
// TLS 1.3 only, and the partner's certificate as the only trusted one.
SslCtxPtr tlsContext(const NodeIdentity& self, const std::string& pinnedPem, bool server) {
  SslCtxPtr context(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
  REQUIRE(context);
  REQUIRE(SSL_CTX_set_min_proto_version(context.get(), TLS1_3_VERSION) == 1);
  X509Ptr own = parse(self.certificatePem());
  REQUIRE(SSL_CTX_use_certificate(context.get(), own.get()) == 1);
  PkeyPtr key = privateKeyOf(self);
  REQUIRE(SSL_CTX_use_PrivateKey(context.get(), key.get()) == 1);
  X509Ptr pinned = parse(pinnedPem);
  REQUIRE(X509_STORE_add_cert(SSL_CTX_get_cert_store(context.get()), pinned.get()) == 1);
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return context;
}

// Runs a whole handshake over an in-memory pipe. True when both sides completed it.
bool handshake(const NodeIdentity& client, const std::string& clientPins, const NodeIdentity& server,
               const std::string& serverPins) {
  SslCtxPtr clientContext = tlsContext(client, clientPins, false);
  SslCtxPtr serverContext = tlsContext(server, serverPins, true);
  SslPtr clientSsl(SSL_new(clientContext.get()));
  SslPtr serverSsl(SSL_new(serverContext.get()));
  REQUIRE(SSL_set1_host(clientSsl.get(), server.nodeName().c_str()) == 1);
  BIO* clientEnd = nullptr;
  BIO* serverEnd = nullptr;
  REQUIRE(BIO_new_bio_pair(&clientEnd, 0, &serverEnd, 0) == 1);
  SSL_set_bio(clientSsl.get(), clientEnd, clientEnd);
  SSL_set_bio(serverSsl.get(), serverEnd, serverEnd);
  SSL_set_connect_state(clientSsl.get());
  SSL_set_accept_state(serverSsl.get());
  bool clientDone = false, serverDone = false;
  for (int round = 0; round < 20 && !(clientDone && serverDone); ++round) {
    for (auto [ssl, done] : {std::pair{clientSsl.get(), &clientDone}, std::pair{serverSsl.get(), &serverDone}}) {
      if (*done) continue;
      int rc = SSL_do_handshake(ssl);
      if (rc == 1) {
        *done = true;
        // TLS 1.3: the server judges the client's certificate after the client thinks
        // it is done; reading lets the client see a refusal.
        char byte;
        if (ssl == clientSsl.get()) SSL_read(ssl, &byte, 0);
        continue;
      }
      int error = SSL_get_error(ssl, rc);
      if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        return false;
      }
    }
  }
  return clientDone && serverDone && SSL_version(clientSsl.get()) == TLS1_3_VERSION;
}

}  // namespace

// ---------------------------------------------------------------------------------
// Signatures, fingerprints and safety numbers.

TEST_CASE("a node's signature verifies under its public key") {
  auto identity = NodeIdentity::generate("boats");
  auto message = bytesOf("invitation: travel may join until 2026-12-01");
  CHECK(verifySignature(identity.publicKey(), message, identity.sign(message)));
}

TEST_CASE("a signature fails when one bit of the message or of the signature flips") {
  auto identity = NodeIdentity::generate("boats");
  std::string message = "audit checkpoint 41";
  Signature signature = identity.sign(bytesOf(message));
  std::string alteredMessage = message;
  alteredMessage[3] ^= 0x01;
  CHECK_FALSE(verifySignature(identity.publicKey(), bytesOf(alteredMessage), signature));
  Signature alteredSignature = signature;
  alteredSignature[10] ^= 0x80;
  CHECK_FALSE(verifySignature(identity.publicKey(), bytesOf(message), alteredSignature));
}

TEST_CASE("a signature does not verify under another node's key") {
  auto boats = NodeIdentity::generate("boats");
  auto travel = NodeIdentity::generate("travel");
  auto message = bytesOf("hello");
  CHECK_FALSE(verifySignature(travel.publicKey(), message, boats.sign(message)));
}

TEST_CASE("a fingerprint is the SHA-256 of the key in 16 groups of 4 hex digits") {
  PublicKey key{};
  key[0] = 1;
  std::string fingerprint = fingerprintOf(key);
  CHECK(std::regex_match(fingerprint, std::regex("[0-9a-f]{4}( [0-9a-f]{4}){15}")));

  // Against OpenSSL's SHA-256, so that the grouping hides no wrong digest.
  unsigned char digest[32];
  unsigned int length = 0;
  REQUIRE(EVP_Digest(key.data(), key.size(), digest, &length, EVP_sha256(), nullptr) == 1);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  std::string withoutSpaces = fingerprint;
  std::erase(withoutSpaces, ' ');
  CHECK(withoutSpaces == hex);
}

TEST_CASE("a node's fingerprint stays the same and differs from another node's") {
  auto boats = NodeIdentity::generate("boats");
  CHECK(boats.fingerprint() == boats.fingerprint());
  CHECK(boats.fingerprint() == fingerprintOf(boats.publicKey()));
  CHECK(boats.fingerprint() != NodeIdentity::generate("boats").fingerprint());
}

TEST_CASE("both sides of a pairing compute the same safety number") {
  auto boats = NodeIdentity::generate("boats");
  auto travel = NodeIdentity::generate("travel");
  std::string number = safetyNumber(boats.publicKey(), travel.publicKey());
  CHECK(number == safetyNumber(travel.publicKey(), boats.publicKey()));
  CHECK(std::regex_match(number, std::regex("[0-9]{5}( [0-9]{5}){11}")));
}

TEST_CASE("the safety number changes when either key is another") {
  auto boats = NodeIdentity::generate("boats");
  auto travel = NodeIdentity::generate("travel");
  auto impostor = NodeIdentity::generate("travel");
  std::string genuine = safetyNumber(boats.publicKey(), travel.publicKey());
  CHECK(genuine != safetyNumber(boats.publicKey(), impostor.publicKey()));
  CHECK(genuine != safetyNumber(impostor.publicKey(), travel.publicKey()));
}

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

// ---------------------------------------------------------------------------------
// The certificate.

TEST_CASE("the certificate carries the node's signing key and its name") {
  auto identity = NodeIdentity::generate("boats-oy");
  X509Ptr certificate = parse(identity.certificatePem());

  PublicKey certified{};
  size_t length = certified.size();
  REQUIRE(EVP_PKEY_get_raw_public_key(X509_get0_pubkey(certificate.get()), certified.data(), &length) == 1);
  CHECK(certified == identity.publicKey());
  CHECK(NodeIdentity::publicKeyOfCertificate(identity.certificatePem()) == identity.publicKey());

  char commonName[65] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(certificate.get()), NID_commonName, commonName, sizeof commonName);
  CHECK(std::string(commonName) == "boats-oy");
  GeneralNamesPtr altNames(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate.get(), NID_subject_alt_name, nullptr, nullptr)));
  REQUIRE(altNames);
  REQUIRE(sk_GENERAL_NAME_num(altNames.get()) == 1);
  int type = 0;
  auto* dns = static_cast<ASN1_IA5STRING*>(GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(altNames.get(), 0), &type));
  CHECK(type == GEN_DNS);
  CHECK(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)), ASN1_STRING_length(dns)) == "boats-oy");
  CHECK(X509_check_host(certificate.get(), "boats-oy", 0, 0, nullptr) == 1);
  CHECK(X509_verify(certificate.get(), X509_get0_pubkey(certificate.get())) == 1);
}

TEST_CASE("the certificate is a v3 end-entity certificate valid from an hour ago for ten years") {
  X509Ptr certificate = parse(NodeIdentity::generate("boats").certificatePem());
  CHECK(X509_get_version(certificate.get()) == X509_VERSION_3);
  int critical = -1;
  BasicConstraintsPtr constraints(static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(certificate.get(), NID_basic_constraints, &critical, nullptr)));
  REQUIRE(constraints != nullptr);
  CHECK(constraints->ca == 0);
  CHECK(critical == 1);
  BitStringPtr usage(
      static_cast<ASN1_BIT_STRING*>(X509_get_ext_d2i(certificate.get(), NID_key_usage, &critical, nullptr)));
  REQUIRE(usage != nullptr);
  CHECK(critical == 1);
  CHECK(X509_get_key_usage(certificate.get()) == KU_DIGITAL_SIGNATURE);

  int days = 0, seconds = 0;
  REQUIRE(ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notBefore(certificate.get())) == 1);
  CHECK(days == 0);
  CHECK(seconds <= -3590);
  CHECK(seconds >= -3610);
  REQUIRE(ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(certificate.get())) == 1);
  CHECK(days >= 3652);
  CHECK(days <= 3653);
}

TEST_CASE("every certificate gets its own 128-bit random serial") {
  X509Ptr a = parse(NodeIdentity::generate("boats").certificatePem());
  X509Ptr b = parse(NodeIdentity::generate("boats").certificatePem());
  CHECK(ASN1_INTEGER_cmp(X509_get0_serialNumber(a.get()), X509_get0_serialNumber(b.get())) != 0);
  CHECK(ASN1_STRING_length(X509_get0_serialNumber(a.get())) >= 13);  // 16 bytes, bar leading zeros
}

TEST_CASE("the private key PEM is the key of the certificate") {
  auto identity = NodeIdentity::generate("boats");
  SecretBytes pem = identity.privateKeyPem();
  CHECK(pem.view().find("-----BEGIN PRIVATE KEY-----") == 0);
  X509Ptr certificate = parse(identity.certificatePem());
  PkeyPtr key = privateKeyOf(identity);
  CHECK(X509_check_private_key(certificate.get(), key.get()) == 1);
}

TEST_CASE("two nodes that pin each other's certificates complete a TLS 1.3 handshake") {
  auto boats = NodeIdentity::generate("boats");
  auto travel = NodeIdentity::generate("travel");
  CHECK(handshake(boats, travel.certificatePem(), travel, boats.certificatePem()));
}

TEST_CASE("a TLS handshake fails when either side presents a certificate that is not pinned") {
  auto boats = NodeIdentity::generate("boats");
  auto travel = NodeIdentity::generate("travel");
  auto impostor = NodeIdentity::generate("travel");
  CHECK_FALSE(handshake(boats, travel.certificatePem(), impostor, boats.certificatePem()));
  CHECK_FALSE(handshake(impostor, travel.certificatePem(), travel, boats.certificatePem()));
}

TEST_CASE("reading the key of a certificate refuses other key types and other text") {
  PkeyPtr ecKey(EVP_EC_gen("P-256"));
  REQUIRE(ecKey);
  X509Ptr certificate(X509_new());
  X509_set_version(certificate.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 3600);
  X509_set_pubkey(certificate.get(), ecKey.get());
  REQUIRE(X509_sign(certificate.get(), ecKey.get(), EVP_sha256()) > 0);
  CHECK_THROWS_WITH(NodeIdentity::publicKeyOfCertificate(toPem(certificate.get())), Catch::Contains("not Ed25519"));
  CHECK_THROWS_AS(NodeIdentity::publicKeyOfCertificate("not a certificate"), IdentityError);
}

TEST_CASE("a node name that cannot be a certificate's DNS name is refused") {
  CHECK_THROWS_AS(NodeIdentity::generate(""), IdentityError);
  CHECK_THROWS_AS(NodeIdentity::generate("boats, CN=bank"), IdentityError);
  CHECK_THROWS_AS(NodeIdentity::generate(std::string(65, 'a')), IdentityError);
  CHECK_NOTHROW(NodeIdentity::generate("node_1.example-fi"));
}

TEST_CASE("secret bytes hand over their contents when moved") {
  SecretBytes a = SecretBytes::copyOf("passphrase");
  SecretBytes b = std::move(a);
  CHECK(b.view() == "passphrase");
  CHECK(a.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is documented
}
