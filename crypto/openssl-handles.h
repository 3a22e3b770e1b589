// Owners for the OpenSSL objects Entente handles: each is a std::unique_ptr whose
// deleter is the object's own *_free function, so that no return or exception path
// leaks one. The certificate code (crypto/node-certificate.c++), the TLS stream
// (protocol/tls-stream.{h,c++}) and their tests all use these, and nothing else frees
// an OpenSSL object by hand.
//
// It includes OpenSSL, so the layering rules for <openssl/...> apply to it as well:
// only crypto/ and the TLS stream include it.
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace entente::crypto {

// Calls `Free` on a non-null object (std::unique_ptr never passes null). Some *_free
// functions return a status (BIO_free); a free that fails has nothing left to undo.
template <auto Free>
struct OpenSslFree {
  template <typename T>
  void operator()(T* object) const noexcept {
    static_cast<void>(Free(object));
  }
};

// The owner of a `T` freed with `Free`. The function is part of the type because some
// OpenSSL types share one C type (ASN1_IA5STRING and ASN1_BIT_STRING are both
// ASN1_STRING) yet each has its own free function.
template <typename T, auto Free>
using OpenSslOwner = std::unique_ptr<T, OpenSslFree<Free>>;

// libcrypto: keys, certificates and their parts, memory buffers.
using PkeyPtr = OpenSslOwner<EVP_PKEY, &EVP_PKEY_free>;
using X509Ptr = OpenSslOwner<X509, &X509_free>;
using X509NamePtr = OpenSslOwner<X509_NAME, &X509_NAME_free>;
using BioPtr = OpenSslOwner<BIO, &BIO_free>;
using BignumPtr = OpenSslOwner<BIGNUM, &BN_free>;
using GeneralNamesPtr = OpenSslOwner<GENERAL_NAMES, &GENERAL_NAMES_free>;
using GeneralNamePtr = OpenSslOwner<GENERAL_NAME, &GENERAL_NAME_free>;
using Ia5StringPtr = OpenSslOwner<ASN1_IA5STRING, &ASN1_IA5STRING_free>;
using BasicConstraintsPtr = OpenSslOwner<BASIC_CONSTRAINTS, &BASIC_CONSTRAINTS_free>;
using BitStringPtr = OpenSslOwner<ASN1_BIT_STRING, &ASN1_BIT_STRING_free>;

// libssl: a TLS context and one connection on it. Only code that links libssl (the TLS
// stream and the tests that run a handshake) may use these two.
using SslCtxPtr = OpenSslOwner<SSL_CTX, &SSL_CTX_free>;
using SslPtr = OpenSslOwner<SSL, &SSL_free>;

}  // namespace entente::crypto
