#include "node/control/control-service.h"

#include "crypto/credential.h"
#include "node/consent/consent-service.h"
#include "node/import/customer-import.h"
#include "node/control/local-tokens.h"
#include "node/match/session-receipt.h"
#include "node/match/match-request.h"
#include "node/partners/peer-service.h"
#include "storage/credential-store.h"
#include "storage/customer-store.h"
#include "storage/peer-store.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <optional>

namespace entente::node {
namespace control = protocol::control;
namespace {

void setCounts(control::ImportCounts::Builder out, const ImportTotals& totals) {
  out.setInserted(totals.inserted);
  out.setUpdated(totals.updated);
  out.setUnchanged(totals.unchanged);
  out.setRejected(totals.rejected);
  out.setSharedIdentifiers(totals.sharedIdentifiers);
  out.setConsentChanges(totals.consentChanges);
}

Details countDetails(const ImportTotals& t) {
  return {{"inserted", std::to_string(t.inserted)},
          {"updated", std::to_string(t.updated)},
          {"unchanged", std::to_string(t.unchanged)},
          {"rejected", std::to_string(t.rejected)}};
}

class ImportService final : public control::CustomerImport::Server {
 public:
  ImportService(NodeContext& context, std::string actor, std::string source, bool consentOnly)
      : context_(context),
        actor_(std::move(actor)),
        source_(std::move(source)),
        action_(consentOnly ? "consent.import" : "import"),
        import_(context.store, context.config, (consentOnly ? "consent-import " : "import ") + source_, consentOnly) {}
  ~ImportService() noexcept(false) {
    if (!finished_) {
      auto details = countDetails(totals_);
      details.insert(details.begin(), {"source", source_});
      context_.log.record(action_, actor_, "interrupted", details);
    }
  }

 protected:
  kj::Promise<void> rows(RowsContext context) override {
    std::vector<RowRejection> rejections;
    auto batch = userFacing([&] { return import_.storeBatch(context.getParams().getRows(), rejections); });
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
    details.emplace_back("consent_changes", std::to_string(totals_.consentChanges));
    context_.log.record(action_, actor_, "ok", details);
    setCounts(context.getResults().initTotal(), totals_);
    return kj::READY_NOW;
  }

 private:
  NodeContext& context_;
  std::string actor_;
  std::string source_;
  std::string action_;
  CustomerImport import_;
  ImportTotals totals_;
  bool finished_ = false;
};

enum class Role { ADMIN, MARKETER, COMPLIANCE };

std::optional<Role> parseRole(std::string_view name) {
  if (name == "admin") return Role::ADMIN;
  if (name == "marketer") return Role::MARKETER;
  if (name == "compliance") return Role::COMPLIANCE;
  return std::nullopt;
}

storage::Bytes hashBytes(const crypto::SecretHash& hash) { return {hash.data(), hash.size()}; }

// One logged-in client: every method checks the token's role first, and every
// action is attributed to the token's name.
class ControlSessionService final : public control::ControlSession::Server {
 public:
  ControlSessionService(NodeContext& context, std::string actor, Role role)
      : context_(context), actor_(std::move(actor)), role_(role) {}

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

  kj::Promise<void> identity(IdentityContext context) override {
    auto id = context.getResults().initIdentity();
    id.setName(context_.config.name);
    id.setFingerprint(context_.identity.fingerprint());
    const auto& key = context_.identity.publicKey();
    id.setPublicKey(capnp::Data::Reader(key.data(), key.size()));
    id.setKeySealed(!context_.config.insecurePlaintextKey);
    return kj::READY_NOW;
  }

  kj::Promise<void> beginImport(BeginImportContext context) override {
    require("import customers", {Role::ADMIN});
    std::string source = context.getParams().getSource();
    bool consentOnly = context.getParams().getConsentOnly();
    context_.log.record(consentOnly ? "consent.import" : "import", actor_, "started", {{"source", source}});
    context.getResults().setImport(kj::heap<ImportService>(context_, actor_, source, consentOnly));
    return kj::READY_NOW;
  }

  kj::Promise<void> invitePeer(InvitePeerContext context) override {
    require("invite partners", {Role::ADMIN});
    node::invitePeer(context_, actor_, context);
    return kj::READY_NOW;
  }

  kj::Promise<void> acceptPeer(AcceptPeerContext context) override {
    require("pair with partners", {Role::ADMIN});
    return node::acceptPeer(context_, actor_, context);
  }

  kj::Promise<void> listPeers(ListPeersContext context) override {
    node::listPeers(context_, context);
    return kj::READY_NOW;
  }

  kj::Promise<void> showPeer(ShowPeerContext context) override {
    node::showPeer(context_, context);
    return kj::READY_NOW;
  }

  kj::Promise<void> setPolicy(SetPolicyContext context) override {
    require("change a partner's policy", {Role::ADMIN});
    node::setPolicy(context_, actor_, context);
    return kj::READY_NOW;
  }

  kj::Promise<void> revokePeer(RevokePeerContext context) override {
    require("revoke partners", {Role::ADMIN});
    node::revokePeer(context_, actor_, context);
    return kj::READY_NOW;
  }

  kj::Promise<void> removePeer(RemovePeerContext context) override {
    require("remove partners", {Role::ADMIN});
    node::removePeer(context_, actor_, context);
    return kj::READY_NOW;
  }

  kj::Promise<void> match(MatchContext context) override {
    require("run matches", {Role::ADMIN, Role::MARKETER});
    return requestMatch(context_, actor_, context);
  }

  kj::Promise<void> createToken(CreateTokenContext context) override {
    require("create tokens", {Role::ADMIN});
    std::string name = context.getParams().getName();
    std::string role = context.getParams().getRole();
    context_.log.perform("token.create", actor_, {{"name", name}, {"role", role}}, [&](Details&) {
      if (!isRole(role)) failWith("role must be admin, marketer or compliance");
      if (name.empty() || name.size() > 64) failWith("a token needs a name of 1-64 characters (who will use it)");
      storage::Transaction txn(context_.store, storage::Transaction::Mode::WRITE);
      auto secret = issueToken(txn, name, role);
      txn.commit();
      context.getResults().setToken(secret);
      return true;
    });
    return kj::READY_NOW;
  }

  kj::Promise<void> listTokens(ListTokensContext context) override {
    require("list tokens", {Role::ADMIN});
    storage::Transaction txn(context_.store, storage::Transaction::Mode::READ);
    auto tokens = storage::TokenStore::list(txn);
    auto list = context.getResults().initTokens(static_cast<unsigned>(tokens.size()));
    for (unsigned i = 0; i < tokens.size(); ++i) {
      list[i].setName(tokens[i].name);
      list[i].setRole(tokens[i].role);
      list[i].setCreatedAtUnix(tokens[i].createdAtUnix);
      list[i].setRevoked(tokens[i].revoked);
    }
    return kj::READY_NOW;
  }

  kj::Promise<void> revokeToken(RevokeTokenContext context) override {
    require("revoke tokens", {Role::ADMIN});
    std::string name = context.getParams().getName();
    context_.log.perform("token.revoke", actor_, {{"name", name}}, [&](Details& d) {
      storage::Transaction txn(context_.store, storage::Transaction::Mode::WRITE);
      size_t n = storage::TokenStore::revokeByName(txn, name);
      if (n == 0) failWith("no active token named '" + name + "'; `entente token list` shows them");
      txn.commit();
      d.emplace_back("revoked", std::to_string(n));
      context.getResults().setRevoked(static_cast<uint32_t>(n));
      return true;
    });
    return kj::READY_NOW;
  }

  kj::Promise<void> setConsent(SetConsentContext context) override {
    require("change consent", {Role::ADMIN});
    node::setConsent(context_, actor_, context);
    return kj::READY_NOW;
  }

  kj::Promise<void> showConsent(ShowConsentContext context) override {
    require("read consent", {Role::ADMIN, Role::COMPLIANCE});
    node::showConsent(context_, actor_, context);
    return kj::READY_NOW;
  }

  kj::Promise<void> consentReport(ConsentReportContext context) override {
    require("read consent reports", {Role::ADMIN, Role::COMPLIANCE});
    node::consentReport(context_, context);
    return kj::READY_NOW;
  }

  kj::Promise<void> eraseCustomer(EraseCustomerContext context) override {
    require("erase customers", {Role::ADMIN});
    node::eraseCustomer(context_, actor_, context);
    return kj::READY_NOW;
  }

  kj::Promise<void> auditVerify(AuditVerifyContext context) override {
    require("verify the audit log", {Role::ADMIN, Role::COMPLIANCE});
    auto report = context_.audit.verify();
    // Each partner receipt held here names a session this node's log must show: a
    // receipt without its entry means entries were removed after the last checkpoint.
    uint64_t receipts = 0, missing = 0;
    {
      std::vector<std::string> sessions;
      {
        storage::Transaction txn(context_.store, storage::Transaction::Mode::READ);
        sessions = receiptSessions(txn);
      }
      std::string exported;
      try {
        exported = context_.audit.exportJsonl();
      } catch (const std::exception&) {
        // A damaged entry is already reported by verify(); receipts cannot be checked.
        sessions.clear();
      }
      for (auto& session : sessions) {
        ++receipts;
        if (exported.find("\"session\":\"" + session + "\"") == std::string::npos) ++missing;
      }
    }
    if (missing > 0 && report.ok) {
      report.ok = false;
      report.reason = std::to_string(missing) + " partner receipt(s) name sessions that are missing from the audit "
                                                "log: its last entries were removed";
    }
    auto out = context.getResults().initReport();
    out.setReceipts(receipts);
    out.setReceiptsWithoutEntry(missing);
    out.setOk(report.ok);
    out.setEntries(report.entries);
    out.setCheckpoints(report.checkpoints);
    out.setUncoveredEntries(report.uncoveredEntries);
    out.setFirstBadEntry(report.firstBadEntry.value_or(0));
    out.setReason(report.reason);
    out.setFingerprint(context_.identity.fingerprint());
    context_.log.record("audit.verify", actor_, report.ok ? "ok" : "failed",
                        {{"entries", std::to_string(report.entries)},
                         {"first_bad_entry", std::to_string(report.firstBadEntry.value_or(0))}});
    return kj::READY_NOW;
  }

  kj::Promise<void> auditExport(AuditExportContext context) override {
    require("export the audit log", {Role::ADMIN, Role::COMPLIANCE});
    int64_t since = context.getParams().getSinceUnix();
    context_.log.record("audit.export", actor_, "ok", {{"since", std::to_string(since)}});
    auto text = std::make_shared<std::string>(context_.audit.exportJsonl(since));
    auto sink = context.getParams().getSink();
    return sendLines(kj::mv(sink), text, 0).then([context](uint64_t lines) mutable {
      context.getResults().setLines(lines);
    });
  }

  kj::Promise<void> stop(StopContext context) override {
    require("stop the node", {Role::ADMIN});
    context_.log.record("node.stop", actor_, "requested");
    // Answer first, then stop on a later turn so that the reply goes out.
    auto& fulfiller = context_.stopRequested;
    return kj::evalLater([&fulfiller] { fulfiller->fulfill(); });
  }

 private:
  // Streams the export a few hundred lines per message.
  static kj::Promise<uint64_t> sendLines(control::LineSink::Client sink, std::shared_ptr<std::string> text,
                                         size_t from, uint64_t sent = 0) {
    std::vector<std::string> lines;
    size_t at = from;
    while (at < text->size() && lines.size() < 500) {
      size_t end = text->find('\n', at);
      if (end == std::string::npos) end = text->size();
      lines.push_back(text->substr(at, end - at));
      at = end + 1;
    }
    if (lines.empty()) return sent;
    auto request = sink.linesRequest();
    auto list = request.initLines(static_cast<unsigned>(lines.size()));
    for (unsigned i = 0; i < lines.size(); ++i) list.set(i, lines[i]);
    uint64_t now = sent + lines.size();
    return request.send().then([sink, text, at, now]() mutable { return sendLines(kj::mv(sink), text, at, now); });
  }

  void require(const char* what, std::initializer_list<Role> allowed) {
    if (std::find(allowed.begin(), allowed.end(), role_) != allowed.end()) return;
    context_.log.record("access.denied", actor_, "refused", {{"wanted", what}});
    failWith(std::string("the token of '") + actor_ + "' may not " + what + "; ask an administrator");
  }

  NodeContext& context_;
  std::string actor_;
  Role role_;
};

class ControlService final : public control::Control::Server {
 public:
  explicit ControlService(NodeContext& context) : context_(context) {}

 protected:
  kj::Promise<void> login(LoginContext context) override {
    std::string token = context.getParams().getToken();
    std::optional<storage::TokenEntry> entry;
    {
      storage::Transaction txn(context_.store, storage::Transaction::Mode::READ);
      entry = storage::TokenStore::find(txn, hashBytes(crypto::hashSecret(token)));
    }
    std::fill(token.begin(), token.end(), '\0');
    if (!entry || entry->revoked) {
      context_.log.record("access.login", "unknown", "refused", {{"reason", entry ? "revoked token" : "unknown token"}});
      failWith(entry ? "this token was revoked; ask an administrator for a new one (`entente token create`)"
                     : "this token is not valid on this node; ask an administrator for one (`entente token create`)");
    }
    auto role = parseRole(entry->role);
    if (!role) failWith("this token has an unknown role; ask an administrator for a new one");
    context.getResults().setSession(kj::heap<ControlSessionService>(context_, entry->name, *role));
    context.getResults().setName(entry->name);
    context.getResults().setRole(entry->role);
    return kj::READY_NOW;
  }

 private:
  NodeContext& context_;
};

}  // namespace

kj::Own<control::Control::Server> makeControlService(NodeContext& context) {
  return kj::heap<ControlService>(context);
}

}  // namespace entente::node
