#include "node/match/match-request.h"

#include "node/match/match-driver.h"
#include "node/match/match-selection.h"
#include "node/match/participation.h"
#include "node/match/wire-terms.h"
#include "node/partners/connection-registry.h"
#include "storage/peer-store.h"

#include <chrono>
#include <ctime>

namespace entente::node {
namespace control = protocol::control;
namespace {

// Everything one requested match owns while it runs.
struct RequestedMatch {
  RequestedMatch(NodeContext& context, protocol::SessionTerms terms, kj::Own<kj::AsyncIoStream> stream,
                 kj::Own<void> registration)
      : selection(context.store, terms, context.clock()),
        session(context.domain, std::move(terms), selection),
        connection(kj::mv(stream)),
        registration(kj::mv(registration)) {}
  MatchSelection selection;
  protocol::RequesterSession session;
  protocol::RpcConnection connection;
  kj::Own<void> registration;  // in the connection registry, so that a revocation ends it
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  uint64_t sentBefore = protocol::partnerWireCounters().sent;
  uint64_t receivedBefore = protocol::partnerWireCounters().received;
  std::string sessionId;  // once the partner opened the session
};

kj::Promise<void> streamMatches(control::MatchSink::Client sink, RequestedMatch& match,
                                const std::vector<protocol::MatchedGroup>& matched, size_t from) {
  constexpr size_t kPerMessage = 1000;
  if (from >= matched.size()) return kj::READY_NOW;
  size_t n = std::min(kPerMessage, matched.size() - from);
  auto request = sink.matchedRequest();
  auto list = request.initCustomers(static_cast<unsigned>(n));
  const auto& kinds = match.session.terms().kinds;
  for (size_t i = 0; i < n; ++i) {
    const auto& m = matched[from + i];
    list[i].setCustomerId(match.selection.customerIdOf(m.customerKey));
    unsigned count = static_cast<unsigned>(__builtin_popcount(m.kindsMask));
    auto names = list[i].initKinds(count);
    unsigned j = 0;
    for (size_t slot = 0; slot < kinds.size(); ++slot) {
      if (m.kindsMask >> slot & 1) names.set(j++, std::string(crypto::kindName(kinds[slot])));
    }
  }
  return request.send().then([sink, &match, &matched, from, n]() mutable {
    return streamMatches(kj::mv(sink), match, matched, from + n);
  });
}

void summarise(RequestedMatch& m, const std::string& peer, const SessionReport& report, uint64_t minOverlap,
               bool withheld, control::MatchSummary::Builder s, Details& details) {
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - m.started).count();
  s.setSessionId(report.sessionId);
  s.setPeer(peer);
  s.setPurpose(m.session.terms().purpose);
  s.setMode(modeToWire(m.session.terms().mode));
  s.setOwnCustomers(m.session.groups());
  s.setOwnValues(m.session.values());
  s.setOwnIdentifiers(m.selection.valueCount());
  s.setPartnerValues(report.partnerValues);
  s.setOverlap(withheld ? 0 : report.outcome.overlap);
  s.setWithheld(withheld);
  s.setMinReportableOverlap(minOverlap);
  s.setTagBytes(static_cast<uint8_t>(report.tagBytes));
  s.setSeconds(seconds);
  s.setWireBytesSent(protocol::partnerWireCounters().sent - m.sentBefore);
  s.setWireBytesReceived(protocol::partnerWireCounters().received - m.receivedBefore);
  const auto& kinds = m.session.terms().kinds;
  if (m.session.terms().mode == protocol::MatchMode::IDS && !withheld) {
    auto byKind = s.initMatchesByKind(static_cast<unsigned>(kinds.size()));
    for (size_t slot = 0; slot < kinds.size(); ++slot) {
      uint64_t n = 0;
      for (auto& g : report.outcome.matched) n += g.kindsMask >> slot & 1;
      byKind[slot].setKind(std::string(crypto::kindName(kinds[slot])));
      byKind[slot].setCustomers(n);
    }
  }
  details.emplace_back("own_customers", std::to_string(m.session.groups()));
  details.emplace_back("partner_values", std::to_string(report.partnerValues));
  // The log keeps the true figure even when the CLI withholds it: it is this node's own
  // knowledge, and the audit needs what was learned, not what was shown.
  details.emplace_back("overlap", std::to_string(report.outcome.overlap));
  if (withheld) details.emplace_back("shown", "withheld below minimum " + std::to_string(minOverlap));
}

}  // namespace

kj::Promise<void> requestMatch(NodeContext& context, const std::string& actor,
                               capnp::CallContext<control::ControlSession::MatchParams, control::ControlSession::MatchResults> call) {
  auto request = call.getParams().getRequest();
  std::string peer = request.getPeer();
  auto details = std::make_shared<Details>(Details{{"peer", peer}, {"purpose", request.getPurpose()}});
  // Whatever ends the match is recorded once: completed, failed, or cancelled when the
  // command line went away and the RPC system dropped the call (see allowCancellation
  // in control-service.c++), which destroys this guard without an outcome.
  struct OutcomeGuard {
    NodeContext& context;
    std::string actor;
    std::shared_ptr<Details> details;
    bool recorded = false;
    ~OutcomeGuard() {
      if (recorded) return;
      try {
        details->emplace_back("reason", "the command line went away before the match ended; the session was cancelled");
      } catch (...) {
      }
      context.gate.recordNoThrow("match.request", actor, "cancelled", *details);
    }
  };
  auto guard = std::make_shared<OutcomeGuard>(OutcomeGuard{context, actor, details});
  auto fail = [&context, actor, details, peer, guard](kj::Exception&& e) -> kj::Promise<void> {
    std::string message = userMessage(e);
    details->emplace_back("error", message);
    guard->recorded = true;
    context.gate.recordNoThrow("match.request", actor, "failed", *details);
    if (e.getType() == kj::Exception::Type::DISCONNECTED ||
        message.find("closed the connection during") != std::string::npos) {
      // The partner's connection dropped, not the CLI's: say which, as a plain
      // failure so that the CLI does not mistake it for its own node going away.
      message = "the session with peer '" + peer + "' broke off: " + message +
                "; no result was kept; run the match again once '" + peer + "' is back";
    }
    return kj::Exception(kj::Exception::Type::FAILED, __FILE__, __LINE__, kj::heapString(message));
  };
  protocol::SessionTerms terms;
  storage::PeerEntry entry;
  try {
    if (request.getPurpose().size() == 0) failWith("a match needs a purpose, e.g. --purpose overlap-analysis");
    terms.mode = modeFromWire(request.getMode());
    terms.kinds = kindsFromWire(request.getKinds());
    terms.purpose = request.getPurpose();
    details->emplace_back("mode", modeName(terms.mode));
    details->emplace_back("kinds", joinKinds(terms.kinds));
    storage::Transaction txn(context.store, storage::Transaction::Mode::READ);
    auto found = storage::PeerStore::find(txn, peer);
    if (!found) {
      failWith("no peer named '" + peer + "'; `entente peer list` shows the known peers; pair with a new one " +
               "through `entente peer invite` and `entente peer accept`");
    }
    if (found->revoked) failWith("peer '" + peer + "' is revoked; pair with it again to match");
    entry = *found;
  } catch (kj::Exception& e) {
    return fail(kj::mv(e));
  }
  auto sink = call.getParams().getSink();
  uint64_t minOverlap = entry.policy.minReportableOverlap;
  return context.transport.connect(entry.address, entry.publicKey, protocol::Channel::SESSION)
      .then([&context, terms = std::move(terms), peer](kj::Own<protocol::TlsStream> stream) mutable {
        auto* tls = stream.get();
        auto registration = context.connections.add(peer, [tls] { tls->abort(); });
        return kj::heap<RequestedMatch>(context, std::move(terms), kj::mv(stream), kj::mv(registration));
      })
      .then([&context, actor, peer, call, sink, details, minOverlap, guard,
             partnerKey = entry.publicKey](kj::Own<RequestedMatch> match) mutable {
        auto partner = match->connection.bootstrap().castAs<protocol::wire::Partner>();
        auto& m = *match;
        // A partner that drops the connection mid-session fails the run at once.
        SessionOpening opening;
        opening.requesterNode = context.config.name;
        opening.consortium = context.config.consortium;
        opening.timer = &context.timer;
        opening.noProgress = context.config.noProgressTimeoutSeconds * kj::SECONDS;
        opening.partner = peer;
        auto fieldsFor = [&context, &m, partnerKey](const std::string& sessionId, uint64_t partnerValues) {
          return ReceiptFields{sessionId,
                               context.identity.fingerprint(),
                               crypto::fingerprintOf(partnerKey),
                               m.session.terms().purpose,
                               modeName(m.session.terms().mode),
                               m.session.groups(),
                               partnerValues,
                               static_cast<int64_t>(std::time(nullptr))};
        };
        opening.makeReceipt = [&context, fieldsFor](const std::string& sessionId, uint64_t partnerValues) {
          return signReceipt(fieldsFor(sessionId, partnerValues), "requester", context.identity);
        };
        opening.onOpened = [&context, &m, actor, peer, details](const std::string& sessionId,
                                                                uint64_t partnerValues) {
          // From here on every entry about this match names its session.
          details->emplace_back("session", sessionId);
          m.sessionId = sessionId;
          context.gate.record("match.session", actor, "opened",
                              {{"peer", peer},
                               {"session", sessionId},
                               {"purpose", m.session.terms().purpose},
                               {"mode", modeName(m.session.terms().mode)},
                               {"own_customers", std::to_string(m.session.groups())},
                               {"partner_values", std::to_string(partnerValues)}});
        };
        opening.takeReceipt = [&context, &m, actor, peer, fieldsFor, partnerKey](
                                  const std::string& sessionId, uint64_t partnerValues, const SignedReceipt& receipt) {
          checkReceipt(receipt, fieldsFor(sessionId, partnerValues), "responder", partnerKey);
          // The partner's receipt and this node's entry for the session commit together,
          // so that no receipt held here ever lacks its session in the log, even when the
          // CLI goes away before the results reach it.
          Details exchanged = {{"peer", peer},
                               {"session", sessionId},
                               {"purpose", m.session.terms().purpose},
                               {"mode", modeName(m.session.terms().mode)},
                               {"own_customers", std::to_string(m.session.groups())},
                               {"partner_values", std::to_string(partnerValues)},
                               {"receipt", "stored"}};
          context.gate.change(
              "match.session", actor, exchanged,
              [&](storage::Transaction& txn, Details&) { storeReceipt(txn, sessionId, "responder", receipt); },
              "completed");
        };
        auto dropped = m.connection.onDisconnect().then([opened = opening.opened]() -> SessionReport {
          failWith(droppedConnectionMessage(*opened));
        });
        auto run = runRequester(partner, m.session, opening).exclusiveJoin(kj::mv(dropped));
        return run
            .then([&context, actor, &m, peer, call, sink, details, minOverlap, guard](SessionReport report) mutable {
              // This node's minimum reportable overlap for this partner (its policy):
              // below it, show neither the count nor who, so that tiny overlaps cannot
              // single people out.
              bool withheld = report.outcome.overlap < minOverlap;
              auto matched = std::make_shared<std::vector<protocol::MatchedGroup>>(
                  withheld ? std::vector<protocol::MatchedGroup>() : report.outcome.matched);
              auto streamed = streamMatches(sink, m, *matched, 0).attach(kj::mv(matched));
              return streamed.then(
                  [&context, actor, &m, peer, call, details, minOverlap, withheld, guard,
                   report = kj::mv(report)]() mutable {
                    summarise(m, peer, report, minOverlap, withheld, call.getResults().initSummary(), *details);
                    guard->recorded = true;
                    // Which customers took part commits with the entry that closes the match.
                    SessionParticipants participants{report.sessionId, peer, "requester", &m.session.terms(),
                                                     m.selection.readKeys(), {}, {}};
                    for (auto& g : report.outcome.matched) participants.matched.push_back(g.customerKey);
                    context.gate.change(
                        "match.request", actor, *details,
                        [&](storage::Transaction& txn, Details& d) {
                          storeParticipation(txn, std::move(participants), "completed", context.clock(), d);
                        },
                        "completed");
                  });
            })
            .catch_([&context, &m, peer](kj::Exception&& e) -> kj::Promise<void> {
              // The partner holds the blinded identifiers sent before the failure: the
              // participation record keeps who they were, with the session's own entry
              // (match.request failed) written by the caller's failure path.
              if (!m.sessionId.empty() && !m.selection.readKeys().empty()) {
                try {
                  Details d = {{"peer", peer}, {"session", m.sessionId}};
                  context.gate.change(
                      "match.session", "node", d,
                      [&](storage::Transaction& txn, Details& details) {
                        storeParticipation(txn, {m.sessionId, peer, "requester", &m.session.terms(),
                                                 m.selection.readKeys(), {}, {}},
                                           "failed", context.clock(), details);
                      },
                      "failed");
                } catch (...) {
                }
              }
              return kj::mv(e);
            })
            .attach(kj::mv(match));
      })
      .catch_(kj::mv(fail))
      .attach(kj::mv(guard));
}

}  // namespace entente::node
