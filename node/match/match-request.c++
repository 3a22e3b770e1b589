#include "node/match/match-request.h"

#include "node/match/match-driver.h"
#include "node/match/match-release.h"
#include "node/match/match-selection.h"
#include "node/match/participation.h"
#include "node/match/release-guards.h"
#include "node/match/wire-terms.h"
#include "node/marketing/query-release.h"
#include "node/partners/connection-registry.h"
#include "storage/peer-store.h"
#include "storage/privacy-budget.h"
#include "storage/saved-queries.h"

#include <fmt/core.h>

#include <chrono>
#include <ctime>

namespace entente::node {
namespace control = protocol::control;
namespace {

// Everything one requested match owns while it runs.
struct RequestedMatch {
  RequestedMatch(NodeContext& context, protocol::SessionTerms terms, kj::Own<kj::AsyncIoStream> stream,
                 kj::Own<void> registration, const QueryPlan& plan)
      : selection(context.store, terms, context.clock(), filterOf(plan, context.clock())),
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

  static SelectionOptions filterOf(const QueryPlan& plan, int64_t now) {
    SelectionOptions options;
    if (plan.filters.empty()) return options;
    options.filter = [filters = plan.filters, now](const storage::Transaction& txn, uint64_t key,
                                                   storage::schema::Customer::Reader record) {
      CustomerColumns columns(txn, key, record, now);
      return passesAll(filters, columns);
    };
    return options;
  }
};

kj::Promise<void> streamMatches(control::MatchSink::Client sink, RequestedMatch& match,
                                const std::vector<protocol::MatchedGroup>& matched, size_t from,
                                std::shared_ptr<const QueryPlan> plan, int64_t now) {
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
    if (!plan->columns.empty()) {
      auto fields = campaignFields(*plan, m, match.selection.snapshot(), now);
      auto out = list[i].initFields(static_cast<unsigned>(fields.size()));
      for (unsigned f = 0; f < fields.size(); ++f) {
        out[f].setName(fields[f].first);
        out[f].setValue(fields[f].second);
      }
    } else if (!plan->attributes.empty()) {
      // Enrich mode without chosen columns: every attribute received.
      auto out = list[i].initFields(static_cast<unsigned>(plan->attributes.size()));
      for (unsigned f = 0; f < plan->attributes.size(); ++f) {
        out[f].setName("theirs:" + plan->attributes[f]);
        out[f].setValue(f < m.attributes.size() && m.attributes[f] ? *m.attributes[f] : "");
      }
    }
  }
  // The plan is shared, not referred to: this continuation outlives the caller's frame.
  return request.send().then([sink, &match, &matched, from, n, plan, now]() mutable {
    return streamMatches(kj::mv(sink), match, matched, from + n, plan, now);
  });
}

void summarise(RequestedMatch& m, const std::string& peer, const SessionReport& report, uint64_t minOverlap,
               const Release& release, control::MatchSummary::Builder s, Details& details, int64_t startedAt) {
  bool withheld = release.withheld;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - m.started).count();
  s.setSessionId(report.sessionId);
  s.setPeer(peer);
  s.setPurpose(m.session.terms().purpose);
  s.setMode(modeToWire(m.session.terms().mode));
  s.setOwnCustomers(m.session.groups());
  s.setOwnValues(m.session.values());
  s.setOwnIdentifiers(m.selection.valueCount());
  s.setPartnerValues(report.partnerValues);
  s.setOverlap(withheld ? 0 : release.released.total.shown);
  s.setWithheld(withheld);
  s.setMinReportableOverlap(minOverlap);
  s.setMinGroupSize(release.minGroupSize);
  s.setOverlapSuppressed(withheld);
  s.setWithheldBecause(release.differencedWith.empty() ? "" : "differencing:" + release.differencedWith);
  s.setNoiseEpsilon(release.plan.epsilon);
  s.setStartedAtUnix(startedAt);
  s.setSelectedBeforeFilter(m.session.groups() + m.selection.filteredOut());
  auto filtered = s.initFiltered(static_cast<unsigned>(release.plan.filters.size()));
  for (unsigned i = 0; i < release.plan.filters.size(); ++i) filtered.set(i, release.plan.filters[i].text);
  auto attributes = s.initAttributes(static_cast<unsigned>(release.plan.attributes.size()));
  for (unsigned i = 0; i < release.plan.attributes.size(); ++i) attributes.set(i, release.plan.attributes[i]);
  auto by = s.initBy(static_cast<unsigned>(release.plan.by.size()));
  for (unsigned i = 0; i < release.plan.by.size(); ++i) by.set(i, release.plan.by[i].text);
  if (!withheld && !release.released.cells.empty()) {
    auto groups = s.initGroups(static_cast<unsigned>(release.released.cells.size()));
    for (unsigned i = 0; i < release.released.cells.size(); ++i) {
      const auto& c = release.released.cells[i];
      auto values = groups[i].initValues(static_cast<unsigned>(c.values.size()));
      for (unsigned v = 0; v < c.values.size(); ++v) values.set(v, c.values[v]);
      groups[i].setCount(c.shown);
      groups[i].setSuppressed(c.suppressed);
    }
  }
  s.setTagBytes(static_cast<uint8_t>(report.tagBytes));
  s.setSeconds(seconds);
  s.setWireBytesSent(protocol::partnerWireCounters().sent - m.sentBefore);
  s.setWireBytesReceived(protocol::partnerWireCounters().received - m.receivedBefore);
  const auto& kinds = m.session.terms().kinds;
  if (release.plan.listCustomers && release.plan.epsilon == 0 && !withheld) {
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
  details.emplace_back("shown", release.shown);
  if (!release.plan.filters.empty()) {
    std::string joined;
    for (auto& f : release.plan.filters) joined += (joined.empty() ? "" : " and ") + f.text;
    details.emplace_back("where", joined);
  }
  if (!release.plan.by.empty()) {
    std::string joined;
    for (auto& b : release.plan.by) joined += (joined.empty() ? "," : ",") + b.text;
    details.emplace_back("by", joined.substr(1));
    details.emplace_back("groups_shown", std::to_string(release.released.cells.size()));
  }
  if (!release.plan.attributes.empty()) {
    std::string joined;
    for (auto& a : release.plan.attributes) joined += "," + a;
    details.emplace_back("attributes", joined.substr(1));
  }
  if (release.plan.epsilon > 0) details.emplace_back("noise_epsilon", fmt::format("{:.3g}", release.plan.epsilon));
  if (!release.plan.queryName.empty()) details.emplace_back("query", release.plan.queryName);
  details.emplace_back("min_group_size", std::to_string(release.minGroupSize));
}

}  // namespace

// Tells the command line how the session goes, twice a second, until it ends (the
// caller's exclusiveJoin cancels it): which phase, how far, of how much.
static kj::Promise<SessionReport> reportProgress(NodeContext& context, control::MatchSink::Client sink, RequestedMatch& m) {
  return context.timer.afterDelay(500 * kj::MILLISECONDS).then([&context, sink, &m]() mutable {
    auto request = sink.progressRequest();
    auto p = request.initProgress();
    const auto& s = m.session;
    // The first step not yet done; the steps overlap in time, so a later one may
    // already be under way.
    if (!s.accepted()) {
      p.setPhase("waiting for the partner");
    } else if (s.sentGroups() < s.groups()) {
      p.setPhase("sending our customers");
      p.setDone(s.sentGroups());
      p.setTotal(s.groups());
    } else if (s.tagsReceived() == 0 && s.responderValues() > 0) {
      p.setPhase("the partner blinds its customers");
    } else if (s.tagsReceived() < s.responderValues()) {
      p.setPhase("receiving the partner's values");
      p.setDone(s.tagsReceived());
      p.setTotal(s.responderValues());
    } else if (s.valuesAnswered() < s.values()) {
      p.setPhase("receiving our values back");
      p.setDone(s.valuesAnswered());
      p.setTotal(s.values());
    } else {
      p.setPhase("comparing");
    }
    return request.send().then(
        [&context, sink, &m]() mutable { return reportProgress(context, sink, m); },
        [](kj::Exception&&) -> kj::Promise<SessionReport> {
          // A command line that takes no progress (an older one, or a script's) still
          // gets its result: progress is a courtesy, never a reason to fail.
          return kj::NEVER_DONE;
        });
  });
}

kj::Promise<void> requestMatch(NodeContext& context, const std::string& actor,
                               capnp::CallContext<control::ControlSession::MatchParams, control::ControlSession::MatchResults> call) {
  auto request = call.getParams().getRequest();
  std::string peer = request.getPeer();
  auto details = std::make_shared<Details>(Details{{"peer", peer}, {"purpose", request.getPurpose()}});
  // Whatever ends the match is recorded once: completed, failed, or cancelled when the
  // command line went away and the RPC system dropped the call (see allowCancellation
  // in control-service.c++), which destroys this guard without an outcome.
  struct OutcomeGuard {
    // Built in place: a temporary copied into the shared_ptr would record "cancelled"
    // when it died, before the session even began (it did, until issue 12 found it).
    OutcomeGuard(NodeContext& c, std::string a, std::shared_ptr<Details> d)
        : context(c), actor(std::move(a)), details(std::move(d)) {}
    OutcomeGuard(const OutcomeGuard&) = delete;
    OutcomeGuard& operator=(const OutcomeGuard&) = delete;
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
  auto guard = std::make_shared<OutcomeGuard>(context, actor, details);
  auto plan = std::make_shared<QueryPlan>();
  plan->queryName = request.getQueryName();
  auto fail = [&context, actor, details, peer, guard, plan](kj::Exception&& e) -> kj::Promise<void> {
    std::string message = userMessage(e);
    details->emplace_back("error", message);
    guard->recorded = true;
    if (plan->queryName.empty()) {
      context.gate.recordNoThrow("match.request", actor, "failed", *details);
    } else {
      // A saved query's failed run is part of its history too.
      std::string session;
      for (auto& [key, value] : *details) {
        if (key == "session") session = value;
      }
      try {
        context.gate.change(
            "match.request", actor, *details,
            [&](storage::Transaction& txn, Details&) {
              storage::SavedQueries::recordRun(txn, {plan->queryName, context.clock(), actor, session, "failed",
                                                     "failed: " + message, peer});
            },
            "failed");
      } catch (...) {
        context.gate.recordNoThrow("match.request", actor, "failed", *details);
      }
    }
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
  int64_t startedAt = context.clock();
  try {
    if (request.getPurpose().size() == 0) failWith("a match needs a purpose, e.g. --purpose overlap-analysis");
    *plan = planQuery(request);
    terms.mode = plan->wireMode;
    terms.kinds = kindsFromWire(request.getKinds());
    terms.purpose = request.getPurpose();
    terms.attributes = plan->attributes;
    details->emplace_back("mode", modeName(terms.mode));
    details->emplace_back("kinds", joinKinds(terms.kinds));
    if (!plan->queryName.empty()) details->emplace_back("query", plan->queryName);
    storage::Transaction txn(context.store, storage::Transaction::Mode::READ);
    auto found = storage::PeerStore::find(txn, peer);
    if (!found) {
      failWith("no peer named '" + peer + "'; `entente peer list` shows the known peers; pair with a new one " +
               "through `entente peer invite` and `entente peer accept`");
    }
    if (found->revoked) failWith("peer '" + peer + "' is revoked; pair with it again to match");
    // Checks come before work: an unknown purpose is refused here, not sent to the
    // partner to be refused and logged there.
    if (!context.config.knowsPurpose(terms.purpose)) {
      failWith("unknown purpose '" + terms.purpose + "'; known purposes: " + context.config.purposeNames());
    }
    if (found->invitedBy == storage::PeerEntry::Inviter::PARTNER && !found->offeredPurposes.empty() &&
        std::find(found->offeredPurposes.begin(), found->offeredPurposes.end(), terms.purpose) ==
            found->offeredPurposes.end()) {
      std::string offered;
      for (auto& o : found->offeredPurposes) offered += (offered.empty() ? "" : ", ") + o;
      failWith("peer '" + peer + "' offered the purposes " + offered + " when we paired, not '" + terms.purpose +
               "'; ask its administrator to allow it (`entente peer policy` on their node), or choose one of those");
    }
    if (plan->epsilon > 0) {
      checkBudget(txn, peer, terms.purpose, plan->epsilon, found->policy.monthlyEpsilon, startedAt, "this node");
    }
    entry = *found;
  } catch (kj::Exception& e) {
    return fail(kj::mv(e));
  }
  auto sink = call.getParams().getSink();
  uint64_t minOverlap = entry.policy.minReportableOverlap;
  return context.transport.connect(entry.address, entry.publicKey, protocol::Channel::SESSION)
      .then([&context, terms = std::move(terms), peer, plan](kj::Own<protocol::TlsStream> stream) mutable {
        auto* tls = stream.get();
        auto registration = context.connections.add(peer, [tls] { tls->abort(); });
        return kj::heap<RequestedMatch>(context, std::move(terms), kj::mv(stream), kj::mv(registration), *plan);
      })
      .then([&context, actor, peer, call, sink, details, minOverlap, guard, plan, startedAt,
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
        opening.checkOffer = [&context, peer, plan, startedAt, &m](const SessionReport& offer) {
          if (plan->epsilon > 0) {
            storage::Transaction txn(context.store, storage::Transaction::Mode::READ);
            checkBudget(txn, peer, m.session.terms().purpose, plan->epsilon, offer.partnerMonthlyEpsilon, startedAt,
                        "peer '" + peer + "'");
          }
          bool byTheirs = std::any_of(plan->by.begin(), plan->by.end(), [](const ByTerm& b) { return b.theirs; });
          if (offer.partnerRequiresNoise && byTheirs && plan->epsilon <= 0) {
            failWith("peer '" + peer + "' requires noise on breakdowns by its attributes: add --noise EPSILON "
                     "(its monthly budget is " + fmt::format("{:.3g}", offer.partnerMonthlyEpsilon) + ")");
          }
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
        auto run = runRequester(partner, m.session, opening)
                       .exclusiveJoin(kj::mv(dropped))
                       .exclusiveJoin(reportProgress(context, sink, m));
        return run
            .then([&context, actor, &m, peer, call, sink, details, minOverlap, guard, plan,
                   startedAt](SessionReport report) mutable {
              // Below the minimum group size (the stricter of this node's minimum
              // reportable overlap for the partner and the partner's own), show neither
              // the count nor who, so that tiny overlaps cannot single people out.
              auto release = std::make_shared<Release>(decideRelease(*plan, report, m.selection, peer, m.session.terms().purpose, minOverlap, context.clock()));
              bool list = plan->listCustomers && !release->withheld;
              auto matched = std::make_shared<std::vector<protocol::MatchedGroup>>(
                  list ? report.outcome.matched : std::vector<protocol::MatchedGroup>());
              auto streamed =
                  streamMatches(sink, m, *matched, 0, plan, context.clock()).attach(kj::mv(matched));
              return streamed.then(
                  [&context, actor, &m, peer, call, details, minOverlap, guard, release, startedAt,
                   report = kj::mv(report)]() mutable {
                    summarise(m, peer, report, minOverlap, *release, call.getResults().initSummary(), *details,
                              startedAt);
                    guard->recorded = true;
                    // Which customers took part commits with the entry that closes the match.
                    SessionParticipants participants{report.sessionId, peer, "requester", &m.session.terms(),
                                                     m.selection.readKeys(), {}, release->plan.attributes};
                    participants.released = release->released.total.shown;
                    participants.releasedExact = !release->withheld && release->plan.epsilon <= 0;
                    for (auto& g : report.outcome.matched) participants.matched.push_back(g.customerKey);
                    double budgetLeft = 0;
                    context.gate.change(
                        "match.request", actor, *details,
                        [&](storage::Transaction& txn, Details& d) {
                          storeParticipation(txn, std::move(participants), "completed", context.clock(), d);
                          const auto& plan = release->plan;
                          if (plan.epsilon > 0) {
                            auto month = storage::utcMonth(startedAt);
                            storage::PrivacyBudget::charge(txn, peer, m.session.terms().purpose, month, plan.epsilon);
                            auto entry = storage::PeerStore::find(txn, peer);
                            double budget = std::min(entry ? entry->policy.monthlyEpsilon : 0.0,
                                                     report.partnerMonthlyEpsilon);
                            budgetLeft = budget - storage::PrivacyBudget::used(txn, peer, m.session.terms().purpose,
                                                                               month).spent;
                            d.emplace_back("budget_left", fmt::format("{:.3g}", std::max(0.0, budgetLeft)));
                          }
                          if (!plan.queryName.empty()) {
                            storage::SavedQueries::recordRun(txn, {plan.queryName, context.clock(), actor,
                                                                   report.sessionId, "completed", release->shown,
                                                                   peer});
                          }
                        },
                        "completed");
                    call.getResults().getSummary().setBudgetLeft(std::max(0.0, budgetLeft));
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
