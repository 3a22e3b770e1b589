// The TLS stream against itself and against plain OpenSSL peers, over real loopback
// TCP (and once over an in-memory pipe): the handshake and the keys it reveals, data in
// both directions, the ways a connection ends, and every kind of peer that is refused.
// One file of ~650 lines because every case shares the same loopback fixture and the
// same hand-built OpenSSL peers (old TLS versions, wrong keys, expired certificates).
#include "protocol/tls-stream.h"

#include <capnp/message.h>
#include <capnp/schema.capnp.h>
#include <capnp/serialize-async.h>
#include <catch2/catch.hpp>
#include <kj/async-io.h>
#include <kj/debug.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <functional>
#include <future>
#include <string>
#include <vector>

using namespace entente::protocol;

namespace {

constexpr auto kTimeout = 10 * kj::SECONDS;
constexpr int kTimeoutSeconds = 10;

using entente::crypto::BioPtr;
using entente::crypto::PkeyPtr;
using entente::crypto::SslCtxPtr;
using entente::crypto::SslPtr;
using entente::crypto::X509Ptr;

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string bioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

// A throwaway node identity: a fresh key and a self-signed certificate for it.
struct TestIdentity {
  std::string certificatePem;
  std::string privateKeyPem;
  PeerKey publicKey{};
};

// `validFrom` and `validFor` in seconds from now: an expired certificate has both negative.
TestIdentity makeIdentity(const char* name, bool ed25519 = true, long validFrom = -3600, long validFor = 86400L * 365) {
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

// For the plain OpenSSL peers below.
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

void setTimeouts(int fd) {
  timeval limit{kTimeoutSeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
}

// What a plain OpenSSL peer on a blocking socket, in a thread of its own, saw.
struct RawPeerOutcome {
  bool handshakeCompleted = false;
  std::string errors;
};
using ContextSetup = std::function<void(SSL_CTX*)>;

// A plain OpenSSL client: handshake, then one read, since a TLS 1.3 client learns that
// the server refused its certificate only when it reads.
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

// A plain OpenSSL server: accepts one connection on `listening` and handshakes.
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

// An event loop with a listening socket on 127.0.0.1.
struct Loopback {
  kj::AsyncIoContext io = kj::setupAsyncIo();
  kj::Own<kj::ConnectionReceiver> listener;

  Loopback() : listener(network().parseAddress("127.0.0.1", 0).wait(io.waitScope)->listen()) {}

  kj::Network& network() { return io.provider->getNetwork(); }
  uint16_t port() { return static_cast<uint16_t>(listener->getPort()); }

  kj::Promise<kj::Own<kj::AsyncIoStream>> dial(uint16_t toPort) {
    return network().parseAddress("127.0.0.1", toPort).then([](kj::Own<kj::NetworkAddress> address) {
      return address->connect().attach(kj::mv(address));
    });
  }

  // Waits for `promise`, failing the test if it takes longer than kTimeout.
  template <typename T>
  T wait(kj::Promise<T> promise) {
    return promise
        .exclusiveJoin(io.provider->getTimer().afterDelay(kTimeout).then([]() -> T { KJ_FAIL_ASSERT("timed out"); }))
        .wait(io.waitScope);
  }

  // The description of the exception `promise` rejects with; fails the test if it
  // resolves instead.
  template <typename T>
  std::string failureOf(kj::Promise<T> promise) {
    return wait(promise.then([](auto&&...) { return std::string("(no failure)"); },
                             [](kj::Exception&& e) { return std::string(e.getDescription().cStr()); }));
  }

  template <typename T>
  kj::Exception::Type failureTypeOf(kj::Promise<T> promise) {
    return wait(promise.then([](auto&&...) -> kj::Exception::Type { KJ_FAIL_ASSERT("expected a failure"); },
                             [](kj::Exception&& e) { return e.getType(); }));
  }
};

struct TlsPair {
  kj::Own<TlsStream> client;
  kj::Own<TlsStream> server;
};

TlsPair connectOverLoopback(Loopback& net, TlsConfig& client, TlsConfig& server, kj::StringPtr protocol = ""_kj) {
  auto accepted = net.listener->accept()
                      .then([&server](kj::Own<kj::AsyncIoStream> raw) { return server.accept(kj::mv(raw)); })
                      .eagerlyEvaluate(nullptr);
  auto connected =
      net.dial(net.port()).then([&client, protocol](kj::Own<kj::AsyncIoStream> raw) {
        return client.connect(kj::mv(raw), protocol);
      });
  auto clientStream = net.wait(kj::mv(connected));
  return TlsPair{kj::mv(clientStream), net.wait(kj::mv(accepted))};
}

// Both nodes of a test, with their identities.
struct Nodes {
  TestIdentity aliceIdentity = makeIdentity("alice");
  TestIdentity bobIdentity = makeIdentity("bob");
  TlsConfig alice{aliceIdentity.certificatePem, aliceIdentity.privateKeyPem, {"entente/1", "entente-pair/1"}};
  TlsConfig bob{bobIdentity.certificatePem, bobIdentity.privateKeyPem, {"entente/1", "entente-pair/1"}};
};

// The description of the failure `connect` (as `client`, offering `protocol`) and
// `accept` (as `server`) each end with.
struct BothFailures {
  std::string client;
  std::string server;
};

BothFailures failuresOf(Loopback& net, TlsConfig& client, TlsConfig& server, kj::StringPtr protocol) {
  auto accepted = net.listener->accept()
                      .then([&server](kj::Own<kj::AsyncIoStream> raw) { return server.accept(kj::mv(raw)); })
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

}  // namespace

TEST_CASE("client and server complete a TLS 1.3 handshake and each learns the other's Ed25519 key") {
  Loopback net;
  Nodes nodes;
  auto pair = connectOverLoopback(net, nodes.alice, nodes.bob);

  CHECK(pair.client->peerKey() == nodes.bobIdentity.publicKey);
  CHECK(pair.server->peerKey() == nodes.aliceIdentity.publicKey);
  CHECK(pair.client->protocolVersion() == "TLSv1.3");
  CHECK(pair.server->protocolVersion() == "TLSv1.3");
  CHECK(pair.client->alpn() == "");
  CHECK(pair.server->alpn() == "");
}

TEST_CASE("the server agrees to the protocol a client asks for, and both ends report it") {
  Loopback net;
  Nodes nodes;
  auto pair = connectOverLoopback(net, nodes.alice, nodes.bob, "entente-pair/1");

  CHECK(pair.client->alpn() == "entente-pair/1");
  CHECK(pair.server->alpn() == "entente-pair/1");
}

TEST_CASE("a client asking for a protocol the server does not accept is refused") {
  Loopback net;
  Nodes nodes;
  auto failures = failuresOf(net, nodes.alice, nodes.bob, "entente/2");

  CHECK_THAT(failures.server, Catch::StartsWith("TLS handshake with the partner failed: "));
  CHECK_THAT(failures.server, Catch::Contains("no application protocol"));
  CHECK_THAT(failures.client, Catch::Contains("no application protocol"));
}

TEST_CASE("a client that asks for a protocol refuses a server that agrees to none") {
  Loopback net;
  Nodes nodes;
  TlsConfig bobWithoutProtocols(nodes.bobIdentity.certificatePem, nodes.bobIdentity.privateKeyPem);
  auto failures = failuresOf(net, nodes.alice, bobWithoutProtocols, "entente/1");

  CHECK(failures.client == "TLS handshake with the partner failed: the partner did not agree to speak entente/1");
}

TEST_CASE("a protocol name longer than ALPN allows is refused") {
  auto alice = makeIdentity("alice");
  CHECK_THROWS_AS(TlsConfig(alice.certificatePem, alice.privateKeyPem, {std::string(256, 'x')}), TlsError);
}

TEST_CASE("the stream reports the socket addresses of the connection beneath it") {
  Loopback net;
  Nodes nodes;
  auto pair = connectOverLoopback(net, nodes.alice, nodes.bob);

  sockaddr_in peer{};
  uint length = sizeof peer;
  pair.client->getpeername(reinterpret_cast<sockaddr*>(&peer), &length);
  CHECK(ntohs(peer.sin_port) == net.port());
  CHECK(ntohl(peer.sin_addr.s_addr) == INADDR_LOOPBACK);
}

TEST_CASE("bytes written on either side arrive intact on the other") {
  Loopback net;
  Nodes nodes;
  auto pair = connectOverLoopback(net, nodes.alice, nodes.bob);

  std::string request = "which of these customers do we share?";
  net.wait(writeText(*pair.client, request));
  CHECK(readText(net, *pair.server, request.size()) == request);

  std::string reply = "three of them, blinded";
  net.wait(writeText(*pair.server, reply));
  CHECK(readText(net, *pair.client, reply.size()) == reply);
}

TEST_CASE("5 MiB payloads cross in both directions at once") {
  Loopback net;
  Nodes nodes;
  auto pair = connectOverLoopback(net, nodes.alice, nodes.bob);
  constexpr size_t kSize = 5 * 1024 * 1024;
  auto fromClient = patternedBytes(kSize, 1);
  auto fromServer = patternedBytes(kSize, 2);
  std::vector<kj::byte> atServer(kSize);
  std::vector<kj::byte> atClient(kSize);

  // Each side writes while it reads: neither write can finish unless the other side's
  // read makes progress at the same time.
  auto all = kj::heapArrayBuilder<kj::Promise<void>>(4);
  all.add(pair.client->write(fromClient.data(), kSize));
  all.add(pair.server->write(fromServer.data(), kSize));
  all.add(pair.server->read(atServer.data(), kSize));
  all.add(pair.client->read(atClient.data(), kSize));
  net.wait(kj::joinPromises(all.finish()));

  CHECK((atServer == fromClient));  // as a bool: Catch would print all 5 MiB
  CHECK((atClient == fromServer));
}

TEST_CASE("many small gathered writes interleaved with reads arrive in order") {
  Loopback net;
  Nodes nodes;
  auto pair = connectOverLoopback(net, nodes.alice, nodes.bob);

  for (uint32_t i = 0; i < 500; ++i) {
    std::string header = "#" + std::to_string(i) + ":";
    std::string body(i % 37, static_cast<char>('a' + i % 26));
    std::string message = header + body;
    // The client's read of the echo is already waiting while it writes.
    std::string echo(message.size(), '\0');
    auto echoed = pair.client->read(echo.data(), echo.size());

    kj::ArrayPtr<const kj::byte> pieces[] = {
        kj::arrayPtr(reinterpret_cast<const kj::byte*>(header.data()), header.size()),
        kj::arrayPtr(reinterpret_cast<const kj::byte*>(body.data()), body.size()),
    };
    net.wait(pair.client->write(pieces));
    std::string received = readText(net, *pair.server, message.size());
    REQUIRE(received == message);
    net.wait(writeText(*pair.server, received));
    net.wait(kj::mv(echoed));
    REQUIRE(echo == message);
  }
}

TEST_CASE("a Cap'n Proto message crosses the stream intact") {
  Loopback net;
  Nodes nodes;
  auto pair = connectOverLoopback(net, nodes.alice, nodes.bob);

  capnp::MallocMessageBuilder message;
  auto node = message.initRoot<capnp::schema::Node>();
  node.setId(0x1234abcd5678ef90ull);
  node.setDisplayName("entente.BlindedBatch");
  net.wait(capnp::writeMessage(*pair.client, message));

  auto reader = net.wait(capnp::readMessage(*pair.server));
  auto received = reader->getRoot<capnp::schema::Node>();
  CHECK(received.getId() == 0x1234abcd5678ef90ull);
  CHECK(received.getDisplayName() == "entente.BlindedBatch");
}

TEST_CASE("the stream works over an in-memory pipe as well as TCP") {
  Loopback net;
  Nodes nodes;
  auto pipe = kj::newTwoWayPipe();
  auto accepted = nodes.bob.accept(kj::mv(pipe.ends[1])).eagerlyEvaluate(nullptr);
  auto client = net.wait(nodes.alice.connect(kj::mv(pipe.ends[0])));
  auto server = net.wait(kj::mv(accepted));
  CHECK(server->peerKey() == nodes.aliceIdentity.publicKey);

  // A pipe has no buffer: a write completes only as the other end reads it.
  std::string received(11, '\0');
  auto reading = client->read(received.data(), received.size());
  net.wait(writeText(*server, "over a pipe"));
  net.wait(kj::mv(reading));
  CHECK(received == "over a pipe");
}

TEST_CASE("a clean shutdownWrite reads as end of stream while the other direction goes on") {
  Loopback net;
  Nodes nodes;
  auto pair = connectOverLoopback(net, nodes.alice, nodes.bob);

  net.wait(writeText(*pair.client, "last words"));
  pair.client->shutdownWrite();
  CHECK(net.wait(pair.server->readAllText()) == "last words");
  char byte;
  CHECK(net.wait(pair.server->tryRead(&byte, 1, 1)) == 0);

  net.wait(writeText(*pair.server, "still heard"));
  pair.server->shutdownWrite();
  CHECK(net.wait(pair.client->readAllText()) == "still heard");
}

TEST_CASE("abort() fails pending and later reads and writes on the aborted stream as DISCONNECTED") {
  Loopback net;
  Nodes nodes;
  auto pair = connectOverLoopback(net, nodes.alice, nodes.bob);
  char buffer[16];
  auto pendingRead = pair.server->tryRead(buffer, 1, sizeof buffer);

  pair.server->abort();

  CHECK(net.failureTypeOf(kj::mv(pendingRead)) == kj::Exception::Type::DISCONNECTED);
  CHECK(net.failureTypeOf(pair.server->tryRead(buffer, 1, sizeof buffer)) == kj::Exception::Type::DISCONNECTED);
  CHECK(net.failureTypeOf(writeText(*pair.server, "too late")) == kj::Exception::Type::DISCONNECTED);
}

TEST_CASE("the peer of an aborted stream sees its connection end") {
  Loopback net;
  Nodes nodes;
  auto pair = connectOverLoopback(net, nodes.alice, nodes.bob);
  char buffer[16];
  auto clientRead = pair.client->tryRead(buffer, 1, sizeof buffer)
                        .then([](size_t n) { return n == 0 ? std::string("EOF") : std::string("data"); },
                              [](kj::Exception&& e) {
                                return e.getType() == kj::Exception::Type::DISCONNECTED ? std::string("DISCONNECTED")
                                                                                        : std::string("other failure");
                              });

  pair.server->abort();

  std::string outcome = net.wait(kj::mv(clientRead));
  CHECK((outcome == "EOF" || outcome == "DISCONNECTED"));
}

TEST_CASE("a client that presents no certificate is refused by the server") {
  Loopback net;
  Nodes nodes;
  auto client = startRawClient(net.port(), [](SSL_CTX*) {});

  auto failure = net.failureOf(net.listener->accept().then(
      [&](kj::Own<kj::AsyncIoStream> raw) { return nodes.bob.accept(kj::mv(raw)); }));
  CHECK_THAT(failure, Catch::StartsWith("TLS handshake with the partner failed: "));
  CHECK_THAT(failure, Catch::Contains("peer did not return a certificate"));

  auto outcome = client.get();
  CHECK_THAT(outcome.errors, Catch::Contains("certificate required"));
}

TEST_CASE("a client whose certificate key is not Ed25519 is refused by the server") {
  Loopback net;
  Nodes nodes;
  auto ecdsa = makeIdentity("mallory", false);
  auto client = startRawClient(net.port(), [&ecdsa](SSL_CTX* context) { useIdentity(context, ecdsa); });

  auto failure = net.failureOf(net.listener->accept().then(
      [&](kj::Own<kj::AsyncIoStream> raw) { return nodes.bob.accept(kj::mv(raw)); }));
  CHECK_THAT(failure, Catch::StartsWith("TLS handshake with the partner failed: "));
  client.get();
}

TEST_CASE("a client whose certificate has expired is refused by the server") {
  Loopback net;
  Nodes nodes;
  auto expired = makeIdentity("carol", true, -86400L * 30, -86400L);
  TlsConfig carol{expired.certificatePem, expired.privateKeyPem};
  auto failures = failuresOf(net, carol, nodes.bob, "entente/1"_kj);
  CHECK_THAT(failures.server, Catch::Contains("certificate has expired"));
}

TEST_CASE("a client refuses a server whose certificate is not yet valid") {
  Loopback net;
  Nodes nodes;
  auto future = makeIdentity("dave", true, 86400L, 86400L * 2);
  TlsConfig dave{future.certificatePem, future.privateKeyPem, {"entente/1"}};
  auto failures = failuresOf(net, nodes.alice, dave, "entente/1"_kj);
  CHECK_THAT(failures.client, Catch::Contains("certificate is not yet valid"));
}

TEST_CASE("a plain TCP client sending an HTTP request is refused before any data is delivered") {
  Loopback net;
  Nodes nodes;
  auto accepted = net.listener->accept()
                      .then([&](kj::Own<kj::AsyncIoStream> raw) { return nodes.bob.accept(kj::mv(raw)); })
                      .eagerlyEvaluate(nullptr);
  auto plain = net.wait(net.dial(net.port()));
  net.wait(writeText(*plain, "GET / HTTP/1.1\r\nHost: partner.example\r\n\r\n"));

  auto failure = net.failureOf(kj::mv(accepted));
  CHECK_THAT(failure, Catch::StartsWith("TLS handshake with the partner failed: "));
  CHECK_THAT(failure, Catch::Contains("http request"));
}

TEST_CASE("a plain TCP client sending garbage is refused") {
  Loopback net;
  Nodes nodes;
  auto accepted = net.listener->accept()
                      .then([&](kj::Own<kj::AsyncIoStream> raw) { return nodes.bob.accept(kj::mv(raw)); })
                      .eagerlyEvaluate(nullptr);
  auto plain = net.wait(net.dial(net.port()));
  auto garbage = patternedBytes(4096, 7);
  net.wait(plain->write(garbage.data(), garbage.size()));

  CHECK_THAT(net.failureOf(kj::mv(accepted)), Catch::StartsWith("TLS handshake with the partner failed: "));
}

TEST_CASE("a client that hangs up during the handshake is refused as DISCONNECTED") {
  Loopback net;
  Nodes nodes;
  auto accepted = net.listener->accept()
                      .then([&](kj::Own<kj::AsyncIoStream> raw) { return nodes.bob.accept(kj::mv(raw)); })
                      .eagerlyEvaluate(nullptr);
  net.wait(net.dial(net.port()));  // connects, then drops the connection at once

  CHECK(net.failureTypeOf(kj::mv(accepted)) == kj::Exception::Type::DISCONNECTED);
}

TEST_CASE("a client limited to TLS 1.2 is refused for its protocol version") {
  Loopback net;
  Nodes nodes;
  auto client = startRawClient(net.port(), [&nodes](SSL_CTX* context) {
    SSL_CTX_set_max_proto_version(context, TLS1_2_VERSION);
    useIdentity(context, nodes.aliceIdentity);
  });

  auto failure = net.failureOf(net.listener->accept().then(
      [&](kj::Own<kj::AsyncIoStream> raw) { return nodes.bob.accept(kj::mv(raw)); }));
  CHECK_THAT(failure, Catch::StartsWith("TLS handshake with the partner failed: "));
  CHECK_THAT(failure, Catch::Contains("unsupported protocol"));

  auto outcome = client.get();
  CHECK_FALSE(outcome.handshakeCompleted);
  CHECK_THAT(outcome.errors, Catch::Contains("protocol version"));
}

TEST_CASE("a server limited to TLS 1.2 is refused by the client") {
  Loopback net;
  Nodes nodes;
  Socket listening(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listening.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(listening.get(), 1) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(listening.get(), reinterpret_cast<sockaddr*>(&address), &length) == 0);
  setTimeouts(listening.get());  // bounds accept() too
  auto server = startRawServer(listening.get(), [&nodes](SSL_CTX* context) {
    SSL_CTX_set_max_proto_version(context, TLS1_2_VERSION);
    useIdentity(context, nodes.bobIdentity);
  });

  auto failure = net.failureOf(net.dial(ntohs(address.sin_port)).then([&](kj::Own<kj::AsyncIoStream> raw) {
    return nodes.alice.connect(kj::mv(raw));
  }));
  CHECK_THAT(failure, Catch::StartsWith("TLS handshake with the partner failed: "));
  CHECK_THAT(failure, Catch::Contains("protocol version"));
  CHECK_FALSE(server.get().handshakeCompleted);
}

TEST_CASE("a node certificate whose key is not Ed25519 is refused") {
  auto ecdsa = makeIdentity("p256", false);
  CHECK_THROWS_MATCHES(TlsConfig(ecdsa.certificatePem, ecdsa.privateKeyPem), TlsError,
                       Catch::Message("the node certificate does not hold an Ed25519 key"));
}

TEST_CASE("a private key that does not belong to the certificate is refused") {
  auto alice = makeIdentity("alice");
  auto bob = makeIdentity("bob");
  CHECK_THROWS_MATCHES(TlsConfig(alice.certificatePem, bob.privateKeyPem), TlsError,
                       Catch::Message("the node private key does not belong to the node certificate"));
}

TEST_CASE("an unreadable private key is refused without repeating it") {
  auto alice = makeIdentity("alice");
  std::string damaged = alice.privateKeyPem;
  damaged.replace(40, 8, "!!!!!!!!");
  try {
    TlsConfig config(alice.certificatePem, damaged);
    FAIL("the damaged key was accepted");
  } catch (const TlsError& e) {
    std::string message = e.what();
    CHECK_THAT(message, Catch::StartsWith("the node private key is not an unencrypted PEM private key"));
    CHECK_THAT(message, !Catch::Contains("!!!!") && !Catch::Contains(alice.privateKeyPem.substr(28, 20)));
  }
}
