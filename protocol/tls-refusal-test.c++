// Every kind of peer the TLS stream refuses, over real loopback TCP: a client asking
// for a protocol the other end does not speak, plain OpenSSL peers with no certificate,
// a non-Ed25519 key, an expired or not yet valid certificate or TLS 1.2 only, plain TCP
// clients sending HTTP or garbage, and node identities the stream will not load.
#include "protocol/tls-stream.h"

#include "protocol/tls-test-peers.h"

#include <catch2/catch.hpp>
#include <kj/async-io.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <string>

using namespace entente::protocol;
using namespace entente::protocol::testing;

namespace {

TEST_CASE("a client that presents no certificate is refused by the server") {
  Loopback net;
  Nodes nodes;
  auto client = startRawClient(net.port(), [](SSL_CTX*) {});

  auto failure = net.failureOf(net.acceptAs(nodes.bob));
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

  auto failure = net.failureOf(net.acceptAs(nodes.bob));
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
  auto accepted = net.acceptAs(nodes.bob).eagerlyEvaluate(nullptr);
  auto plain = net.wait(net.dial(net.port()));
  net.wait(writeText(*plain, "GET / HTTP/1.1\r\nHost: partner.example\r\n\r\n"));

  auto failure = net.failureOf(kj::mv(accepted));
  CHECK_THAT(failure, Catch::StartsWith("TLS handshake with the partner failed: "));
  CHECK_THAT(failure, Catch::Contains("http request"));
}

TEST_CASE("a plain TCP client sending garbage is refused") {
  Loopback net;
  Nodes nodes;
  auto accepted = net.acceptAs(nodes.bob).eagerlyEvaluate(nullptr);
  auto plain = net.wait(net.dial(net.port()));
  auto garbage = patternedBytes(4096, 7);
  net.wait(plain->write(garbage.data(), garbage.size()));

  CHECK_THAT(net.failureOf(kj::mv(accepted)), Catch::StartsWith("TLS handshake with the partner failed: "));
}

TEST_CASE("a client that hangs up during the handshake is refused as DISCONNECTED") {
  Loopback net;
  Nodes nodes;
  auto accepted = net.acceptAs(nodes.bob).eagerlyEvaluate(nullptr);
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

  auto failure = net.failureOf(net.acceptAs(nodes.bob));
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

}  // namespace
