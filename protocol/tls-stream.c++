#include "protocol/tls-stream.h"

#include <kj/debug.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <climits>
#include <cstring>

namespace entente::protocol {

namespace {

constexpr kj::StringPtr kHandshakeFailed = "TLS handshake with the partner failed: "_kj;
constexpr kj::StringPtr kConnectionFailed = "TLS connection with the partner failed: "_kj;

// Ciphertext read from the inner stream at once: two full records.
constexpr size_t kCiphertextChunk = 2 * (16 * 1024 + 256);
// Plaintext of one record; smaller pieces of a gathered write are coalesced up to it.
constexpr size_t kRecordPlaintext = 16 * 1024;
// Plaintext encrypted before waiting for the inner stream to take it, so that a large
// write holds at most this much ciphertext in memory.
constexpr size_t kWriteBurst = 64 * 1024;

using crypto::BioPtr;
using crypto::PkeyPtr;
using crypto::X509Ptr;

// Drains this thread's OpenSSL error queue into one line of reasons. OpenSSL's reasons
// name what went wrong ("unsupported protocol", "peer did not return a certificate"),
// never the data involved.
std::string takeOpenSslErrors() {
  std::string reasons;
  while (unsigned long code = ERR_get_error()) {
    char fallback[256];
    const char* reason = ERR_reason_error_string(code);
    if (reason == nullptr) {
      ERR_error_string_n(code, fallback, sizeof fallback);
      reason = fallback;
    }
    if (reasons.find(reason) != std::string::npos) continue;
    if (!reasons.empty()) reasons += "; ";
    reasons += reason;
  }
  return reasons;
}

// Why `session` failed, once an OpenSSL call on it has.
std::string describeFailure(SSL* session) {
  std::string reason = takeOpenSslErrors();
  long verified = SSL_get_verify_result(session);
  if (verified != X509_V_OK) {
    if (!reason.empty()) reason += "; ";
    reason += X509_verify_cert_error_string(verified);
  }
  return reason.empty() ? std::string("unknown TLS error") : reason;
}

[[noreturn]] void failConfig(const std::string& what) {
  std::string reason = takeOpenSslErrors();
  throw TlsError(reason.empty() ? what : what + " (" + reason + ")");
}

bool isEd25519(X509* certificate) {
  EVP_PKEY* key = X509_get0_pubkey(certificate);
  return key != nullptr && EVP_PKEY_get_id(key) == EVP_PKEY_ED25519;
}

// Never asks for a passphrase: OpenSSL's default would prompt on the terminal.
int refusePassphrase(char*, int, int, void*) { return 0; }

BioPtr memoryBioOver(std::string_view bytes) {
  if (bytes.size() > INT_MAX) throw TlsError("the PEM text is too large");
  BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
  if (!bio) failConfig("cannot read PEM text");
  return bio;
}

// Chain verification is replaced by pinning: a self-signed certificate is the norm, and
// the caller decides after the handshake by the peer's key. Only the key's kind is
// checked here, so that peerKey() always has an Ed25519 key to report.
int acceptEd25519Certificate(int, X509_STORE_CTX* store) {
  X509* presented = X509_STORE_CTX_get0_cert(store);
  // Peers are trusted by key, but an expired certificate still ends the trust: its
  // owner must re-issue it (same key, so no re-pairing; see docs/security.md).
  if (presented != nullptr && X509_cmp_current_time(X509_get0_notAfter(presented)) < 0) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_HAS_EXPIRED);
    return 0;
  }
  if (presented != nullptr && X509_cmp_current_time(X509_get0_notBefore(presented)) > 0) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_NOT_YET_VALID);
    return 0;
  }
  if (presented != nullptr && isEd25519(presented)) {
    X509_STORE_CTX_set_error(store, X509_V_OK);
    return 1;
  }
  X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
  return 0;
}

// KJ_EXCEPTION would print a computed description as "expression = value".
[[noreturn]] void fail(kj::Exception::Type type, kj::String description) {
  kj::throwFatalException(kj::Exception(type, __FILE__, __LINE__, kj::mv(description)));
}

// ALPN's wire format: each name prefixed by its length.
std::string protocolList(const std::vector<std::string>& names) {
  std::string wire;
  for (auto& name : names) {
    if (name.empty() || name.size() > 255) throw TlsError("an ALPN protocol name must be 1 to 255 bytes long");
    wire += static_cast<char>(name.size());
    wire += name;
  }
  return wire;
}

// The server's choice: the first protocol of the client's offer that it accepts. The
// accepted list is the TlsStream's, reached through the session's app data.
int selectProtocol(SSL* session, const unsigned char** selected, unsigned char* selectedLength,
                   const unsigned char* offered, unsigned int offeredLength, void*) {
  auto* accepted = static_cast<const std::string*>(SSL_get_app_data(session));
  if (accepted == nullptr || accepted->empty()) return SSL_TLSEXT_ERR_NOACK;
  unsigned char* choice = nullptr;
  if (SSL_select_next_proto(&choice, selectedLength, offered, offeredLength,
                            reinterpret_cast<const unsigned char*>(accepted->data()),
                            static_cast<unsigned int>(accepted->size())) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;  // "no application protocol"
  }
  *selected = choice;
  return SSL_TLSEXT_ERR_OK;
}

kj::Exception connectionFailure(SSL* session) {
  return kj::Exception(kj::Exception::Type::FAILED, __FILE__, __LINE__,
                       kj::str(kConnectionFailed, describeFailure(session).c_str()));
}

}  // namespace

// ---------------------------------------------------------------------------------------
// TlsConfig

TlsConfig::TlsConfig(const std::string& certificatePem, std::string_view privateKeyPem,
                     const std::vector<std::string>& acceptedProtocols)
    : acceptedProtocols_(protocolList(acceptedProtocols)) {
  ERR_clear_error();
  X509Ptr certificate(PEM_read_bio_X509(memoryBioOver(certificatePem).get(), nullptr, refusePassphrase, nullptr));
  if (!certificate) failConfig("the node certificate is not a PEM X.509 certificate");
  if (!isEd25519(certificate.get())) throw TlsError("the node certificate does not hold an Ed25519 key");
  PkeyPtr key(PEM_read_bio_PrivateKey(memoryBioOver(privateKeyPem).get(), nullptr, refusePassphrase, nullptr));
  if (!key) failConfig("the node private key is not an unencrypted PEM private key");
  if (X509_check_private_key(certificate.get(), key.get()) != 1) {
    ERR_clear_error();
    throw TlsError("the node private key does not belong to the node certificate");
  }

  context_.reset(SSL_CTX_new(TLS_method()));
  SSL_CTX* context = context_.get();
  if (context == nullptr) failConfig("cannot create a TLS context");
  if (SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION) != 1) failConfig("cannot require TLS 1.3");
  if (SSL_CTX_use_certificate(context, certificate.get()) != 1) failConfig("cannot use the node certificate");
  if (SSL_CTX_use_PrivateKey(context, key.get()) != 1) failConfig("cannot use the node private key");
  // Both identities are Ed25519 keys, so no other signature scheme is ever needed.
  if (SSL_CTX_set1_sigalgs_list(context, "ed25519") != 1) failConfig("cannot restrict signatures to Ed25519");
  // FAIL_IF_NO_PEER_CERT applies to the server side only; a TLS 1.3 server always
  // presents a certificate when no session is resumed, and none ever is.
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, acceptEd25519Certificate);
  // No tickets and no session cache: every connection authenticates with certificates,
  // and no post-handshake messages arrive in the middle of the data.
  SSL_CTX_set_num_tickets(context, 0);
  SSL_CTX_set_options(context, SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_alpn_select_cb(context, selectProtocol, nullptr);
}

TlsConfig::~TlsConfig() = default;
TlsConfig::TlsConfig(TlsConfig&&) noexcept = default;
TlsConfig& TlsConfig::operator=(TlsConfig&&) noexcept = default;

kj::Promise<kj::Own<TlsStream>> TlsConfig::connect(kj::Own<kj::AsyncIoStream> raw, kj::StringPtr protocol) {
  return kj::evalNow([&]() {
    std::string offer;
    try {
      if (protocol.size() > 0) offer = protocolList({protocol.cStr()});
    } catch (const TlsError& e) {
      fail(kj::Exception::Type::FAILED, kj::str(kHandshakeFailed, e.what()));
    }
    return handshake(kj::mv(raw), true, kj::mv(offer));
  });
}

kj::Promise<kj::Own<TlsStream>> TlsConfig::accept(kj::Own<kj::AsyncIoStream> raw) {
  return handshake(kj::mv(raw), false, acceptedProtocols_);
}

kj::Promise<kj::Own<TlsStream>> TlsConfig::handshake(kj::Own<kj::AsyncIoStream> raw, bool asClient,
                                                     std::string protocols) {
  return kj::evalNow([&]() {
    KJ_REQUIRE(context_ != nullptr, "this TlsConfig was moved from");
    ERR_clear_error();
    TlsStream::Session session(SSL_new(context_.get()));
    BioPtr incoming(BIO_new(BIO_s_mem()));
    BioPtr outgoing(BIO_new(BIO_s_mem()));
    if (!session || !incoming || !outgoing) {
      ERR_clear_error();
      fail(kj::Exception::Type::OVERLOADED, kj::str("cannot create a TLS session: out of memory"));
    }
    SSL_set_bio(session.get(), incoming.release(), outgoing.release());  // the session owns both from here
    SSL* ssl = session.get();
    auto stream = kj::heap<TlsStream>(TlsStream::Token(), kj::mv(session), kj::mv(raw), kj::mv(protocols));
    if (asClient) {
      SSL_set_connect_state(ssl);
      // Unlike the rest of OpenSSL, 0 means success here.
      if (!stream->protocols_.empty() &&
          SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char*>(stream->protocols_.data()),
                              static_cast<unsigned int>(stream->protocols_.size())) != 0) {
        ERR_clear_error();
        fail(kj::Exception::Type::OVERLOADED, kj::str("cannot create a TLS session: out of memory"));
      }
    } else {
      SSL_set_accept_state(ssl);
      SSL_set_app_data(ssl, &stream->protocols_);  // for selectProtocol
    }

    auto done = stream->handshake();
    return done.then([stream = kj::mv(stream)]() mutable { return kj::mv(stream); },
                     [](kj::Exception&& e) -> kj::Own<TlsStream> {
                       // Failures of the inner stream get the same prefix as OpenSSL's.
                       if (e.getDescription().startsWith(kHandshakeFailed)) kj::throwFatalException(kj::mv(e));
                       fail(e.getType(), kj::str(kHandshakeFailed, e.getDescription()));
                     });
  });
}

// ---------------------------------------------------------------------------------------
// TlsStream

TlsStream::TlsStream(Token, Session session, kj::Own<kj::AsyncIoStream> inner, std::string protocols)
    : inner_(kj::mv(inner)),
      session_(kj::mv(session)),
      protocols_(kj::mv(protocols)),
      ciphertext_(kj::heapArray<kj::byte>(kCiphertextChunk)),
      writeTail_(kj::Promise<void>(kj::READY_NOW).fork()) {}

TlsStream::~TlsStream() noexcept(false) = default;

std::string TlsStream::protocolVersion() const { return SSL_get_version(session_.get()); }

std::string TlsStream::alpn() const {
  const unsigned char* name = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(session_.get(), &name, &length);
  return std::string(reinterpret_cast<const char*>(name), length);
}

kj::Promise<void> TlsStream::handshake() {
  ERR_clear_error();
  int result = SSL_do_handshake(session_.get());
  if (result == 1) {
    return flushOutbound().then([this]() { learnPeerKey(); });
  }
  if (SSL_get_error(session_.get(), result) == SSL_ERROR_WANT_READ) {
    // A handshake goes in turns: our flight must reach the peer before it answers.
    return flushOutbound()
        .then([this]() { return receiveCiphertext(); })
        .then([this](bool received) {
          if (!received) {
            fail(kj::Exception::Type::DISCONNECTED,
                 kj::str(kHandshakeFailed, "the partner closed the connection during the handshake"));
          }
          return handshake();
        });
  }
  auto failure = kj::Exception(kj::Exception::Type::FAILED, __FILE__, __LINE__,
                               kj::str(kHandshakeFailed, describeFailure(session_.get()).c_str()));
  // Deliver the alert that tells the peer why, if it still listens, then fail.
  return flushOutbound().then([]() {}, [](kj::Exception&&) {}).then([failure = kj::mv(failure)]() mutable {
    kj::throwFatalException(kj::mv(failure));
  });
}

void TlsStream::learnPeerKey() {
  SSL* session = session_.get();
  if (SSL_version(session) != TLS1_3_VERSION) {
    fail(kj::Exception::Type::FAILED,
         kj::str(kHandshakeFailed, "negotiated ", SSL_get_version(session), " instead of TLS 1.3"));
  }
  // A client insists on the protocol it asked for; OpenSSL has already checked that a
  // server's choice was among those offered.
  if (!SSL_is_server(session) && !protocols_.empty() && alpn().empty()) {
    fail(kj::Exception::Type::FAILED,
         kj::str(kHandshakeFailed, "the partner did not agree to speak ", protocols_.substr(1).c_str()));
  }
  X509* certificate = SSL_get0_peer_certificate(session);
  if (certificate == nullptr) {
    fail(kj::Exception::Type::FAILED, kj::str(kHandshakeFailed, "the partner presented no certificate"));
  }
  EVP_PKEY* key = X509_get0_pubkey(certificate);
  size_t length = peerKey_.size();
  if (key == nullptr || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519 ||
      EVP_PKEY_get_raw_public_key(key, peerKey_.data(), &length) != 1 || length != peerKey_.size()) {
    ERR_clear_error();
    fail(kj::Exception::Type::FAILED,
         kj::str(kHandshakeFailed, "the partner's certificate does not hold an Ed25519 key"));
  }
}

void TlsStream::ensureNotAborted() const {
  if (aborted_) {
    kj::throwFatalException(KJ_EXCEPTION(DISCONNECTED, "the connection with the partner was cut off by this node"));
  }
}

kj::Promise<bool> TlsStream::receiveCiphertext() {
  return canceler_.wrap(inner_->tryRead(ciphertext_.begin(), 1, ciphertext_.size())).then([this](size_t n) {
    if (n == 0) return false;
    // A memory BIO grows as needed: the write fails only when memory runs out.
    KJ_ASSERT(BIO_write(SSL_get_rbio(session_.get()), ciphertext_.begin(), static_cast<int>(n)) ==
              static_cast<int>(n));
    return true;
  });
}

void TlsStream::queueOutbound() {
  BIO* outgoing = SSL_get_wbio(session_.get());
  size_t pending = BIO_ctrl_pending(outgoing);
  if (pending == 0) return;
  auto records = kj::heapArray<kj::byte>(pending);
  KJ_ASSERT(BIO_read(outgoing, records.begin(), static_cast<int>(pending)) == static_cast<int>(pending));
  writeTail_ = canceler_
                   .wrap(writeTail_.addBranch().then([this, records = kj::mv(records)]() mutable {
                     auto written = inner_->write(records.begin(), records.size());
                     return written.attach(kj::mv(records));
                   }))
                   .fork();
}

kj::Promise<void> TlsStream::flushOutbound() {
  queueOutbound();
  return writeTail_.addBranch();
}

kj::Promise<size_t> TlsStream::tryRead(void* buffer, size_t minBytes, size_t maxBytes) {
  return kj::evalNow([&]() { return readInto(static_cast<kj::byte*>(buffer), minBytes, maxBytes, 0); });
}

kj::Promise<size_t> TlsStream::readInto(kj::byte* buffer, size_t minBytes, size_t maxBytes, size_t alreadyRead) {
  ensureNotAborted();
  SSL* session = session_.get();
  while (alreadyRead < maxBytes && !peerEnded_) {
    ERR_clear_error();
    size_t n = 0;
    int result = SSL_read_ex(session, buffer + alreadyRead, maxBytes - alreadyRead, &n);
    if (result == 1) {
      alreadyRead += n;
      continue;
    }
    int error = SSL_get_error(session, result);
    if (error == SSL_ERROR_ZERO_RETURN) {
      peerEnded_ = true;
    } else if (error == SSL_ERROR_WANT_READ) {
      break;
    } else {
      auto failure = connectionFailure(session);
      queueOutbound();  // the alert, if OpenSSL made one
      kj::throwFatalException(kj::mv(failure));
    }
  }
  // Reading may have produced records of its own (a KeyUpdate answer, say).
  queueOutbound();
  if (alreadyRead >= minBytes || peerEnded_) return alreadyRead;

  return receiveCiphertext().then([this, buffer, minBytes, maxBytes, alreadyRead](bool received) {
    if (!received) {
      kj::throwFatalException(
          KJ_EXCEPTION(DISCONNECTED, "the partner's connection ended without closing the TLS session"));
    }
    return readInto(buffer, minBytes, maxBytes, alreadyRead);
  });
}

kj::Promise<void> TlsStream::write(const void* buffer, size_t size) {
  return kj::evalNow([&]() {
    auto pieces = kj::heapArray<kj::ArrayPtr<const kj::byte>>(1);
    pieces[0] = kj::arrayPtr(static_cast<const kj::byte*>(buffer), size);
    return writeFrom(kj::mv(pieces), 0, 0);
  });
}

kj::Promise<void> TlsStream::write(kj::ArrayPtr<const kj::ArrayPtr<const kj::byte>> pieces) {
  return kj::evalNow([&]() { return writeFrom(kj::heapArray(pieces), 0, 0); });
}

void TlsStream::encrypt(const kj::byte* data, size_t size) {
  ERR_clear_error();
  size_t written = 0;
  // Without SSL_MODE_ENABLE_PARTIAL_WRITE a successful write takes all of `data`, and a
  // memory BIO never asks to wait.
  if (SSL_write_ex(session_.get(), data, size, &written) != 1 || written != size) {
    auto failure = connectionFailure(session_.get());
    queueOutbound();
    kj::throwFatalException(kj::mv(failure));
  }
}

kj::Promise<void> TlsStream::writeFrom(kj::Array<kj::ArrayPtr<const kj::byte>> pieces, size_t piece,
                                       size_t offset) {
  ensureNotAborted();
  kj::byte staged[kRecordPlaintext];
  size_t stagedSize = 0;
  size_t burst = 0;
  while (piece < pieces.size() && burst < kWriteBurst) {
    auto rest = pieces[piece].slice(offset, pieces[piece].size());
    if (rest.size() == 0) {
      ++piece;
      offset = 0;
      continue;
    }
    if (stagedSize == 0 && rest.size() >= kRecordPlaintext) {
      size_t n = kj::min(rest.size(), kWriteBurst - burst);
      encrypt(rest.begin(), n);
      offset += n;
      burst += n;
    } else {
      // Small pieces (Cap'n Proto's segment tables, say) share a record instead of each
      // paying for one.
      size_t n = kj::min(rest.size(), kRecordPlaintext - stagedSize);
      memcpy(staged + stagedSize, rest.begin(), n);
      stagedSize += n;
      offset += n;
      burst += n;
      if (stagedSize == kRecordPlaintext) {
        encrypt(staged, stagedSize);
        stagedSize = 0;
      }
    }
  }
  if (stagedSize > 0) encrypt(staged, stagedSize);
  while (piece < pieces.size() && offset == pieces[piece].size()) {
    ++piece;
    offset = 0;
  }

  auto flushed = flushOutbound();
  if (piece == pieces.size()) return flushed;
  return flushed.then([this, pieces = kj::mv(pieces), piece, offset]() mutable {
    return writeFrom(kj::mv(pieces), piece, offset);
  });
}

kj::Promise<void> TlsStream::whenWriteDisconnected() { return inner_->whenWriteDisconnected(); }

void TlsStream::shutdownWrite() {
  if (aborted_) return;
  ERR_clear_error();
  // 0 means "close_notify sent, the peer's not yet seen", which is all we want here.
  if (SSL_shutdown(session_.get()) < 0) ERR_clear_error();
  queueOutbound();
  writeTail_ = canceler_.wrap(writeTail_.addBranch().then([this]() { inner_->shutdownWrite(); })).fork();
}

void TlsStream::abort() {
  if (aborted_) return;
  aborted_ = true;
  canceler_.cancel(KJ_EXCEPTION(DISCONNECTED, "the connection with the partner was cut off by this node"));
  // The inner stream may already be half shut or broken; either way it is done.
  try {
    inner_->shutdownWrite();
  } catch (const kj::Exception&) {
  }
  try {
    inner_->abortRead();
  } catch (const kj::Exception&) {
  }
}

void TlsStream::abortRead() { inner_->abortRead(); }

void TlsStream::getsockopt(int level, int option, void* value, uint* length) {
  inner_->getsockopt(level, option, value, length);
}

void TlsStream::setsockopt(int level, int option, const void* value, uint length) {
  inner_->setsockopt(level, option, value, length);
}

void TlsStream::getsockname(struct sockaddr* addr, uint* length) { inner_->getsockname(addr, length); }

void TlsStream::getpeername(struct sockaddr* addr, uint* length) { inner_->getpeername(addr, length); }

}  // namespace entente::protocol
