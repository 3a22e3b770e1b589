#include "protocol/transport.h"

#include <capnp/rpc-twoparty.h>
#include <kj/debug.h>

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

kj::Promise<kj::Own<kj::AsyncIoStream>> PartnerTransport::connect(kj::StringPtr address) {
  kj::String where = kj::str(address);
  return network_.parseAddress(address)
      .then([](kj::Own<kj::NetworkAddress> addr) { return addr->connect().attach(kj::mv(addr)); })
      .then(
          [](kj::Own<kj::AsyncIoStream> stream) { return countTraffic(kj::mv(stream), partnerWireCounters()); },
          [where = kj::mv(where)](kj::Exception&& e) -> kj::Own<kj::AsyncIoStream> {
            kj::throwFatalException(kj::Exception(
                kj::Exception::Type::FAILED, __FILE__, __LINE__,
                kj::str("cannot reach the partner at ", where,
                        ": is its node running (`entente node start`) and the address right (`entente peer list`)?")));
          });
}

kj::Promise<kj::Own<kj::ConnectionReceiver>> PartnerTransport::listen(kj::StringPtr address) {
  return network_.parseAddress(address).then([](kj::Own<kj::NetworkAddress> addr) { return addr->listen(); });
}

kj::Promise<void> PartnerTransport::serve(
    kj::ConnectionReceiver& receiver,
    kj::Function<capnp::Capability::Client(kj::AsyncIoStream&)> bootstrapFor) {
  struct Loop {
    kj::ConnectionReceiver& receiver;
    kj::Function<capnp::Capability::Client(kj::AsyncIoStream&)> bootstrapFor;
    kj::TaskSet::ErrorHandler& errors;
    kj::TaskSet tasks;
    Loop(kj::ConnectionReceiver& r, kj::Function<capnp::Capability::Client(kj::AsyncIoStream&)> f,
         kj::TaskSet::ErrorHandler& e)
        : receiver(r), bootstrapFor(kj::mv(f)), errors(e), tasks(e) {}
    kj::Promise<void> acceptNext() {
      return receiver.accept().then([this](kj::Own<kj::AsyncIoStream> raw) {
        auto stream = countTraffic(kj::mv(raw), partnerWireCounters());
        auto bootstrap = bootstrapFor(*stream);
        tasks.add(serveRpc(kj::mv(stream), kj::mv(bootstrap)));
        return acceptNext();
      });
    }
  };
  struct QuietErrors final : kj::TaskSet::ErrorHandler {
    // A partner that drops its connection is the partner's business; the session
    // objects log what it interrupted.
    void taskFailed(kj::Exception&&) override {}
  };
  auto errors = kj::heap<QuietErrors>();
  auto loop = kj::heap<Loop>(receiver, kj::mv(bootstrapFor), *errors);
  auto promise = loop->acceptNext();
  return promise.attach(kj::mv(loop), kj::mv(errors));
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
