// Mutual TLS 1.3 between partner nodes, over any KJ byte stream.
//
// Each node has one Ed25519 key and a self-signed certificate for it (see
// crypto/node-identity.h). Both ends of a connection present their certificate and no
// certificate authority is consulted: a partner is trusted by its raw Ed25519 public
// key, which the layer above compares with its paired peers' keys once the handshake
// is done (TlsStream::peerKey()). The key is a sound identity because the handshake's
// CertificateVerify proves that the peer holds the private key of the certificate it
// presented.
//
// This is our own stream over OpenSSL memory BIOs rather than kj-tls, because kj-tls
// 0.9.2 can neither require TLS 1.3 nor hand out the peer's certificate.
//
// Errors: TlsConfig's constructor throws TlsError (a configuration problem, found at
// start-up); everything asynchronous rejects with a kj::Exception whose description
// says what failed. Neither ever carries key material.
#pragma once

#include "crypto/openssl-handles.h"

#include <kj/async-io.h>

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace entente::protocol {

// A raw Ed25519 public key (the same bytes as crypto::PublicKey).
using PeerKey = std::array<uint8_t, 32>;

class TlsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class TlsStream;

// One per node: its certificate and key, and the rules every connection follows:
// TLS 1.3 only, both sides present an Ed25519 certificate (a server refuses a client
// that presents none), no session tickets or resumption, Ed25519 signatures only.
//
// A connection may say what it is for with ALPN: the client names one protocol, and a
// server picks it if it is among its `acceptedProtocols`, or else refuses the client
// ("no application protocol"). A server with no accepted protocols ignores ALPN.
class TlsConfig {
 public:
  // `certificatePem` holds the node's certificate, `privateKeyPem` its unencrypted
  // private key; the key must be Ed25519 and belong to the certificate. The caller
  // keeps (and wipes) the key buffer: it is parsed in place, not copied. Protocol
  // names are 1 to 255 bytes.
  TlsConfig(const std::string& certificatePem, std::string_view privateKeyPem,
            const std::vector<std::string>& acceptedProtocols = {});
  ~TlsConfig();
  TlsConfig(TlsConfig&&) noexcept;
  TlsConfig& operator=(TlsConfig&&) noexcept;

  // Runs the handshake over `raw` as the client, resp. the server, and resolves to the
  // encrypted stream once it is complete. Rejects with "TLS handshake with the partner
  // failed: <reason>" otherwise; the peer is sent the matching TLS alert.
  //
  // A client that names a `protocol` insists on it: a server that does not select it
  // fails the handshake. TLS 1.3 lets a client finish before the server has checked
  // the client's certificate: a client the server refuses learns so at its first read.
  kj::Promise<kj::Own<TlsStream>> connect(kj::Own<kj::AsyncIoStream> raw, kj::StringPtr protocol = ""_kj);
  kj::Promise<kj::Own<TlsStream>> accept(kj::Own<kj::AsyncIoStream> raw);

 private:
  kj::Promise<kj::Own<TlsStream>> handshake(kj::Own<kj::AsyncIoStream> raw, bool asClient, std::string protocols);

  crypto::SslCtxPtr context_;
  std::string acceptedProtocols_;  // ALPN wire format: length-prefixed names
};

// An established TLS 1.3 connection. Like any KJ stream it allows one read and one
// write in flight at a time, and the two may run concurrently.
//
// Reads return 0 once the peer has ended its side cleanly (close_notify). A peer whose
// connection ends without close_notify makes reads fail with DISCONNECTED, so a
// truncated stream is never mistaken for a complete one.
class TlsStream final : public kj::AsyncIoStream {
 public:
  // Only TlsConfig makes streams.
  class Token {
    Token() = default;
    friend class TlsConfig;
  };
  using Session = crypto::SslPtr;

  TlsStream(Token, Session session, kj::Own<kj::AsyncIoStream> inner, std::string protocols);
  ~TlsStream() noexcept(false);
  KJ_DISALLOW_COPY(TlsStream);

  // The Ed25519 public key of the peer's certificate.
  const PeerKey& peerKey() const { return peerKey_; }
  // The negotiated protocol, "TLSv1.3".
  std::string protocolVersion() const;
  // The application protocol agreed with ALPN ("entente/1"), or "" when none was.
  std::string alpn() const;

  // Tears the connection down now, without a TLS goodbye (for a peer revoked while
  // connected): pending and later reads and writes fail with DISCONNECTED, and the
  // inner stream is shut down in both directions, so the peer sees the end at once.
  void abort();

  kj::Promise<size_t> tryRead(void* buffer, size_t minBytes, size_t maxBytes) override;
  kj::Promise<void> write(const void* buffer, size_t size) override;
  kj::Promise<void> write(kj::ArrayPtr<const kj::ArrayPtr<const kj::byte>> pieces) override;
  kj::Promise<void> whenWriteDisconnected() override;
  // Sends close_notify, then shuts down the inner stream's write side once everything
  // before it has been written. Reading goes on until the peer ends its side.
  void shutdownWrite() override;
  void abortRead() override;
  void getsockopt(int level, int option, void* value, uint* length) override;
  void setsockopt(int level, int option, const void* value, uint length) override;
  void getsockname(struct sockaddr* addr, uint* length) override;
  void getpeername(struct sockaddr* addr, uint* length) override;

 private:
  friend class TlsConfig;

  kj::Promise<void> handshake();
  void learnPeerKey();
  kj::Promise<size_t> readInto(kj::byte* buffer, size_t minBytes, size_t maxBytes, size_t alreadyRead);
  kj::Promise<void> writeFrom(kj::Array<kj::ArrayPtr<const kj::byte>> pieces, size_t piece, size_t offset);
  void encrypt(const kj::byte* data, size_t size);
  // Moves the records OpenSSL has produced to the end of the inner stream's write queue.
  void queueOutbound();
  // The same, and resolves once everything queued so far has been written.
  kj::Promise<void> flushOutbound();
  // Reads what the inner stream has into OpenSSL; resolves to false at its EOF.
  kj::Promise<bool> receiveCiphertext();
  void ensureNotAborted() const;

  kj::Own<kj::AsyncIoStream> inner_;
  Session session_;
  // ALPN wire format: what a client offers (and insists on), what a server accepts.
  std::string protocols_;
  PeerKey peerKey_{};
  kj::Array<kj::byte> ciphertext_;
  bool peerEnded_ = false;
  bool aborted_ = false;
  // Declared last so that pending inner operations, which refer to the members above,
  // are cancelled first on destruction. Writes to the inner stream are chained on
  // writeTail_ because a KJ stream takes only one write at a time, while records come
  // from writes, reads (alerts) and shutdownWrite alike.
  kj::Canceler canceler_;
  kj::ForkedPromise<void> writeTail_;
};

}  // namespace entente::protocol
