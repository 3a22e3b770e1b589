#include "node/server/node-server.h"

#include "node/control/control-service.h"
#include "node/import/identifier-index.h"
#include "node/match/partner-service.h"
#include "node/partners/connection-registry.h"
#include "node/partners/refusal-log.h"
#include "node/reports/report-pages.h"
#include "node/server/admin-http.h"
#include "node/server/node-keys.h"
#include "node/server/node-metrics.h"
#include "node/server/service-notify.h"
#include "protocol/control-socket.h"
#include "storage/peer-store.h"

#include "crypto/wipe.h"

#include <capnp/rpc-twoparty.h>
#include <kj/compat/tls.h>
#include <kj/async-io.h>
#include <kj/async-unix.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdio>
#include <ctime>
#include <optional>
#include <fstream>
#include <iostream>
#include <sstream>

namespace entente::node {
namespace {

// The admin address's TLS from the operator's PEM files (TLS 1.2 at least: the
// oldest kj-tls lets one require).
kj::Own<kj::TlsContext> adminTlsContext(const NodeConfig& config) {
  auto read = [](const std::string& file, const char* setting) {
    std::ifstream in(file);
    if (!in) {
      failWith(std::string("cannot read ") + setting + " " + file + "; give the PEM file's path in node.toml, readable "
               "by the node's user");
    }
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  std::string certificate = read(config.adminTlsCertificate, "admin_tls_certificate");
  std::string key = read(config.adminTlsKey, "admin_tls_key");
  try {
    kj::TlsKeypair keypair{kj::TlsPrivateKey(key.c_str()), kj::TlsCertificate(certificate.c_str())};
    crypto::wipe(key);
    kj::TlsContext::Options options;
    options.minVersion = kj::TlsVersion::TLS_1_2;
    options.defaultKeypair = keypair;
    return kj::heap<kj::TlsContext>(kj::mv(options));
  } catch (const kj::Exception& e) {
    crypto::wipe(key);
    failWith("the admin address's certificate or key could not be read (" + std::string(e.getDescription().cStr()) +
             "); give a PEM certificate chain and its unencrypted PEM private key");
  }
}

kj::Own<kj::ConnectionReceiver> listenAdmin(kj::Network& network, const std::string& address,
                                             kj::WaitScope& waitScope) {
  try {
    return network.parseAddress(address).wait(waitScope)->listen();
  } catch (const kj::Exception& e) {
    failWith("cannot serve the admin address " + address + " (" + std::string(e.getDescription().cStr()) +
             "); if another program uses that port, choose another in node.toml's admin_listen (0 picks a free "
             "one), or remove admin_listen");
  }
}

// What the system said when the partner address could not be taken, in words an
// operator can act on; KJ's own text ("::bind(sockfd, ...): Address already in use;
// toString() = ...") names neither the setting nor the way out.
std::string listenFailure(const std::string& listen, const NodePaths& paths, const std::string& why) {
  std::string settings = (paths.dir / "node.toml").string();
  std::string advice = "; change `listen` in " + settings +
                       " (partners paired with this node keep the old address: tell them, or pair again)";
  if (why.find("Address already in use") != std::string::npos) {
    return "cannot listen for partners on " + listen +
           ": another program (perhaps another entente node) already listens on that address; stop it, or choose "
           "another port" + advice;
  }
  if (why.find("Cannot assign requested address") != std::string::npos) {
    return "cannot listen for partners on " + listen + ": that address is not one of this machine's" + advice;
  }
  if (why.find("Permission denied") != std::string::npos) {
    return "cannot listen for partners on " + listen +
           ": this user may not use that port (ports below 1024 need privileges); choose a port above 1023" + advice;
  }
  return "cannot listen for partners on " + listen + ": " + why + advice;
}

}  // namespace

int runNode(const std::filesystem::path& dirArgument) {
  std::filesystem::path dir = std::filesystem::absolute(dirArgument).lexically_normal();
  NodePaths paths{dir};
  NodeConfig config;
  try {
    config = NodeConfig::load(dir);
  } catch (const std::exception& e) {
    std::cerr << "entente: " << e.what() << "\n";
    return 2;
  }
  if (paths.controlSocket().string().size() >= sizeof(sockaddr_un::sun_path)) {
    std::cerr << "entente: the node folder's path is too long for its control socket (" << paths.controlSocket()
              << "); move the node to a shorter path\n";
    return 2;
  }
  // Something answering on the control socket means another process runs this node.
  if (protocol::controlSocketAnswers(paths.controlSocket())) {
    std::cerr << "entente: node '" << config.name << "' is already running (its control socket answers); stop it "
              << "with `entente node stop --node " << dir.string() << "`\n";
    return 2;
  }

  // Signals must be captured before any thread starts (the crypto pool starts lazily).
  kj::UnixEventPort::captureSignal(SIGINT);
  kj::UnixEventPort::captureSignal(SIGTERM);
  // A partner vanishing mid-write must be an error on that connection, not our death.
  signal(SIGPIPE, SIG_IGN);

  std::optional<NodeLog> nodeLog;
  auto cannotRun = [&](const std::string& why) {
    std::cerr << "entente: node '" << config.name << "' cannot run: " << why << "\n";
    // Before the audit log is open nothing can be recorded there; node.log says why.
    if (nodeLog) nodeLog->write(std::time(nullptr), "node.start", "system", "failed", std::nullopt, {{"error", why}});
    return 1;
  };
  try {
    nodeLog.emplace(paths.log(), true);
    storage::Environment store(paths.store(), false);
    auto identity = loadIdentity(paths, config);
    AuditChain audit(store, identity);
    ActionGate gate(store, audit, *nodeLog);
    if (config.insecurePlaintextKey) {
      std::fprintf(stderr,
                   "entente: WARNING: node '%s' keeps its private key unprotected (insecure_plaintext_key); anyone "
                   "who copies %s can impersonate it. Set key_passphrase_file or key_passphrase_env and re-create "
                   "the key.\n",
                   config.name.c_str(), dir.c_str());
      gate.record("node.key", "system", "warning", {{"reason", "the identity key is stored unprotected"}});
    }
    protocol::TlsConfig tls = [&] {
      auto privateKey = identity.privateKeyPem();
      return protocol::TlsConfig(
          identity.certificatePem(), privateKey.view(),
          {protocol::alpnOf(protocol::Channel::SESSION).cStr(), protocol::alpnOf(protocol::Channel::PAIRING).cStr()});
    }();
    auto io = kj::setupAsyncIo();
    protocol::PartnerTransport transport(io.provider->getNetwork(), io.provider->getTimer(), tls);
    ConnectionRegistry connections;
    // Finish an erasure's scrubbing that a crash interrupted, before anything reads.
    if (store.compactIfPending()) gate.record("store.compact", "system", "ok", {{"reason", "pending after erasure"}});
    // Index the customers of an import that was cut off (node/import/identifier-index.h).
    catchUpIdentifierIndex(gate, store, "system", "left by an import that was cut off");
    auto partnerListener = [&] {
      try {
        return transport.listen(config.listen).wait(io.waitScope);
      } catch (const kj::Exception& e) {
        throw std::runtime_error(listenFailure(config.listen, paths, userMessage(e)));
      }
    }();
    if (config.listen.ends_with(":0")) {
      // Port 0 asks for any free port (tests running in parallel cannot race for
      // one). It is written back to node.toml, so that partners, which keep the
      // address they paired with, find the node at the same port after a restart.
      config.listen = config.listen.substr(0, config.listen.size() - 1) + std::to_string(partnerListener->getPort());
      config.save(dir);
    }
    NodeMetrics metrics(store, audit);
    gate.observe([&metrics](const AuditEntry& entry) { metrics.observe(entry); });
    // The admin address (metrics), when node.toml sets one.
    kj::Own<kj::ConnectionReceiver> adminListener;
    std::optional<AdminHttp> admin;
    kj::Own<kj::TlsContext> adminTls;
    kj::Promise<void> servingAdmin = kj::NEVER_DONE;
    if (!config.adminListen.empty()) {
      adminListener = listenAdmin(io.provider->getNetwork(), config.adminListen, io.waitScope);
      if (config.adminListen.ends_with(":0")) {
        config.adminListen = config.adminListen.substr(0, config.adminListen.size() - 1) +
                             std::to_string(adminListener->getPort());
        config.save(dir);
      }
      if (!config.adminTlsCertificate.empty()) {
        adminTls = adminTlsContext(config);
        adminListener = adminTls->wrapPort(kj::mv(adminListener));
      }
      bool loopback = isLoopbackHost(config.adminListen.substr(0, config.adminListen.rfind(':')));
      admin.emplace(io.provider->getTimer(), metrics, [] { return static_cast<int64_t>(std::time(nullptr)); },
                    loopback);
      servingAdmin = admin->serve(*adminListener);
    }
    RefusalLog refusals(gate, [] { return static_cast<int64_t>(std::time(nullptr)); });
    auto stop = kj::newPromiseAndFulfiller<void>();
    NodeContext context{config,
                        paths,
                        store,
                        gate,
                        audit,
                        transport,
                        identity,
                        connections,
                        refusals,
                        crypto::HashDomain(config.consortium),
                        std::chrono::steady_clock::now(),
                        [] { return static_cast<int64_t>(std::time(nullptr)); },
                        io.provider->getTimer(),
                        kj::mv(stop.fulfiller)};

    // The compliance reports' pages join the metrics once the context exists.
    std::optional<ReportPages> reportPages;
    if (admin) {
      reportPages.emplace(context, admin->headerTable(), !config.adminTlsCertificate.empty());
      admin->setPages(*reportPages);
    }

    std::error_code ignored;
    std::filesystem::remove(paths.controlSocket(), ignored);  // stale: nothing answered on it
    auto controlAddress = io.provider->getNetwork()
                              .parseAddress(kj::str("unix:", paths.controlSocket().c_str()))
                              .wait(io.waitScope);
    // Only the node's own OS user may open the control socket; tokens then set the role.
    mode_t previous = umask(0177);  // the socket file gets mode 0600
    auto controlListener = controlAddress->listen();
    umask(previous);

    auto controlBootstrap = capnp::Capability::Client(makeControlService(context));
    capnp::TwoPartyServer controlServer(controlBootstrap);
    auto servingControl = controlServer.listen(*controlListener);
    auto servingPartners = transport.serve(
        *partnerListener,
        [&context, &refusals](protocol::Incoming& incoming) -> kj::Maybe<protocol::Admission> {
          std::optional<storage::PeerEntry> peer;
          {
            storage::Transaction txn(context.store, storage::Transaction::Mode::READ);
            peer = storage::PeerStore::findByKey(txn, incoming.stream.peerKey());
          }
          std::string fingerprint = crypto::fingerprintOf(incoming.stream.peerKey());
          auto refuse = [&](const std::string& who, const std::string& reason) -> kj::Maybe<protocol::Admission> {
            refusals.refused(who, incoming.remote, reason, {{"fingerprint", fingerprint}});
            return nullptr;
          };
          if (incoming.channel == protocol::Channel::SESSION) {
            if (!peer) return refuse("unknown", "unknown identity: not a paired peer");
            if (peer->revoked) return refuse(peer->name, "revoked peer");
          } else if (peer) {
            return refuse(peer->name, "already paired: a pairing connection is for new peers only");
          }
          std::string name = peer ? peer->name : "pairing";
          auto* stream = &incoming.stream;
          auto registration = context.connections.add(name, [stream] { stream->abort(); });
          return protocol::Admission{
              capnp::Capability::Client(makePartnerService(context, incoming.remote, peer,
                                                           incoming.stream.peerKey(), incoming.channel)),
              kj::mv(registration)};
        },
        [&refusals](const std::string& remote, const std::string& reason) {
          refusals.refused("unknown", remote, reason);
        });
    // Repeated refusals are recorded as counts once their minute is over.
    kj::Function<kj::Promise<void>()> flushRefusals = [&]() -> kj::Promise<void> {
      return io.provider->getTimer().afterDelay(10 * kj::SECONDS).then([&]() {
        refusals.flush();
        return flushRefusals();
      });
    };
    auto flushingRefusals = flushRefusals().eagerlyEvaluate(nullptr);

    gate.record("node.start", "system", "ok",
               {{"node", config.name},
                {"listen", config.listen},
                {"partner_port", std::to_string(partnerListener->getPort())},
                {"control", paths.controlSocket().string()},
                {"admin", config.adminListen.empty() ? "off" : config.adminListen}});
    std::printf("node %s ready: partners on %s, control on %s\n", config.name.c_str(), config.listen.c_str(),
                paths.controlSocket().c_str());
    std::fflush(stdout);
    // Both listeners are bound, so a connection made from now on waits in the backlog
    // until the loop below accepts it: partners and `entente node status` can connect.
    // Under systemd (Type=notify) this is what ends `systemctl start`.
    auto tellServiceManager = [](const std::string& state) {
      if (auto failure = notifyServiceManager(state)) std::fprintf(stderr, "entente: %s\n", failure->c_str());
    };
    tellServiceManager("READY=1\nSTATUS=serving partners on " + config.listen);

    auto& port = io.unixEventPort;
    auto signalled = port.onSignal(SIGINT)
                         .exclusiveJoin(port.onSignal(SIGTERM))
                         .then([](siginfo_t info) { return std::string(strsignal(info.si_signo)); });
    auto requested = stop.promise.then([] { return std::string("stop requested"); });
    auto failed = servingPartners.exclusiveJoin(kj::mv(servingControl)).exclusiveJoin(kj::mv(servingAdmin)).then([] {
      return std::string("a listener closed");
    });
    std::string reason = signalled.exclusiveJoin(kj::mv(requested)).exclusiveJoin(kj::mv(failed)).wait(io.waitScope);
    tellServiceManager("STOPPING=1\nSTATUS=stopping: " + reason);
    std::filesystem::remove(paths.controlSocket(), ignored);
    refusals.flush(true);
    gate.recordNoThrow("node.stop", "system", "ok", {{"node", config.name}, {"reason", reason}});
    // Sign the head at shutdown, so that no entry of this run is left uncovered.
    audit.checkpoint();
    return 0;
  } catch (const kj::Exception& e) {
    return cannotRun(userMessage(e));
  } catch (const std::exception& e) {
    return cannotRun(e.what());
  }
}

}  // namespace entente::node
