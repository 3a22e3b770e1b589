// The OpenSSL side of a node identity (crypto/node-identity.h): building the node's
// self-signed X.509 certificate from its Ed25519 seed, reading a PEM certificate back
// (its key, its name, whether its self-signature holds), and encoding the private key
// as PKCS#8 PEM for the TLS library. Internal to crypto/; NodeIdentity is the API.
//
// Callers have initialised libsodium (the certificate's serial is random). Errors are
// IdentityError, and OpenSSL's error queue is left empty after each failure so that it
// does not show up in the next unrelated message.
#pragma once

#include "crypto/node-identity.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace entente::crypto {

// The rule of node.toml (node/node-config.c++), repeated here because crypto/ does not
// depend on node/: 1-64 letters, digits, '.', '_' or '-'. These characters are also
// all a TLS client accepts in a DNS name, which the name becomes.
bool isValidNodeName(std::string_view name);

// A self-signed certificate in PEM for the key of `seed`, as the top of
// node-identity.h describes it. Fails only for a fault of the OpenSSL installation.
std::string makeNodeCertificate(std::span<const uint8_t> seed, const std::string& nodeName);

// What load() checks in a certificate it reads back.
struct CertificateContents {
  PublicKey publicKey{};
  std::optional<std::string> commonName;  // none when the subject has no CN
  bool selfSignatureVerifies = false;     // signed by publicKey and unaltered since
};

// Throws IdentityError when `pem` is not a certificate or its key is not Ed25519.
CertificateContents readNodeCertificate(const std::string& pem);

// Only the Ed25519 key of a PEM certificate; the signature is not checked. Throws as
// readNodeCertificate does.
PublicKey certificatePublicKey(const std::string& pem);

// PKCS#8 PEM ("BEGIN PRIVATE KEY") of the key of `seed`, never copied outside
// OpenSSL's secure memory and the returned SecretBytes.
SecretBytes privateKeyPemOfSeed(std::span<const uint8_t> seed);

}  // namespace entente::crypto
