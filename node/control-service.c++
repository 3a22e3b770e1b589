#include "node/control-service.h"

#include "node/customer-import.h"
#include "node/match-driver.h"
#include "node/match-selection.h"
#include "node/wire-terms.h"
#include "storage/customer-store.h"
#include "storage/peer-store.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

namespace entente::node {
namespace control = protocol::control;
namespace {

// The local user of the control socket. Tokens with names and roles replace this.
constexpr const char* kLocalActor = "local-admin";

void setCounts(control::ImportCounts::Builder out, const ImportTotals& totals) {
  out.setInserted(totals.inserted);
  out.setUpdated(totals.updated);
  out.setUnchanged(totals.unchanged);
  out.setRejected(totals.rejected);
  out.setSharedIdentifiers(totals.sharedIdentifiers);
}

Details countDetails(const ImportTotals& t) {
  return {{"inserted", std::to_string(t.inserted)},
          {"updated", std::to_string(t.updated)},
          {"unchanged", std::to_string(t.unchanged)},
          {"rejected", std::to_string(t.rejected)}};
}

template <typename Body>
auto asUserError(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const kj::Exception&) {
    throw;
  } catch (const std::exception& e) {
    failWith(e.what());
  }
}

class ImportService final : public control::CustomerImport::Server {
 public:
  ImportService(NodeContext& context, std::string source)
      : context_(context), source_(std::move(source)), import_(context.store, context.config.region) {}
  ~ImportService() noexcept(false) {
    if (!finished_) {
      auto details = countDetails(totals_);
      details.insert(details.begin(), {"source", source_});
      context_.log.record("import", kLocalActor, "interrupted", details);
    }
  }

 protected:
  kj::Promise<void> rows(RowsContext context) override {
    std::vector<RowRejection> rejections;
    auto batch = asUserError([&] { return import_.storeBatch(context.getParams().getRows(), rejections); });
    totals_.add(batch);
    auto outcome = context.getResults().initOutcome();
    setCounts(outcome.initCounts(), batch);
    auto list = outcome.initRejections(static_cast<unsigned>(rejections.size()));
    for (unsigned i = 0; i < rejections.size(); ++i) {
      list[i].setLine(rejections[i].line);
      list[i].setReason(rejections[i].reason);
    }
    return kj::READY_NOW;
  }

  kj::Promise<void> finish(FinishContext context) override {
    totals_.rejected += context.getParams().getClientRejected();
    finished_ = true;
    auto details = countDetails(totals_);
    details.insert(details.begin(), {"source", source_});
    details.emplace_back("shared_identifiers", std::to_string(totals_.sharedIdentifiers));
    context_.log.record("import", kLocalActor, "ok", details);
    setCounts(context.getResults().initTotal(), totals_);
    return kj::READY_NOW;
  }

 private:
  NodeContext& context_;
  std::string source_;
  CustomerImport import_;
  ImportTotals totals_;
  bool finished_ = false;
};

// Everything one requested match owns while it runs.
struct RequestedMatch {
  RequestedMatch(NodeContext& context, protocol::SessionTerms terms, kj::Own<kj::AsyncIoStream> stream)
      : selection(context.store, terms),
        session(context.domain, std::move(terms), selection),
        connection(kj::mv(stream)) {}
  MatchSelection selection;
  protocol::RequesterSession session;
  protocol::RpcConnection connection;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  uint64_t sentBefore = protocol::partnerWireCounters().sent;
  uint64_t receivedBefore = protocol::partnerWireCounters().received;
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

class ControlService final : public control::Control::Server {
 public:
  explicit ControlService(NodeContext& context) : context_(context) {}

 protected:
  kj::Promise<void> status(StatusContext context) override {
    auto s = context.getResults().initStatus();
    s.setName(context_.config.name);
    s.setListen(context_.config.listen);
    s.setRegion(context_.config.region);
    s.setConsortium(context_.config.consortium);
    {
      storage::Transaction txn(context_.store, storage::Transaction::Mode::READ);
      s.setCustomers(storage::CustomerStore::count(txn));
      s.setSharedIdentifiers(storage::CustomerStore::sharedIdentifierCount(txn));
      s.setPeers(static_cast<uint32_t>(storage::PeerStore::list(txn).size()));
    }
    s.setStoreBytes(context_.store.bytesInUse());
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    s.setPeakRssKiB(static_cast<uint64_t>(usage.ru_maxrss));
    s.setUptimeSeconds(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                 std::chrono::steady_clock::now() - context_.startedAt)
                                                 .count()));
    s.setWireBytesSent(protocol::partnerWireCounters().sent);
    s.setWireBytesReceived(protocol::partnerWireCounters().received);
    s.setPid(static_cast<uint32_t>(getpid()));
    return kj::READY_NOW;
  }

  kj::Promise<void> beginImport(BeginImportContext context) override {
    std::string source = context.getParams().getSource();
    context_.log.record("import", kLocalActor, "started", {{"source", source}});
    context.getResults().setImport(kj::heap<ImportService>(context_, source));
    return kj::READY_NOW;
  }

  kj::Promise<void> addPeer(AddPeerContext context) override {
    std::string name = context.getParams().getName();
    std::string address = context.getParams().getAddress();
    bool replaced = context_.log.perform("peer.add", kLocalActor, {{"peer", name}, {"address", address}},
                                         [&](Details&) {
                                           if (!isValidName(name)) {
                                             failWith("peer name must be 1-64 characters of letters, digits, '.', "
                                                      "'_' or '-'");
                                           }
                                           if (name == context_.config.name) {
                                             failWith("a node cannot be its own peer");
                                           }
                                           if (!isHostPort(address)) {
                                             failWith("peer address must be HOST:PORT, e.g. 10.0.0.5:7401");
                                           }
                                           storage::Transaction txn(context_.store, storage::Transaction::Mode::WRITE);
                                           bool existed = storage::PeerStore::find(txn, name).has_value();
                                           storage::PeerStore::put(txn, {name, address, std::time(nullptr)});
                                           txn.commit();
                                           return existed;
                                         });
    context.getResults().setReplaced(replaced);
    return kj::READY_NOW;
  }

  kj::Promise<void> removePeer(RemovePeerContext context) override {
    std::string name = context.getParams().getName();
    context_.log.perform("peer.remove", kLocalActor, {{"peer", name}}, [&](Details&) {
      storage::Transaction txn(context_.store, storage::Transaction::Mode::WRITE);
      if (!storage::PeerStore::remove(txn, name)) {
        failWith("no peer named '" + name + "'; `entente peer list` shows the known peers");
      }
      txn.commit();
      return true;
    });
    return kj::READY_NOW;
  }

  kj::Promise<void> listPeers(ListPeersContext context) override {
    storage::Transaction txn(context_.store, storage::Transaction::Mode::READ);
    auto peers = storage::PeerStore::list(txn);
    auto list = context.getResults().initPeers(static_cast<unsigned>(peers.size()));
    for (unsigned i = 0; i < peers.size(); ++i) {
      list[i].setName(peers[i].name);
      list[i].setAddress(peers[i].address);
      list[i].setAddedAtUnix(peers[i].addedAtUnix);
    }
    return kj::READY_NOW;
  }

  kj::Promise<void> match(MatchContext context) override {
    auto request = context.getParams().getRequest();
    std::string peer = request.getPeer();
    auto details = std::make_shared<Details>(Details{{"peer", peer}, {"purpose", request.getPurpose()}});
    auto fail = [this, details, peer](kj::Exception&& e) -> kj::Promise<void> {
      std::string message = userMessage(e);
      details->emplace_back("error", message);
      context_.log.record("match.request", kLocalActor, "failed", *details);
      if (e.getType() == kj::Exception::Type::DISCONNECTED) {
        // The partner's connection dropped, not the CLI's: say which, as a plain
        // failure so that the CLI does not mistake it for its own node going away.
        message = "the session with peer '" + peer + "' broke off: " + message +
                  "; no result was kept; run the match again once '" + peer + "' is back";
      }
      return kj::Exception(kj::Exception::Type::FAILED, __FILE__, __LINE__, kj::heapString(message));
    };
    protocol::SessionTerms terms;
    std::string address;
    try {
      if (request.getPurpose().size() == 0) failWith("a match needs a purpose, e.g. --purpose overlap-analysis");
      terms.mode = modeFromWire(request.getMode());
      terms.kinds = kindsFromWire(request.getKinds());
      terms.purpose = request.getPurpose();
      details->emplace_back("mode", modeName(terms.mode));
      details->emplace_back("kinds", joinKinds(terms.kinds));
      storage::Transaction txn(context_.store, storage::Transaction::Mode::READ);
      auto entry = storage::PeerStore::find(txn, peer);
      if (!entry) {
        failWith("no peer named '" + peer + "'; `entente peer list` shows the known peers and `entente peer add " +
                 peer + " --address HOST:PORT` adds one");
      }
      address = entry->address;
    } catch (kj::Exception& e) {
      return fail(kj::mv(e));
    }
    auto sink = context.getParams().getSink();
    return context_.transport.connect(address)
        .then([this, terms = std::move(terms)](kj::Own<kj::AsyncIoStream> stream) mutable {
          return kj::heap<RequestedMatch>(context_, std::move(terms), kj::mv(stream));
        })
        .then([this, peer, context, sink, details](kj::Own<RequestedMatch> match) mutable {
          auto partner = match->connection.bootstrap().castAs<protocol::wire::Partner>();
          auto& m = *match;
          // A partner that drops the connection mid-session fails the run at once.
          auto dropped = m.connection.onDisconnect().then([]() -> SessionReport {
            failWith("the partner closed the connection during the session");
          });
          auto run = runRequester(partner, m.session, {context_.config.name, context_.config.consortium})
                         .exclusiveJoin(kj::mv(dropped));
          return run.then([this, &m, peer, context, sink, details](SessionReport report) mutable {
                      auto matched = std::make_shared<std::vector<protocol::MatchedGroup>>(
                          report.outcome.matched);
                      auto streamed = streamMatches(sink, m, *matched, 0).attach(kj::mv(matched));
                      return streamed.then([this, &m, peer, context, details, report = kj::mv(report)]() mutable {
                        summarise(m, peer, report, context.getResults().initSummary(), *details);
                        context_.log.record("match.request", kLocalActor, "completed", *details);
                      });
                    })
              .attach(kj::mv(match));
        })
        .catch_(kj::mv(fail));
  }

  kj::Promise<void> stop(StopContext context) override {
    context_.log.record("node.stop", kLocalActor, "requested");
    // Answer first, then stop on a later turn so that the reply goes out.
    auto& fulfiller = context_.stopRequested;
    return kj::evalLater([&fulfiller] { fulfiller->fulfill(); });
  }

 private:
  void summarise(RequestedMatch& m, const std::string& peer, const SessionReport& report,
                 control::MatchSummary::Builder s, Details& details) {
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - m.started).count();
    s.setSessionId(report.sessionId);
    s.setPeer(peer);
    s.setPurpose(m.session.terms().purpose);
    s.setMode(modeToWire(m.session.terms().mode));
    s.setOwnCustomers(m.session.groups());
    s.setOwnValues(m.session.values());
    s.setOwnIdentifiers(m.selection.valueCount());
    s.setPartnerValues(report.partnerValues);
    s.setOverlap(report.outcome.overlap);
    s.setTagBytes(static_cast<uint8_t>(report.tagBytes));
    s.setSeconds(seconds);
    s.setWireBytesSent(protocol::partnerWireCounters().sent - m.sentBefore);
    s.setWireBytesReceived(protocol::partnerWireCounters().received - m.receivedBefore);
    const auto& kinds = m.session.terms().kinds;
    if (m.session.terms().mode == protocol::MatchMode::IDS) {
      auto byKind = s.initMatchesByKind(static_cast<unsigned>(kinds.size()));
      for (size_t slot = 0; slot < kinds.size(); ++slot) {
        uint64_t n = 0;
        for (auto& g : report.outcome.matched) n += g.kindsMask >> slot & 1;
        byKind[slot].setKind(std::string(crypto::kindName(kinds[slot])));
        byKind[slot].setCustomers(n);
      }
    }
    details.emplace_back("session", report.sessionId);
    details.emplace_back("own_customers", std::to_string(m.session.groups()));
    details.emplace_back("partner_values", std::to_string(report.partnerValues));
    details.emplace_back("overlap", std::to_string(report.outcome.overlap));
  }

  NodeContext& context_;
};

}  // namespace

kj::Own<control::Control::Server> makeControlService(NodeContext& context) {
  return kj::heap<ControlService>(context);
}

}  // namespace entente::node
