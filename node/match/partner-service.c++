#include "node/match/partner-service.h"

#include "node/match/match-selection.h"
#include "node/match/participation.h"
#include "node/partners/daily-budget.h"
#include "node/partners/peer-service.h"
#include "node/partners/refusal-log.h"
#include "node/match/session-receipt.h"
#include "node/match/wire-terms.h"
#include "protocol/responder-session.h"
#include "storage/peer-store.h"

#include <kj/debug.h>

#include <ctime>

namespace entente::node {
namespace wire = protocol::wire;
namespace {

class MatchSessionService final : public wire::MatchSession::Server {
 public:
  MatchSessionService(NodeContext& context, std::string peer, crypto::PublicKey peerKey, std::string sessionId,
                      protocol::SessionTerms terms, uint64_t requestGroups, wire::RequesterSink::Client sink)
      : context_(context),
        peer_(std::move(peer)),
        peerKey_(peerKey),
        sessionId_(std::move(sessionId)),
        terms_(std::move(terms)),
        selection_(context.store, terms_, context.clock(), SelectionOptions{true, {}}),
        session_(context.domain, terms_, selection_, requestGroups),
        sink_(kj::mv(sink)),
        // Start streaming tags on the next turn of the event loop, so that the offer
        // reaches the requester first and it can start sending its own batches.
        tagsSent_(kj::evalLater([this] { return pushTags(); }).fork()) {}

  ~MatchSessionService() noexcept {
    if (!finished_) {
      Details details = {{"session", sessionId_},
                         {"reason", "the requester left before finishing"},
                         {"received_customers", std::to_string(session_.receivedGroups())}};
      // Tags already sent carry these customers' blinded identifiers: the record says so
      // even for a session that never finished.
      try {
        context_.gate.change(
            "session.serve", peer_, details,
            [&](storage::Transaction& txn, Details& d) {
              storeParticipation(txn, participants(), "cancelled", context_.clock(), d);
            },
            "cancelled");
      } catch (...) {
        context_.gate.recordNoThrow("session.serve", peer_, "cancelled", details);
      }
    }
  }

  uint64_t values() const { return session_.values(); }
  size_t tagBytes() const { return session_.tagBytes(); }

 protected:
  kj::Promise<void> blind(BlindContext context) override {
    return userFacing([&]() -> kj::Promise<void> {
      protocol::BlindedBatch batch{protocol::unpackPoints(asBytes(context.getParams().getBatch().getPoints()))};
      auto answer = session_.answer(batch);
      catchUpTags();
      auto packed = protocol::packPoints(answer.points);
      context.getResults().initAnswer().setPoints(capnp::Data::Reader(packed.data(), packed.size()));
      return kj::READY_NOW;
    });
  }

  kj::Promise<void> submit(SubmitContext context) override {
    return userFacing([&]() -> kj::Promise<void> {
      protocol::BlindedBatch batch{protocol::unpackPoints(asBytes(context.getParams().getBatch().getPoints()))};
      session_.absorb(batch);
      catchUpTags();
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
          exchangeReceipts(context);
          context.getResults().setValues(session_.receivedGroups() * terms_.kinds.size());
        });
  }

 private:
  static std::span<const uint8_t> asBytes(capnp::Data::Reader data) { return {data.begin(), data.size()}; }

  SessionParticipants participants() const {
    return {sessionId_, peer_, "responder", &terms_, selection_.readKeys(), {}, {}};
  }

  // Checks and keeps the requester's signed receipt, and answers with ours.
  void exchangeReceipts(FinishContext& context) {
    ReceiptFields fields{sessionId_,
                         crypto::fingerprintOf(peerKey_),
                         context_.identity.fingerprint(),
                         terms_.purpose,
                         modeName(terms_.mode),
                         session_.receivedGroups(),
                         session_.values(),
                         static_cast<int64_t>(std::time(nullptr))};
    auto theirs = context.getParams().getReceipt();
    SignedReceipt received{theirs.getText(), {}};
    if (theirs.getSignature().size() != received.signature.size()) failWith("the requester's receipt is not signed");
    std::copy(theirs.getSignature().begin(), theirs.getSignature().end(), received.signature.begin());
    userFacing([&] {
      checkReceipt(received, fields, "requester", peerKey_);
      // The requester's receipt and this node's entry for the session commit together,
      // so that no receipt held here ever lacks its session in the log.
      Details details = {{"session", sessionId_},
                         {"purpose", terms_.purpose},
                         {"mode", modeName(terms_.mode)},
                         {"kinds", joinKinds(terms_.kinds)},
                         {"received_customers", std::to_string(session_.receivedGroups())},
                         {"sent_tags", std::to_string(session_.tagsSent())},
                         {"receipt", "stored"}};
      context_.gate.change(
          "session.serve", peer_, details,
          [&](storage::Transaction& txn, Details& d) {
            storeReceipt(txn, sessionId_, "requester", received);
            storeParticipation(txn, participants(), "completed", context_.clock(), d);
          },
          "completed");
    });
    finished_ = true;
    auto ours = signReceipt(fields, "responder", context_.identity);
    auto out = context.getResults().initReceipt();
    out.setText(ours.text);
    out.setSignature(capnp::Data::Reader(ours.signature.data(), ours.signature.size()));
  }

  // Computes tags while they lag behind the requester's values (ResponderSession::
  // tagsBehind): the batch is acknowledged after, which paces the requester to this
  // node's whole work, not to its answering alone.
  void catchUpTags() {
    while (session_.tagsBehind() && !session_.prepareTags()) {
    }
  }

  kj::Promise<void> pushTags() {
    // One batch of tag computation per event-loop turn: the requester's batches are
    // answered in between instead of waiting for the whole set. The next batch waits
    // on the timer, not evalLater: KJ polls for I/O only when its queue is empty, so a
    // chain of evalLater kept the requester's batches unread until every tag was done
    // (at 2^20 customers, longer than the requester's no-progress timeout).
    if (!userFacing([&] { return session_.prepareTags(); })) {
      return context_.timer.afterDelay(0 * kj::NANOSECONDS).then([this] { return pushTags(); });
    }
    std::vector<uint8_t> chunk, sealed;
    bool more = userFacing([&] { return session_.nextTags(chunk, &sealed); });
    if (!more) {
      auto done = sink_.tagsDoneRequest();
      done.setCount(session_.tagsSent());
      return done.send().ignoreResult();
    }
    auto request = sink_.tagsRequest();
    request.setTags(capnp::Data::Reader(chunk.data(), chunk.size()));
    request.setSealed(capnp::Data::Reader(sealed.data(), sealed.size()));
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
  crypto::PublicKey peerKey_;
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
  PartnerService(NodeContext& context, std::string remote, std::optional<storage::PeerEntry> peer,
                 crypto::PublicKey key, protocol::Channel channel)
      : context_(context), remote_(std::move(remote)), peer_(std::move(peer)), key_(key), channel_(channel) {}

 protected:
  kj::Promise<void> completePairing(CompletePairingContext context) override {
    if (channel_ != protocol::Channel::PAIRING) failWith("pairing is done on a pairing connection only");
    // One attempt per connection: a new guess costs a new connection, which the
    // per-source limits of the transport meter.
    if (pairingTried_) failWith("one pairing attempt per connection; connect again to retry");
    pairingTried_ = true;
    auto params = context.getParams();
    context.getResults().setNodeName(node::completePairing(context_, remote_, key_, params.getSecret(),
                                                           params.getNodeName(), params.getAddress()));
    return kj::READY_NOW;
  }

  kj::Promise<void> openSession(OpenSessionContext context) override {
    auto request = context.getParams().getRequest();
    // The requester is who its TLS key says, whatever name it gives itself.
    if (!peer_) {
      // Not a paired node (a pairing connection): counted per source, and nothing it
      // sent is recorded.
      context_.refusals.refused("unknown", remote_, "a session asked by a node that is not paired",
                                {{"fingerprint", crypto::fingerprintOf(key_)}});
      failWith("node '" + context_.config.name + "' has not paired with this node; pair first with `entente peer "
               "invite` and `entente peer accept`");
    }
    std::string peer = peer_->name;
    Details details = {{"remote", remote_},
                       {"purpose", request.getPurpose()},
                       {"requested_customers", std::to_string(request.getRequestGroups())}};
    protocol::SessionTerms terms;
    storage::PeerPolicy policy;
    std::string sessionId = newSessionId();
    details.emplace_back("session", sessionId);
    try {
      terms = check(request, peer, policy);
      details.emplace_back("mode", modeName(terms.mode));
      details.emplace_back("kinds", joinKinds(terms.kinds));
      if (!terms.attributes.empty()) details.emplace_back("attributes", joinList(terms.attributes));
    } catch (const kj::Exception& e) {
      details.emplace_back("reason", userMessage(e));
      context_.gate.recordNoThrow("session.serve", peer, "refused", details);
      throw;
    }
    // The day's usage and the session's opening commit together.
    context_.gate.change(
        "session.serve", peer, details,
        [&](storage::Transaction& txn, Details& d) {
          DailyBudget::charge(txn, peer_->name, request.getRequestGroups(), context_.clock());
          auto service = userFacing([&] {
        return kj::heap<MatchSessionService>(context_, peer, key_, sessionId, std::move(terms),
                                             request.getRequestGroups(),
                                             context.getParams().getSink());
      });
      auto offer = context.getResults().initOffer();
      offer.setSessionId(sessionId);
      offer.setResponderValues(service->values());
      offer.setTagBytes(static_cast<uint8_t>(service->tagBytes()));
      offer.setMinGroupSize(policy.minReportableOverlap);
      offer.setRequireNoise(policy.requireNoise);
      offer.setMonthlyEpsilon(policy.monthlyEpsilon);
          d.emplace_back("own_values", std::to_string(service->values()));
          context.getResults().setSession(kj::mv(service));
        },
        "opened");
    return kj::READY_NOW;
  }

 private:
  protocol::SessionTerms check(wire::SessionRequest::Reader request, const std::string& peer,
                               storage::PeerPolicy& policy) {
    if (channel_ != protocol::Channel::SESSION || !peer_) {
      failWith("node '" + context_.config.name + "' has not paired with this node; pair first with `entente peer "
               "invite` and `entente peer accept`");
    }
    if (request.getProtocolVersion() != wire::PROTOCOL_VERSION) {
      failWith("protocol version " + std::to_string(request.getProtocolVersion()) + " is not supported by node '" +
               context_.config.name + "' (it speaks version " + std::to_string(wire::PROTOCOL_VERSION) +
               "); upgrade the older of the two nodes");
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
    terms.attributes = attributesFromWire(request.getAttributes());
    if (request.getValuesPerGroup() != terms.kinds.size()) {
      failWith("the request's values per customer do not match its identifier kinds");
    }
    if ((terms.mode == protocol::MatchMode::ENRICH) != !terms.attributes.empty()) {
      failWith("an enrich-mode match names the attributes it asks for, and only enrich mode names any");
    }
    policy = enforcePolicy(terms, request.getRequestGroups());
    return terms;
  }

  // The responder's defence against probing and over-use: what this peer may ask,
  // read fresh from the store at each session (a change applies to the next one).
  // Only checks: the usage is charged with the session's opening entry.
  storage::PeerPolicy enforcePolicy(const protocol::SessionTerms& terms, uint64_t customers) {
    storage::Transaction txn(context_.store, storage::Transaction::Mode::READ);
    auto current = storage::PeerStore::find(txn, peer_->name);
    if (!current || current->revoked) {
      failWith("node '" + context_.config.name + "' no longer pairs with this node (revoked)");
    }
    const auto& policy = current->policy;
    const std::string& who = context_.config.name;
    auto listed = [](const std::vector<std::string>& list, const std::string& v) {
      return std::find(list.begin(), list.end(), v) != list.end();
    };
    if (!listed(policy.purposes, terms.purpose)) {
      failWith("node '" + who + "' does not allow the purpose '" + terms.purpose + "' for this partner (allowed: " +
               joinList(policy.purposes) + ")");
    }
    if (!listed(policy.modes, modeName(terms.mode))) {
      failWith("node '" + who + "' does not allow " + modeName(terms.mode) + " mode for this partner (allowed: " +
               joinList(policy.modes) + ")");
    }
    for (const auto& a : terms.attributes) {
      if (!listed(policy.offeredAttributes, a)) {
        failWith("node '" + who + "' does not offer the attribute '" + a + "' to this partner (offered: " +
                 joinList(policy.offeredAttributes) + ")");
      }
    }
    if (customers < policy.minQueryCustomers) {
      failWith("node '" + who + "' answers queries of at least " + std::to_string(policy.minQueryCustomers) +
               " customers; this one has " + std::to_string(customers));
    }
    if (customers > policy.maxQueryCustomers) {
      failWith("node '" + who + "' answers queries of at most " + std::to_string(policy.maxQueryCustomers) +
               " customers; this one has " + std::to_string(customers));
    }
    if (auto refusal = DailyBudget::refusal(txn, *current, customers, context_.clock(), who)) failWith(*refusal);
    return policy;
  }

  static std::string joinList(const std::vector<std::string>& list) {
    std::string out;
    for (auto& v : list) out += (out.empty() ? "" : ", ") + v;
    return out.empty() ? "none" : out;
  }

  NodeContext& context_;
  std::string remote_;
  std::optional<storage::PeerEntry> peer_;
  crypto::PublicKey key_;
  protocol::Channel channel_;
  bool pairingTried_ = false;
};

}  // namespace

kj::Own<wire::Partner::Server> makePartnerService(NodeContext& context, std::string remote,
                                                  std::optional<storage::PeerEntry> peer, crypto::PublicKey key,
                                                  protocol::Channel channel) {
  return kj::heap<PartnerService>(context, std::move(remote), std::move(peer), key, channel);
}

}  // namespace entente::node
