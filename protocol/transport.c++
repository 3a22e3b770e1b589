#include "protocol/transport.h"

#include "protocol/source-limits.h"

#include <capnp/rpc-twoparty.h>
#include <kj/debug.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace entente::protocol {
namespace {

class CountingStream final : public kj::AsyncIoStream {
 public:
  CountingStream(kj::Own<kj::AsyncIoStream> inner, WireCounters& counters)
      : inner_(kj::mv(inner)), counters_(counters) {}

  kj::Promise<size_t> tryRead(void* buffer, size_t minBytes, size_t maxBytes) override {
    return inner_->tryRead(buffer, minBytes, maxBytes).then([this](size_t n) {
      counters_.received += n;
      return n;
    });
  }
  kj::Promise<void> write(const void* buffer, size_t size) override {
    counters_.sent += size;
    return inner_->write(buffer, size);
  }
  kj::Promise<void> write(kj::ArrayPtr<const kj::ArrayPtr<const kj::byte>> pieces) override {
    for (auto& piece : pieces) counters_.sent += piece.size();
    return inner_->write(pieces);
  }
  kj::Promise<void> whenWriteDisconnected() override { return inner_->whenWriteDisconnected(); }
  void shutdownWrite() override { inner_->shutdownWrite(); }
  void abortRead() override { inner_->abortRead(); }
  void getsockopt(int level, int option, void* value, uint* length) override {
    inner_->getsockopt(level, option, value, length);
  }
  void setsockopt(int level, int option, const void* value, uint length) override {
    inner_->setsockopt(level, option, value, length);
  }
  void getsockname(struct sockaddr* addr, uint* length) override { inner_->getsockname(addr, length); }
  void getpeername(struct sockaddr* addr, uint* length) override { inner_->getpeername(addr, length); }

 private:
  kj::Own<kj::AsyncIoStream> inner_;
  WireCounters& counters_;
};

}  // namespace

WireCounters& partnerWireCounters() {
  static WireCounters counters;
  return counters;
}

kj::Own<kj::AsyncIoStream> countTraffic(kj::Own<kj::AsyncIoStream> inner, WireCounters& counters) {
  return kj::heap<CountingStream>(kj::mv(inner), counters);
}

kj::StringPtr alpnOf(Channel channel) {
  return channel == Channel::PAIRING ? "entente-pair/1"_kj : "entente/1"_kj;
}

std::string remoteAddressOf(kj::AsyncIoStream& stream) {
  struct sockaddr_storage addr;
  uint length = sizeof addr;
  try {
    stream.getpeername(reinterpret_cast<struct sockaddr*>(&addr), &length);
  } catch (...) {
    return "unknown";
  }
  char host[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (addr.ss_family == AF_INET) {
    auto* in = reinterpret_cast<struct sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<struct sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}

namespace {

kj::Exception userFailure(std::string message) {
  return kj::Exception(kj::Exception::Type::FAILED, __FILE__, __LINE__, kj::heapString(message));
}

// A handshake that has not finished by then is abandoned: a silent client must not
// hold a connection slot forever.
constexpr auto kHandshakeTimeout = 15 * kj::SECONDS;

}  // namespace

kj::Promise<kj::Own<TlsStream>> PartnerTransport::connect(kj::StringPtr address, const PeerKey& expected,
                                                          Channel channel) {
  std::string where = address.cStr();
  return network_.parseAddress(address)
      .then([](kj::Own<kj::NetworkAddress> addr) { return addr->connect().attach(kj::mv(addr)); })
      .then(
          [](kj::Own<kj::AsyncIoStream> stream) { return countTraffic(kj::mv(stream), partnerWireCounters()); },
          [where](kj::Exception&&) -> kj::Own<kj::AsyncIoStream> {
            kj::throwFatalException(
                userFailure("cannot reach the partner at " + where +
                            ": is its node running (`entente node start`) and the address right (`entente peer "
                            "list`)?"));
          })
      .then([this, channel, where](kj::Own<kj::AsyncIoStream> raw) {
        // A partner that accepts the connection but never answers (stopped, overloaded)
        // must not hang the caller: the handshake has the server side's time limit.
        return tls_.connect(kj::mv(raw), alpnOf(channel))
            .exclusiveJoin(timer_.afterDelay(kHandshakeTimeout).then([where]() -> kj::Own<TlsStream> {
              kj::throwFatalException(userFailure("the partner at " + where +
                                                  " accepted the connection but did not complete the TLS handshake "
                                                  "within 15 s: it may be stopped or overloaded; try again later"));
            }));
      })
      .then([where, expected](kj::Own<TlsStream> stream) -> kj::Own<TlsStream> {
        if (stream->peerKey() != expected) {
          stream->abort();
          kj::throwFatalException(userFailure(
              "the node at " + where + " presented another identity than the one paired with; someone may be "
              "impersonating it, or it was re-created: compare fingerprints with its administrator and pair again"));
        }
        return stream;
      });
}

kj::Promise<kj::Own<kj::ConnectionReceiver>> PartnerTransport::listen(kj::StringPtr address) {
  return network_.parseAddress(address).then([](kj::Own<kj::NetworkAddress> addr) { return addr->listen(); });
}

kj::Promise<void> PartnerTransport::serve(
    kj::ConnectionReceiver& receiver, kj::Function<kj::Maybe<Admission>(Incoming&)> admit,
    kj::Function<void(const std::string& remote, const std::string& reason)> refused) {
  struct QuietErrors final : kj::TaskSet::ErrorHandler {
    // A partner that drops its connection is the partner's business; the session
    // objects log what it interrupted.
    void taskFailed(kj::Exception&&) override {}
  };
  struct Loop {
    PartnerTransport& transport;
    kj::ConnectionReceiver& receiver;
    kj::Function<kj::Maybe<Admission>(Incoming&)> admit;
    kj::Function<void(const std::string&, const std::string&)> refused;
    SourceLimits limits;
    QuietErrors errors;
    kj::TaskSet tasks{errors};

    Loop(PartnerTransport& t, kj::ConnectionReceiver& r, kj::Function<kj::Maybe<Admission>(Incoming&)> a,
         kj::Function<void(const std::string&, const std::string&)> f)
        : transport(t), receiver(r), admit(kj::mv(a)), refused(kj::mv(f)) {}

    kj::Promise<void> acceptNext() {
      return receiver.accept().then([this](kj::Own<kj::AsyncIoStream> raw) {
        tasks.add(handle(countTraffic(kj::mv(raw), partnerWireCounters())));
        return acceptNext();
      });
    }

    kj::Promise<void> handle(kj::Own<kj::AsyncIoStream> raw) {
      std::string remote = remoteAddressOf(*raw);
      std::string source = hostOf(remote);
      // Before any handshake: a source over its limits costs nothing more.
      if (auto why = limits.enter(source, SourceLimits::Clock::now())) {
        refused(remote, *why);
        return kj::READY_NOW;
      }
      auto left = kj::defer([this, source] { limits.leave(source); });
      auto handshake = transport.tls_.accept(kj::mv(raw))
                           .exclusiveJoin(transport.timer_.afterDelay(kHandshakeTimeout).then(
                               []() -> kj::Own<TlsStream> {
                                 kj::throwFatalException(userFailure("the TLS handshake timed out"));
                               }));
      return handshake.then(
          [this, remote](kj::Own<TlsStream> stream) -> kj::Promise<void> {
            Channel channel = stream->alpn() == "entente-pair/1" ? Channel::PAIRING : Channel::SESSION;
            if (stream->alpn() != "entente/1" && channel != Channel::PAIRING) {
              refused(remote, "no Entente protocol negotiated (ALPN)");
              stream->abort();
              return kj::READY_NOW;
            }
            Incoming incoming{*stream, remote, channel};
            KJ_IF_MAYBE(admission, admit(incoming)) {
              return serveRpc(kj::mv(stream), kj::mv(admission->bootstrap)).attach(kj::mv(admission->attachment));
            }
            stream->abort();
            return kj::READY_NOW;
          },
          [this, remote](kj::Exception&& e) {
            std::string reason = e.getDescription().cStr();
            refused(remote, reason);
          })
          .attach(kj::mv(left));
    }
  };
  auto loop = kj::heap<Loop>(*this, receiver, kj::mv(admit), kj::mv(refused));
  auto promise = loop->acceptNext();
  return promise.attach(kj::mv(loop));
}

struct RpcConnection::Impl {
  kj::Own<kj::AsyncIoStream> stream;
  capnp::TwoPartyClient client;
  explicit Impl(kj::Own<kj::AsyncIoStream> s) : stream(kj::mv(s)), client(*stream) {}
};

RpcConnection::RpcConnection(kj::Own<kj::AsyncIoStream> stream) : impl_(kj::heap<Impl>(kj::mv(stream))) {}
RpcConnection::~RpcConnection() = default;
capnp::Capability::Client RpcConnection::bootstrap() { return impl_->client.bootstrap(); }
kj::Promise<void> RpcConnection::onDisconnect() { return impl_->client.onDisconnect(); }

kj::Promise<void> serveRpc(kj::Own<kj::AsyncIoStream> stream, capnp::Capability::Client bootstrap) {
  struct Served {
    kj::Own<kj::AsyncIoStream> stream;
    capnp::TwoPartyVatNetwork network;
    capnp::RpcSystem<capnp::rpc::twoparty::VatId> rpc;
    Served(kj::Own<kj::AsyncIoStream> s, capnp::Capability::Client b)
        : stream(kj::mv(s)),
          network(*stream, capnp::rpc::twoparty::Side::SERVER),
          rpc(capnp::makeRpcServer(network, kj::mv(b))) {}
  };
  auto served = kj::heap<Served>(kj::mv(stream), kj::mv(bootstrap));
  auto done = served->network.onDisconnect();
  return done.attach(kj::mv(served));
}

}  // namespace entente::protocol
