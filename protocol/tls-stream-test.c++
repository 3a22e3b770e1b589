// The TLS stream against itself over real loopback TCP (and once over an in-memory
// pipe): the handshake and the keys and protocol it reveals, data in both directions,
// and the ways a connection ends. The peers it refuses are in tls-refusal-test.c++.
#include "protocol/tls-stream.h"

#include "protocol/tls-test-peers.h"

#include <capnp/message.h>
#include <capnp/schema.capnp.h>
#include <capnp/serialize-async.h>
#include <catch2/catch.hpp>
#include <kj/async-io.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <string>
#include <vector>

using namespace entente::protocol;
using namespace entente::protocol::testing;

namespace {

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

}  // namespace
