// Throwaway identities, plain OpenSSL peers and the loopback fixture of the TLS
// stream's tests (see tls-test-peers.h).
#include "protocol/tls-test-peers.h"

#include <catch2/catch.hpp>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace entente::protocol::testing {

using crypto::BioPtr;
using crypto::PkeyPtr;
using crypto::SslCtxPtr;
using crypto::SslPtr;
using crypto::X509Ptr;

namespace {

std::string bioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string takeOpenSslErrors() {
  std::string reasons;
  while (unsigned long code = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    reasons += text;
    reasons += "\n";
  }
  return reasons;
}

}  // namespace

Socket::~Socket() {
  if (fd_ >= 0) close(fd_);
}

TestIdentity makeIdentity(const char* name, bool ed25519, long validFrom, long validFor) {
  PkeyPtr key(ed25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  REQUIRE(key);
  X509Ptr certificate(X509_new());
  REQUIRE(certificate);
  X509* x = certificate.get();
  REQUIRE(X509_set_version(x, X509_VERSION_3) == 1);
  REQUIRE(ASN1_INTEGER_set(X509_get_serialNumber(x), 1) == 1);
  REQUIRE(X509_gmtime_adj(X509_getm_notBefore(x), validFrom) != nullptr);
  REQUIRE(X509_gmtime_adj(X509_getm_notAfter(x), validFor) != nullptr);
  X509_NAME* subject = X509_get_subject_name(x);
  REQUIRE(X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(name), -1,
                                     -1, 0) == 1);
  REQUIRE(X509_set_issuer_name(x, subject) == 1);
  REQUIRE(X509_set_pubkey(x, key.get()) == 1);
  REQUIRE(X509_sign(x, key.get(), ed25519 ? nullptr : EVP_sha256()) > 0);

  TestIdentity identity;
  BioPtr certificateOut(BIO_new(BIO_s_mem()));
  REQUIRE(PEM_write_bio_X509(certificateOut.get(), x) == 1);
  identity.certificatePem = bioText(certificateOut.get());
  BioPtr keyOut(BIO_new(BIO_s_mem()));
  REQUIRE(PEM_write_bio_PrivateKey(keyOut.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
  identity.privateKeyPem = bioText(keyOut.get());
  if (ed25519) {
    size_t length = identity.publicKey.size();
    REQUIRE(EVP_PKEY_get_raw_public_key(key.get(), identity.publicKey.data(), &length) == 1);
  }
  return identity;
}

void useIdentity(SSL_CTX* context, const TestIdentity& identity) {
  BioPtr certificateIn(
      BIO_new_mem_buf(identity.certificatePem.data(), static_cast<int>(identity.certificatePem.size())));
  X509Ptr certificate(PEM_read_bio_X509(certificateIn.get(), nullptr, nullptr, nullptr));
  BioPtr keyIn(BIO_new_mem_buf(identity.privateKeyPem.data(), static_cast<int>(identity.privateKeyPem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(keyIn.get(), nullptr, nullptr, nullptr));
  KJ_ASSERT(certificate != nullptr && key != nullptr);
  KJ_ASSERT(SSL_CTX_use_certificate(context, certificate.get()) == 1);
  KJ_ASSERT(SSL_CTX_use_PrivateKey(context, key.get()) == 1);
}

void setTimeouts(int fd) {
  timeval limit{kTimeoutSeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
}

std::future<RawPeerOutcome> startRawClient(uint16_t port, ContextSetup setup) {
  return std::async(std::launch::async, [port, setup = std::move(setup)]() {
    RawPeerOutcome outcome;
    Socket socket(::socket(AF_INET, SOCK_STREAM, 0));
    setTimeouts(socket.get());
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      outcome.errors = "cannot connect";
      return outcome;
    }
    SslCtxPtr context(SSL_CTX_new(TLS_client_method()));
    setup(context.get());
    SslPtr session(SSL_new(context.get()));
    SSL_set_fd(session.get(), socket.get());
    if (SSL_connect(session.get()) == 1) {
      outcome.handshakeCompleted = true;
      char byte;
      SSL_read(session.get(), &byte, 1);
    }
    outcome.errors = takeOpenSslErrors();
    return outcome;
  });
}

std::future<RawPeerOutcome> startRawServer(int listening, ContextSetup setup) {
  return std::async(std::launch::async, [listening, setup = std::move(setup)]() {
    RawPeerOutcome outcome;
    Socket socket(::accept(listening, nullptr, nullptr));
    if (socket.get() < 0) {
      outcome.errors = "no connection arrived";
      return outcome;
    }
    setTimeouts(socket.get());
    SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
    setup(context.get());
    SslPtr session(SSL_new(context.get()));
    SSL_set_fd(session.get(), socket.get());
    outcome.handshakeCompleted = SSL_accept(session.get()) == 1;
    outcome.errors = takeOpenSslErrors();
    return outcome;
  });
}

TlsPair connectOverLoopback(Loopback& net, TlsConfig& client, TlsConfig& server, kj::StringPtr protocol) {
  auto accepted = net.acceptAs(server).eagerlyEvaluate(nullptr);
  auto connected =
      net.dial(net.port()).then([&client, protocol](kj::Own<kj::AsyncIoStream> raw) {
        return client.connect(kj::mv(raw), protocol);
      });
  auto clientStream = net.wait(kj::mv(connected));
  return TlsPair{kj::mv(clientStream), net.wait(kj::mv(accepted))};
}

BothFailures failuresOf(Loopback& net, TlsConfig& client, TlsConfig& server, kj::StringPtr protocol) {
  auto accepted = net.acceptAs(server)
                      .then([](kj::Own<TlsStream> stream) {
                        // A TLS 1.3 client may finish first; the server's verdict reaches
                        // it when it reads.
                        return stream->readAllText().attach(kj::mv(stream)).ignoreResult();
                      })
                      .eagerlyEvaluate(nullptr);
  auto connected = net.dial(net.port())
                       .then([&client, protocol](kj::Own<kj::AsyncIoStream> raw) {
                         return client.connect(kj::mv(raw), protocol);
                       })
                       .then([](kj::Own<TlsStream> stream) {
                         return stream->readAllText().attach(kj::mv(stream)).ignoreResult();
                       });
  BothFailures failures;
  failures.client = net.failureOf(kj::mv(connected));
  failures.server = net.failureOf(kj::mv(accepted));
  return failures;
}

std::vector<kj::byte> patternedBytes(size_t size, uint32_t seed) {
  std::vector<kj::byte> bytes(size);
  uint32_t state = seed;
  for (auto& b : bytes) {
    state = state * 1664525u + 1013904223u;
    b = static_cast<kj::byte>(state >> 24);
  }
  return bytes;
}

kj::Promise<void> writeText(kj::AsyncIoStream& stream, const std::string& text) {
  return stream.write(text.data(), text.size());
}

std::string readText(Loopback& net, kj::AsyncIoStream& stream, size_t size) {
  std::string text(size, '\0');
  net.wait(stream.read(text.data(), size));
  return text;
}

}  // namespace entente::protocol::testing
