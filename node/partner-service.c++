#include "node/partner-service.h"

#include "node/match-selection.h"
#include "node/wire-terms.h"
#include "protocol/responder-session.h"
#include "storage/peer-store.h"

#include <kj/debug.h>

namespace entente::node {
namespace wire = protocol::wire;
namespace {

// Turns errors of the session logic (std exceptions) into KJ exceptions whose text
// the requester's CLI shows as is.
template <typename Body>
auto userFacing(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const kj::Exception&) {
    throw;
  } catch (const std::exception& e) {
    failWith(e.what());
  }
}

class MatchSessionService final : public wire::MatchSession::Server {
 public:
  MatchSessionService(NodeContext& context, std::string peer, std::string sessionId,
                      protocol::SessionTerms terms, uint64_t requestGroups, wire::RequesterSink::Client sink)
      : context_(context),
        peer_(std::move(peer)),
        sessionId_(std::move(sessionId)),
        terms_(std::move(terms)),
        selection_(context.store, terms_),
        session_(context.domain, terms_, selection_, requestGroups),
        sink_(kj::mv(sink)),
        // Start streaming tags on the next turn of the event loop, so that the offer
        // reaches the requester first and it can start sending its own batches.
        tagsSent_(kj::evalLater([this] { return pushTags(); }).fork()) {}

  ~MatchSessionService() noexcept(false) {
    if (!finished_) {
      context_.log.record("session.serve", peer_, "failed",
                          {{"session", sessionId_}, {"reason", "the requester left before finishing"},
                           {"received_customers", std::to_string(session_.receivedGroups())}});
    }
  }

  uint64_t values() const { return session_.values(); }
  size_t tagBytes() const { return session_.tagBytes(); }

 protected:
  kj::Promise<void> blind(BlindContext context) override {
    return userFacing([&]() -> kj::Promise<void> {
      protocol::BlindedBatch batch{protocol::unpackPoints(asBytes(context.getParams().getBatch().getPoints()))};
      auto answer = session_.answer(batch);
      auto packed = protocol::packPoints(answer.points);
      context.getResults().initAnswer().setPoints(capnp::Data::Reader(packed.data(), packed.size()));
      return kj::READY_NOW;
    });
  }

  kj::Promise<void> submit(SubmitContext context) override {
    return userFacing([&]() -> kj::Promise<void> {
      protocol::BlindedBatch batch{protocol::unpackPoints(asBytes(context.getParams().getBatch().getPoints()))};
      session_.absorb(batch);
      return kj::READY_NOW;
    });
  }

  kj::Promise<void> finish(FinishContext context) override {
    return tagsSent_.addBranch()
        .then([this]() -> kj::Promise<void> {
          userFacing([&] { session_.checkComplete(); });
          if (terms_.mode == protocol::MatchMode::COUNT) return pushShuffled();
          return kj::READY_NOW;
        })
        .then([this, context]() mutable {
          context.getResults().setValues(session_.receivedGroups() * terms_.kinds.size());
          finished_ = true;
          context_.log.record("session.serve", peer_, "completed",
                              {{"session", sessionId_},
                               {"purpose", terms_.purpose},
                               {"mode", modeName(terms_.mode)},
                               {"kinds", joinKinds(terms_.kinds)},
                               {"received_customers", std::to_string(session_.receivedGroups())},
                               {"sent_tags", std::to_string(session_.tagsSent())}});
        });
  }

 private:
  static std::span<const uint8_t> asBytes(capnp::Data::Reader data) { return {data.begin(), data.size()}; }

  kj::Promise<void> pushTags() {
    // One batch of tag computation per event-loop turn: the requester's batches are
    // answered in between instead of waiting for the whole set.
    if (!userFacing([&] { return session_.prepareTags(); })) {
      return kj::evalLater([this] { return pushTags(); });
    }
    std::vector<uint8_t> chunk;
    bool more = userFacing([&] { return session_.nextTags(chunk); });
    if (!more) {
      auto done = sink_.tagsDoneRequest();
      done.setCount(session_.tagsSent());
      return done.send().ignoreResult();
    }
    auto request = sink_.tagsRequest();
    request.setTags(capnp::Data::Reader(chunk.data(), chunk.size()));
    return request.send().then([this] { return pushTags(); });
  }

  kj::Promise<void> pushShuffled() {
    protocol::BlindedBatch batch;
    bool more = userFacing([&] { return session_.nextShuffled(batch); });
    if (!more) return kj::READY_NOW;
    auto packed = protocol::packPoints(batch.points);
    auto request = sink_.shuffledRequest();
    request.initBatch().setPoints(capnp::Data::Reader(packed.data(), packed.size()));
    return request.send().then([this] { return pushShuffled(); });
  }

  NodeContext& context_;
  std::string peer_;
  std::string sessionId_;
  protocol::SessionTerms terms_;
  MatchSelection selection_;
  protocol::ResponderSession session_;
  wire::RequesterSink::Client sink_;
  bool finished_ = false;
  kj::ForkedPromise<void> tagsSent_;  // last: cancelled before the rest is torn down
};

class PartnerService final : public wire::Partner::Server {
 public:
  PartnerService(NodeContext& context, std::string remote) : context_(context), remote_(std::move(remote)) {}

 protected:
  kj::Promise<void> openSession(OpenSessionContext context) override {
    auto request = context.getParams().getRequest();
    std::string peer = request.getRequesterNode();
    Details details = {{"remote", remote_},
                       {"purpose", request.getPurpose()},
                       {"requested_customers", std::to_string(request.getRequestGroups())}};
    try {
      auto terms = check(request, peer);
      details.emplace_back("mode", modeName(terms.mode));
      details.emplace_back("kinds", joinKinds(terms.kinds));
      std::string sessionId = newSessionId();
      details.emplace_back("session", sessionId);
      auto service = userFacing([&] {
        return kj::heap<MatchSessionService>(context_, peer, sessionId, std::move(terms), request.getRequestGroups(),
                                             context.getParams().getSink());
      });
      auto offer = context.getResults().initOffer();
      offer.setSessionId(sessionId);
      offer.setResponderValues(service->values());
      offer.setTagBytes(static_cast<uint8_t>(service->tagBytes()));
      details.emplace_back("own_values", std::to_string(service->values()));
      context.getResults().setSession(kj::mv(service));
      context_.log.record("session.serve", peer, "opened", details);
    } catch (const kj::Exception& e) {
      details.emplace_back("reason", userMessage(e));
      context_.log.record("session.serve", peer.empty() ? "unknown" : peer, "refused", details);
      throw;
    }
    return kj::READY_NOW;
  }

 private:
  protocol::SessionTerms check(wire::SessionRequest::Reader request, const std::string& peer) {
    if (request.getProtocolVersion() != wire::PROTOCOL_VERSION) {
      failWith("protocol version " + std::to_string(request.getProtocolVersion()) + " is not supported by node '" +
               context_.config.name + "' (it speaks version " + std::to_string(wire::PROTOCOL_VERSION) +
               "); upgrade the older of the two nodes");
    }
    {
      storage::Transaction txn(context_.store, storage::Transaction::Mode::READ);
      if (!storage::PeerStore::find(txn, peer)) {
        failWith("node '" + peer + "' is not a partner of node '" + context_.config.name +
                 "'; its administrator must first run `entente peer add " + peer + " --address HOST:PORT`");
      }
    }
    if (std::string(request.getConsortium().cStr()) != context_.config.consortium) {
      failWith("node '" + context_.config.name +
               "' belongs to another consortium: both nodes must use the same `consortium` in node.toml");
    }
    if (request.getPurpose().size() == 0) failWith("a match needs a purpose");
    protocol::SessionTerms terms;
    terms.mode = modeFromWire(request.getMode());
    terms.kinds = kindsFromWire(request.getKinds());
    terms.purpose = request.getPurpose();
    if (request.getValuesPerGroup() != terms.kinds.size()) {
      failWith("the request's values per customer do not match its identifier kinds");
    }
    return terms;
  }

  NodeContext& context_;
  std::string remote_;
};

}  // namespace

kj::Own<wire::Partner::Server> makePartnerService(NodeContext& context, std::string remote) {
  return kj::heap<PartnerService>(context, std::move(remote));
}

}  // namespace entente::node
