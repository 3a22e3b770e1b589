// What the TLS stream's tests share: throwaway node identities, plain OpenSSL peers
// (blocking, in a thread of their own) that a test can set up to be wrong in one way
// (an old TLS version, a wrong key, an expired certificate), and a KJ event loop with a
// listening socket on 127.0.0.1 that connects two TlsConfigs. Used by
// tls-stream-test.c++ (what a good connection does) and tls-refusal-test.c++ (every
// kind of peer that is refused).
#pragma once

#include "protocol/tls-stream.h"

#include <kj/async-io.h>
#include <kj/debug.h>
#include <openssl/ssl.h>

#include <cstdint>
#include <functional>
#include <future>
#include <string>
#include <vector>

namespace entente::protocol::testing {

constexpr auto kTimeout = 10 * kj::SECONDS;
constexpr int kTimeoutSeconds = 10;

// Owns a file descriptor and closes it.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket();
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// A throwaway node identity: a fresh key and a self-signed certificate for it.
struct TestIdentity {
  std::string certificatePem;
  std::string privateKeyPem;
  PeerKey publicKey{};
};

// `validFrom` and `validFor` in seconds from now: an expired certificate has both
// negative. Not Ed25519: a P-256 key, which a node refuses.
TestIdentity makeIdentity(const char* name, bool ed25519 = true, long validFrom = -3600,
                          long validFor = 86400L * 365);

// For the plain OpenSSL peers below.
void useIdentity(SSL_CTX* context, const TestIdentity& identity);

// Read and write timeouts of kTimeoutSeconds on a blocking socket (accept() too).
void setTimeouts(int fd);

// What a plain OpenSSL peer on a blocking socket, in a thread of its own, saw.
struct RawPeerOutcome {
  bool handshakeCompleted = false;
  std::string errors;
};
using ContextSetup = std::function<void(SSL_CTX*)>;

// A plain OpenSSL client: handshake, then one read, since a TLS 1.3 client learns that
// the server refused its certificate only when it reads.
std::future<RawPeerOutcome> startRawClient(uint16_t port, ContextSetup setup);

// A plain OpenSSL server: accepts one connection on `listening` and handshakes.
std::future<RawPeerOutcome> startRawServer(int listening, ContextSetup setup);

// An event loop with a listening socket on 127.0.0.1.
struct Loopback {
  kj::AsyncIoContext io = kj::setupAsyncIo();
  kj::Own<kj::ConnectionReceiver> listener;

  Loopback() : listener(network().parseAddress("127.0.0.1", 0).wait(io.waitScope)->listen()) {}

  kj::Network& network() { return io.provider->getNetwork(); }
  uint16_t port() { return static_cast<uint16_t>(listener->getPort()); }

  // The next connection on the listener, accepted as `server`: its TLS handshake done.
  kj::Promise<kj::Own<TlsStream>> acceptAs(TlsConfig& server) {
    return listener->accept().then([&server](kj::Own<kj::AsyncIoStream> raw) { return server.accept(kj::mv(raw)); });
  }

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

TlsPair connectOverLoopback(Loopback& net, TlsConfig& client, TlsConfig& server,
                            kj::StringPtr protocol = ""_kj);

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


BothFailures failuresOf(Loopback& net, TlsConfig& client, TlsConfig& server, kj::StringPtr protocol);

// `size` bytes of a fixed pseudo-random pattern for `seed`.
std::vector<kj::byte> patternedBytes(size_t size, uint32_t seed);

kj::Promise<void> writeText(kj::AsyncIoStream& stream, const std::string& text);
// Reads exactly `size` bytes.
std::string readText(Loopback& net, kj::AsyncIoStream& stream, size_t size);

}  // namespace entente::protocol::testing
