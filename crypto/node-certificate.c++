#include "crypto/node-certificate.h"

#include "crypto/openssl-handles.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include <algorithm>
#include <ctime>
#include <new>

namespace entente::crypto {
namespace {

// The oldest queued OpenSSL error as text, and the queue emptied, so that one failure
// does not show up in the next unrelated message.
std::string openSslError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no detail from OpenSSL";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

[[noreturn]] void failCertificate(const std::string& step) {
  throw IdentityError("could not make the node certificate (" + step + ": " + openSslError() +
                      "); this is a fault of the OpenSSL installation, not of your input");
}

PkeyPtr privateKeyFromSeed(std::span<const uint8_t> seed) {
  // An Ed25519 private key in OpenSSL is the same 32-byte seed libsodium expands, so
  // both libraries derive the same public key from it.
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!key) failCertificate("EVP_PKEY_new_raw_private_key");
  return key;
}

X509Ptr parseCertificate(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throw std::bad_alloc();
  X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!certificate) {
    ERR_clear_error();
    throw IdentityError("the text is not a PEM certificate (no readable BEGIN CERTIFICATE block)");
  }
  return certificate;
}

PublicKey ed25519KeyOf(X509* certificate) {
  EVP_PKEY* key = X509_get0_pubkey(certificate);
  if (key == nullptr || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    ERR_clear_error();
    throw IdentityError("the certificate's key is not Ed25519; entente nodes only use Ed25519 certificates "
                        "made by `entente node init`");
  }
  PublicKey out;
  size_t length = out.size();
  if (EVP_PKEY_get_raw_public_key(key, out.data(), &length) != 1 || length != out.size()) {
    ERR_clear_error();
    throw IdentityError("the certificate's Ed25519 key could not be read");
  }
  return out;
}

std::optional<std::string> commonNameOf(X509* certificate) {
  X509_NAME* subject = X509_get_subject_name(certificate);
  int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return std::nullopt;
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)), ASN1_STRING_length(data));
}

void addExtension(X509* certificate, int nid, void* value, bool critical, const char* what) {
  if (X509_add1_ext_i2d(certificate, nid, value, critical ? 1 : 0, X509V3_ADD_DEFAULT) != 1) {
    failCertificate(what);
  }
}

}  // namespace

bool isValidNodeName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

std::string makeNodeCertificate(std::span<const uint8_t> seed, const std::string& nodeName) {
  PkeyPtr key = privateKeyFromSeed(seed);
  X509Ptr certificate(X509_new());
  if (!certificate) throw std::bad_alloc();
  X509* x = certificate.get();
  if (X509_set_version(x, X509_VERSION_3) != 1) failCertificate("X509_set_version");

  // A random serial: two certificates of one name (a node re-created) never share an
  // issuer and serial, which some TLS stacks treat as the same certificate.
  uint8_t serialBytes[16];
  randombytes_buf(serialBytes, sizeof serialBytes);
  BignumPtr serial(BN_bin2bn(serialBytes, sizeof serialBytes, nullptr));
  if (!serial || BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x)) == nullptr) {
    failCertificate("serial number");
  }

  // An hour back so that a partner whose clock runs behind does not see a certificate
  // from the future; ten years ahead so that re-issuing is rare (peers pin the key, not the certificate, so a re-issued certificate needs no re-pairing).
  std::time_t now = std::time(nullptr);
  std::tm later{};
  gmtime_r(&now, &later);
  later.tm_year += 10;
  if (ASN1_TIME_set(X509_getm_notBefore(x), now - 3600) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(x), timegm(&later)) == nullptr) {
    failCertificate("validity");
  }

  X509NamePtr name(X509_NAME_new());
  if (!name ||
      X509_NAME_add_entry_by_NID(name.get(), NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(nodeName.data()),
                                 static_cast<int>(nodeName.size()), -1, 0) != 1 ||
      X509_set_subject_name(x, name.get()) != 1 || X509_set_issuer_name(x, name.get()) != 1) {
    failCertificate("subject name");
  }

  // The DNS name is what TLS clients match against the name they connect with; the CN
  // alone is ignored by modern hostname checks.
  GeneralNamesPtr altNames(sk_GENERAL_NAME_new_null());
  GeneralNamePtr dnsName(GENERAL_NAME_new());
  Ia5StringPtr dnsText(ASN1_IA5STRING_new());
  if (!altNames || !dnsName || !dnsText ||
      ASN1_STRING_set(dnsText.get(), nodeName.data(), static_cast<int>(nodeName.size())) != 1) {
    failCertificate("subjectAltName");
  }
  GENERAL_NAME_set0_value(dnsName.get(), GEN_DNS, dnsText.release());
  if (sk_GENERAL_NAME_push(altNames.get(), dnsName.get()) == 0) failCertificate("subjectAltName");
  dnsName.release();  // now owned by altNames
  addExtension(x, NID_subject_alt_name, altNames.get(), false, "subjectAltName");

  BasicConstraintsPtr constraints(BASIC_CONSTRAINTS_new());
  if (!constraints) throw std::bad_alloc();
  constraints->ca = 0;
  addExtension(x, NID_basic_constraints, constraints.get(), true, "basicConstraints");

  // digitalSignature only: the key signs TLS handshakes and entente records, and must
  // not be taken for a CA that could vouch for other certificates.
  BitStringPtr usage(ASN1_BIT_STRING_new());
  if (!usage || ASN1_BIT_STRING_set_bit(usage.get(), 0, 1) != 1) failCertificate("keyUsage");
  addExtension(x, NID_key_usage, usage.get(), true, "keyUsage");

  if (X509_set_pubkey(x, key.get()) != 1) failCertificate("X509_set_pubkey");
  // Ed25519 hashes internally: the digest argument must be NULL.
  if (X509_sign(x, key.get(), nullptr) == 0) failCertificate("X509_sign");

  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_X509(out.get(), x) != 1) failCertificate("PEM_write_bio_X509");
  char* pem = nullptr;
  long length = BIO_get_mem_data(out.get(), &pem);
  return std::string(pem, static_cast<size_t>(length));
}

CertificateContents readNodeCertificate(const std::string& pem) {
  X509Ptr certificate = parseCertificate(pem);
  CertificateContents contents;
  contents.publicKey = ed25519KeyOf(certificate.get());
  // The key alone does not say that the rest of the certificate (its name) is as we
  // made it: only our own signature over it does.
  contents.selfSignatureVerifies = X509_verify(certificate.get(), X509_get0_pubkey(certificate.get())) == 1;
  if (!contents.selfSignatureVerifies) ERR_clear_error();
  contents.commonName = commonNameOf(certificate.get());
  return contents;
}

PublicKey certificatePublicKey(const std::string& pem) {
  X509Ptr certificate = parseCertificate(pem);
  return ed25519KeyOf(certificate.get());
}

SecretBytes privateKeyPemOfSeed(std::span<const uint8_t> seed) {
  PkeyPtr key = privateKeyFromSeed(seed);
  // The secure-memory BIO clears its buffer when freed, so the PEM's only lasting copy
  // is the SecretBytes we return.
  BioPtr out(BIO_new(BIO_s_secmem()));
  if (!out || PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw IdentityError("could not encode the node's private key for TLS (" + openSslError() +
                        "); this is a fault of the OpenSSL installation, not of the node's files");
  }
  char* pem = nullptr;
  long length = BIO_get_mem_data(out.get(), &pem);
  SecretBytes result(static_cast<size_t>(length));
  std::copy_n(pem, length, result.data());
  return result;
}

}  // namespace entente::crypto
