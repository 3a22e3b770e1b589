// How partner nodes reach each other: the one place that turns an address into a
// byte stream. The session logic above never sees a socket, so swapping plain TCP
// for mutual TLS (the trust work) changes this module and nothing above it.
//
// Every stream it hands out counts the bytes it carries, for `entente node status`
// and the benchmark's bytes-on-the-wire column.
#pragma once

#include <capnp/capability.h>
#include <kj/async-io.h>

#include <atomic>
#include <cstdint>

namespace entente::protocol {

// Bytes carried on all partner connections of this process since it started.
struct WireCounters {
  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> received{0};
};
WireCounters& partnerWireCounters();

// Wraps a stream so that its traffic is added to `counters`.
kj::Own<kj::AsyncIoStream> countTraffic(kj::Own<kj::AsyncIoStream> inner, WireCounters& counters);

class PartnerTransport {
 public:
  explicit PartnerTransport(kj::Network& network) : network_(network) {}

  // Connects to "host:port". Rejects with a message naming the address when the peer
  // cannot be reached.
  kj::Promise<kj::Own<kj::AsyncIoStream>> connect(kj::StringPtr address);
  // Listens on "host:port" ("0.0.0.0:7401", "127.0.0.1:0").
  kj::Promise<kj::Own<kj::ConnectionReceiver>> listen(kj::StringPtr address);
  // Accepts connections forever, serving each with its own bootstrap capability made
  // by `bootstrapFor` (so that each connection can be attributed to its peer).
  kj::Promise<void> serve(kj::ConnectionReceiver& receiver,
                          kj::Function<capnp::Capability::Client(kj::AsyncIoStream&)> bootstrapFor);

 private:
  kj::Network& network_;
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

// Serves one accepted connection with `bootstrap` until it disconnects.
kj::Promise<void> serveRpc(kj::Own<kj::AsyncIoStream> stream, capnp::Capability::Client bootstrap);

}  // namespace entente::protocol
