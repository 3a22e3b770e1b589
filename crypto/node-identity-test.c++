// The node's identity: its signatures, fingerprints and safety numbers, and the
// certificate made from its seed, checked with OpenSSL and in a real TLS 1.3 handshake
// between two identities that pin each other. How the key is saved, sealed and loaded
// back, and every way a key file can be wrong or exposed, is in key-file-test.c++.
#include "crypto/node-identity.h"

#include "crypto/identity-test-support.h"
#include "crypto/openssl-handles.h"

#include <catch2/catch.hpp>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include <ctime>
#include <regex>
#include <string>
#include <vector>

using namespace entente::crypto;
using namespace entente::crypto::testing;

namespace {

std::string toPem(X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  REQUIRE(PEM_write_bio_X509(bio.get(), certificate) == 1);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
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
