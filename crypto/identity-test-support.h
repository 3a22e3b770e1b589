// What the node identity's tests share: bytes of a text, a certificate parsed from
// PEM, the private key read back through OpenSSL from the identity's PKCS#8 export, and
// a sealed key protection at Argon2id's minimum cost.
#pragma once

#include "crypto/node-identity.h"
#include "crypto/openssl-handles.h"

#include <catch2/catch.hpp>
#include <openssl/pem.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace entente::crypto::testing {

inline std::span<const uint8_t> bytesOf(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// Argon2id at its minimum cost; production seals at MODERATE.
inline KeyProtection fastSealed(std::string_view passphrase) {
  KeyProtection protection = KeyProtection::sealed(SecretBytes::copyOf(passphrase));
  protection.fastKdfForTests = true;
  return protection;
}

inline X509Ptr parse(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  REQUIRE(certificate);
  return certificate;
}

inline PkeyPtr privateKeyOf(const NodeIdentity& identity) {
  SecretBytes pem = identity.privateKeyPem();
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  REQUIRE(key);
  return key;
}

}  // namespace entente::crypto::testing
