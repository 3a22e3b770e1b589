#include "node/match/match-driver.h"

#include "node/server/node-context.h"
#include "node/match/wire-terms.h"

namespace entente::node {
namespace wire = protocol::wire;
namespace {

std::span<const uint8_t> asBytes(capnp::Data::Reader data) { return {data.begin(), data.size()}; }

// Everything one run shares between the driver's chains and the sink the partner
// calls back. Refcounted: the sink may be called until the partner lets go of it.
struct RunState : public kj::Refcounted {
  explicit RunState(protocol::RequesterSession& s) : session(&s) {}
  protocol::RequesterSession* session;  // null once the run is over
  SessionReport report;
  kj::Own<kj::PromiseFulfiller<void>> tagsDone;
  uint64_t nextAnswer = 0;
  // When the partner last answered or called back, for the no-progress timeout.
  kj::Timer* timer = nullptr;
  kj::TimePoint lastProgress = kj::origin<kj::TimePoint>();
  void progress() {
    if (timer != nullptr) lastProgress = timer->now();
  }

  protocol::RequesterSession& live() {
    if (session == nullptr) failWith("the session is already over");
    return *session;
  }
};

class Sink final : public wire::RequesterSink::Server {
 public:
  explicit Sink(kj::Own<RunState> state) : state_(kj::mv(state)) {}

 protected:
  kj::Promise<void> tags(TagsContext context) override {
    state_->progress();
    userFacing([&] {
      state_->live().addTags(asBytes(context.getParams().getTags()), asBytes(context.getParams().getSealed()));
    });
    return kj::READY_NOW;
  }
  kj::Promise<void> tagsDone(TagsDoneContext context) override {
    state_->progress();
    userFacing([&] { state_->live().tagsDone(context.getParams().getCount()); });
    state_->tagsDone->fulfill();
    return kj::READY_NOW;
  }
  kj::Promise<void> shuffled(ShuffledContext context) override {
    state_->progress();
    userFacing([&] {
      protocol::BlindedBatch batch{protocol::unpackPoints(asBytes(context.getParams().getBatch().getPoints()))};
      state_->live().addShuffled(batch);
    });
    return kj::READY_NOW;
  }

 private:
  kj::Own<RunState> state_;
};

// Ids and enrich mode: one of several chains that each take the next batch, send it, and feed
// the answer back; several chains keep several batches in flight.
kj::Promise<void> blindChain(kj::Own<RunState> state, wire::MatchSession::Client session) {
  protocol::BlindedBatch batch;
  bool more = userFacing([&] { return state->live().nextBatch(batch); });
  if (!more) return kj::READY_NOW;
  uint64_t index = state->live().batchesSent() - 1;
  auto packed = protocol::packPoints(batch.points);
  auto request = session.blindRequest();
  request.initBatch().setPoints(capnp::Data::Reader(packed.data(), packed.size()));
  return request.send().then([state = kj::mv(state), session, index](auto response) mutable {
    state->progress();
    userFacing([&] {
      protocol::BlindedBatch answer{protocol::unpackPoints(asBytes(response.getAnswer().getPoints()))};
      state->live().addAnswer(index, answer);
    });
    return blindChain(kj::mv(state), kj::mv(session));
  });
}

// Count mode: stream every batch (flow-controlled), then ask for the shuffled return.
kj::Promise<void> submitAll(kj::Own<RunState> state, wire::MatchSession::Client session) {
  protocol::BlindedBatch batch;
  bool more = userFacing([&] { return state->live().nextBatch(batch); });
  if (!more) return kj::READY_NOW;
  auto packed = protocol::packPoints(batch.points);
  auto request = session.submitRequest();
  request.initBatch().setPoints(capnp::Data::Reader(packed.data(), packed.size()));
  return request.send().then([state = kj::mv(state), session]() mutable {
    state->progress();
    return submitAll(kj::mv(state), kj::mv(session));
  });
}

// Fails once the partner has sent nothing for `limit`; checks every second. Holds
// copies, not the caller's SessionOpening, which need not outlive the run.
kj::Promise<SessionReport> watchdog(kj::Own<RunState> state, kj::Timer& timer, kj::Duration limit,
                                    std::string partner) {
  return timer.afterDelay(1 * kj::SECONDS)
      .then([state = kj::mv(state), &timer, limit, partner = kj::mv(partner)]() mutable {
        if (timer.now() - state->lastProgress >= limit) {
          failWith("peer '" + partner + "' sent nothing for " + std::to_string(limit / kj::SECONDS) +
                   " s, so the session was ended (it may be stopped, overloaded or cut off); nothing was kept; try "
                   "again later, or raise no_progress_timeout_seconds in node.toml for a slow partner");
        }
        return watchdog(kj::mv(state), timer, limit, kj::mv(partner));
      });
}

kj::Promise<SessionReport> runSession(wire::Partner::Client partner, protocol::RequesterSession& session,
                                      const SessionOpening& opening, kj::Own<RunState> state) {
  auto tagsDone = kj::newPromiseAndFulfiller<void>();
  state->tagsDone = kj::mv(tagsDone.fulfiller);

  auto request = partner.openSessionRequest();
  auto terms = request.initRequest();
  terms.setProtocolVersion(wire::PROTOCOL_VERSION);
  terms.setRequesterNode(opening.requesterNode);
  terms.setConsortium(opening.consortium);
  terms.setPurpose(session.terms().purpose);
  terms.setMode(modeToWire(session.terms().mode));
  kindsToWire(session.terms().kinds, terms.initKinds(static_cast<unsigned>(session.terms().kinds.size())));
  terms.setRequestGroups(session.groups());
  terms.setValuesPerGroup(static_cast<uint8_t>(session.terms().kinds.size()));
  const auto& attributes = session.terms().attributes;
  auto names = terms.initAttributes(static_cast<unsigned>(attributes.size()));
  for (unsigned i = 0; i < attributes.size(); ++i) names.set(i, attributes[i]);
  request.setSink(kj::heap<Sink>(kj::addRef(*state)));

  auto tagsArrived = tagsDone.promise.fork();
  // However the run ends, the sink must stop touching the caller's session.
  auto release = kj::defer([state = kj::addRef(*state)]() mutable { state->session = nullptr; });
  auto opened = opening.opened;
  return request.send()
      .then([state = kj::addRef(*state), tagsArrived = kj::mv(tagsArrived), opened,
             opening](auto response) mutable {
        *opened = true;
        state->progress();
        auto offer = response.getOffer();
        state->report.sessionId = offer.getSessionId();
        state->report.partnerValues = offer.getResponderValues();
        state->report.tagBytes = offer.getTagBytes();
        state->report.partnerMinGroupSize = offer.getMinGroupSize();
        state->report.partnerRequiresNoise = offer.getRequireNoise();
        state->report.partnerMonthlyEpsilon = offer.getMonthlyEpsilon();
        userFacing([&] { state->live().accept(offer.getResponderValues(), offer.getTagBytes()); });
        if (opening.checkOffer) userFacing([&] { opening.checkOffer(state->report); });
        if (opening.onOpened) {
          userFacing([&] { opening.onOpened(state->report.sessionId, state->report.partnerValues); });
        }
        auto matchSession = response.getSession();
        kj::Promise<void> sent = nullptr;
        if (protocol::learnsWhich(state->live().terms().mode)) {
          auto chains = kj::heapArrayBuilder<kj::Promise<void>>(kBatchesInFlight);
          for (size_t i = 0; i < kBatchesInFlight; ++i) chains.add(blindChain(kj::addRef(*state), matchSession));
          sent = kj::joinPromises(chains.finish());
        } else {
          sent = submitAll(kj::addRef(*state), matchSession);
        }
        return sent
            .then([matchSession, state = kj::addRef(*state), opening]() mutable {
              auto finish = matchSession.finishRequest();
              auto ours = userFacing(
                  [&] { return opening.makeReceipt(state->report.sessionId, state->report.partnerValues); });
              auto receipt = finish.initReceipt();
              receipt.setText(ours.text);
              receipt.setSignature(capnp::Data::Reader(ours.signature.data(), ours.signature.size()));
              return finish.send().then([state = kj::mv(state), opening](auto response) mutable {
                state->progress();
                auto theirs = response.getReceipt();
                SignedReceipt received{theirs.getText(), {}};
                if (theirs.getSignature().size() != received.signature.size()) {
                  failWith("the partner's receipt is not signed");
                }
                std::copy(theirs.getSignature().begin(), theirs.getSignature().end(), received.signature.begin());
                userFacing(
                    [&] { opening.takeReceipt(state->report.sessionId, state->report.partnerValues, received); });
              });
            })
            .then([tagsArrived = kj::mv(tagsArrived)]() mutable { return tagsArrived.addBranch(); })
            .then([state = kj::mv(state)]() mutable {
              state->report.outcome = userFacing([&] { return state->live().finish(); });
              state->session = nullptr;
              return kj::mv(state->report);
            });
      })
      .catch_([opened](kj::Exception&& e) -> SessionReport {
        // A connection dropped before the offer arrived is a refusal by the partner's
        // transport (it does not know or no longer trusts this node's identity).
        if (e.getType() == kj::Exception::Type::DISCONNECTED) failWith(droppedConnectionMessage(*opened));
        kj::throwFatalException(kj::mv(e));
      })
      .attach(kj::mv(release));
}

}  // namespace

kj::Promise<SessionReport> runRequester(wire::Partner::Client partner, protocol::RequesterSession& session,
                                        const SessionOpening& opening) {
  auto state = kj::refcounted<RunState>(session);
  state->timer = opening.timer;
  state->progress();
  auto run = runSession(kj::mv(partner), session, opening, kj::addRef(*state));
  if (opening.timer == nullptr) return run;
  return run.exclusiveJoin(watchdog(kj::mv(state), *opening.timer, opening.noProgress, opening.partner));
}

std::string droppedConnectionMessage(bool opened) {
  if (opened) return "the partner closed the connection during the session";
  return "the partner closed the connection before the session started: either it refused this node (it does not, "
         "or no longer, recognise its identity, or it revoked it: compare `entente peer show` with its "
         "administrator) or it stopped";
}

}  // namespace entente::node
