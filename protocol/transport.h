// How partner nodes reach each other: the one place that turns an address into an
// authenticated byte stream. Every partner connection is mutual TLS 1.3
// (protocol/tls-stream.h); the session logic above never sees a socket.
//
// A connection says what it is for with TLS ALPN, before any RPC: "entente/1" for
// match sessions, "entente-pair/1" for completing a pairing. The server decides from
// the peer's identity key and that channel whether to serve it at all, so an unknown
// or revoked node is refused before a single RPC message is read.
//
// Every stream counts the bytes it carries on the wire (TLS records included), for
// `entente node status` and the benchmark.
#pragma once

#include "protocol/tls-stream.h"

#include <capnp/capability.h>
#include <kj/async-io.h>
#include <kj/function.h>
#include <kj/timer.h>

#include <atomic>
#include <cstdint>
#include <string>

namespace entente::protocol {

// Bytes carried on all partner connections of this process since it started.
struct WireCounters {
  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> received{0};
};
WireCounters& partnerWireCounters();

// Wraps a stream so that its traffic is added to `counters`.
kj::Own<kj::AsyncIoStream> countTraffic(kj::Own<kj::AsyncIoStream> inner, WireCounters& counters);

enum class Channel { SESSION, PAIRING };
kj::StringPtr alpnOf(Channel channel);

// An accepted, authenticated connection waiting for the node's decision.
struct Incoming {
  TlsStream& stream;
  std::string remote;  // "host:port" of the other end, for logs
  Channel channel;
};

// What the node serves on an admitted connection, and what lives as long as it does.
struct Admission {
  capnp::Capability::Client bootstrap;
  kj::Own<void> attachment;
};

class PartnerTransport {
 public:
  PartnerTransport(kj::Network& network, kj::Timer& timer, TlsConfig& tls)
      : network_(network), timer_(timer), tls_(tls) {}

  // Connects to "host:port" over TLS and checks that the other end holds `expected`.
  // Rejects with a message naming the address when it cannot be reached, the
  // handshake fails, or another identity answers.
  kj::Promise<kj::Own<TlsStream>> connect(kj::StringPtr address, const PeerKey& expected, Channel channel);
  // Listens on "host:port" ("0.0.0.0:7401", "127.0.0.1:0").
  kj::Promise<kj::Own<kj::ConnectionReceiver>> listen(kj::StringPtr address);

  // Accepts connections forever. For each completed handshake `admit` decides: an
  // Admission to serve it, or nothing to close it at once. `refused` hears about every
  // connection turned away before that point (plain TCP, an old TLS version, no
  // certificate, a handshake that timed out), with the remote address and why.
  kj::Promise<void> serve(kj::ConnectionReceiver& receiver, kj::Function<kj::Maybe<Admission>(Incoming&)> admit,
                          kj::Function<void(const std::string& remote, const std::string& reason)> refused);

 private:
  kj::Network& network_;
  kj::Timer& timer_;
  TlsConfig& tls_;
};

// A Cap'n Proto RPC client over one connection: keeps the connection and the RPC
// system alive as long as the client is.
class RpcConnection {
 public:
  explicit RpcConnection(kj::Own<kj::AsyncIoStream> stream);
  ~RpcConnection();
  capnp::Capability::Client bootstrap();
  // Resolves when the connection drops.
  kj::Promise<void> onDisconnect();

 private:
  struct Impl;
  kj::Own<Impl> impl_;
};

// Serves one connection with `bootstrap` until it disconnects.
kj::Promise<void> serveRpc(kj::Own<kj::AsyncIoStream> stream, capnp::Capability::Client bootstrap);

// "host:port" of a stream's other end ("unknown" when it has none).
std::string remoteAddressOf(kj::AsyncIoStream& stream);

}  // namespace entente::protocol
