#include "node/control/control-service.h"

#include "crypto/batch-pool.h"
#include "crypto/credential.h"
#include "crypto/group.h"
#include "crypto/wipe.h"
#include "node/consent/consent-service.h"
#include "node/control/audit-endpoints.h"
#include "node/control/history-endpoints.h"
#include "node/control/import-session.h"
#include "node/control/local-tokens.h"
#include "node/control/query-endpoints.h"
#include "node/control/report-endpoints.h"
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
    s.setMainBatchCpuSeconds(crypto::callerBatchCpuSeconds());
    s.setGroupOperationCpuSeconds(crypto::groupOperationCpuSeconds());
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
    userFacing([&] { node::beginImport(context_, actor_, context); });
    return kj::READY_NOW;
  }

  kj::Promise<void> beginHistoryImport(BeginHistoryImportContext context) override {
    require("import history", {Role::ADMIN});
    userFacing([&] { node::beginHistoryImport(context_, actor_, context); });
    return kj::READY_NOW;
  }

  kj::Promise<void> customerHistory(CustomerHistoryContext context) override {
    require("read a customer's history", {Role::ADMIN, Role::COMPLIANCE});
    userFacing([&] { node::customerHistory(context_, actor_, context); });
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
    // When the command line goes away, the match is cancelled on both nodes instead of
    // running to its end for nobody: dropping the call ends the session's connection.
    context.allowCancellation();
    return requestMatch(context_, actor_, context);
  }

  kj::Promise<void> createToken(CreateTokenContext context) override {
    require("create tokens", {Role::ADMIN});
    std::string name = context.getParams().getName();
    std::string role = context.getParams().getRole();
    context_.gate.change("token.create", actor_, {{"name", name}, {"role", role}},
                         [&](storage::Transaction& txn, Details&) {
                           if (!isRole(role)) failWith("role must be admin, marketer or compliance");
                           if (name.empty() || name.size() > 64) {
                             failWith("a token needs a name of 1-64 characters (who will use it)");
                           }
                           context.getResults().setToken(issueToken(txn, name, role));
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
    context_.gate.change("token.revoke", actor_, {{"name", name}}, [&](storage::Transaction& txn, Details& d) {
      size_t n = storage::TokenStore::revokeByName(txn, name);
      if (n == 0) failWith("no active token named '" + name + "'; `entente token list` shows them");
      d.emplace_back("revoked", std::to_string(n));
      context.getResults().setRevoked(static_cast<uint32_t>(n));
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
    node::auditVerify(context_, actor_, context);
    return kj::READY_NOW;
  }

  kj::Promise<void> report(ReportContext context) override {
    require("read compliance reports", {Role::ADMIN, Role::COMPLIANCE});
    serveReport(context_, actor_, context);
    return kj::READY_NOW;
  }

  kj::Promise<void> showCustomer(ShowCustomerContext context) override {
    require("read a customer's record", {Role::ADMIN, Role::COMPLIANCE});
    serveCustomer(context_, actor_, context);
    return kj::READY_NOW;
  }

  kj::Promise<void> consentReceipt(ConsentReceiptContext context) override {
    require("read consent receipts", {Role::ADMIN, Role::COMPLIANCE});
    serveConsentReceipt(context_, actor_, context);
    return kj::READY_NOW;
  }

  kj::Promise<void> saveQuery(SaveQueryContext context) override {
    require("save match queries", {Role::ADMIN, Role::MARKETER});
    node::saveQuery(context_, actor_, context);
    return kj::READY_NOW;
  }

  kj::Promise<void> listQueries(ListQueriesContext context) override {
    require("list saved queries", {Role::ADMIN, Role::MARKETER, Role::COMPLIANCE});
    node::listQueries(context_, context);
    return kj::READY_NOW;
  }

  kj::Promise<void> getQuery(GetQueryContext context) override {
    require("run saved queries", {Role::ADMIN, Role::MARKETER});
    node::getQuery(context_, context);
    return kj::READY_NOW;
  }

  kj::Promise<void> queryHistory(QueryHistoryContext context) override {
    require("read saved queries' history", {Role::ADMIN, Role::MARKETER, Role::COMPLIANCE});
    node::queryHistory(context_, context);
    return kj::READY_NOW;
  }

  kj::Promise<void> removeQuery(RemoveQueryContext context) override {
    require("remove saved queries", {Role::ADMIN, Role::MARKETER});
    node::removeQuery(context_, actor_, context);
    return kj::READY_NOW;
  }

  kj::Promise<void> auditExport(AuditExportContext context) override {
    require("export the audit log", {Role::ADMIN, Role::COMPLIANCE});
    return node::auditExport(context_, actor_, context);
  }

  kj::Promise<void> stop(StopContext context) override {
    require("stop the node", {Role::ADMIN});
    userFacing([&] { context_.gate.record("node.stop", actor_, "requested"); });
    // Answer first, then stop on a later turn so that the reply goes out.
    auto& fulfiller = context_.stopRequested;
    return kj::evalLater([&fulfiller] { fulfiller->fulfill(); });
  }

 private:
  void require(const char* what, std::initializer_list<Role> allowed) {
    if (std::find(allowed.begin(), allowed.end(), role_) != allowed.end()) return;
    context_.gate.recordNoThrow("access.denied", actor_, "refused", {{"wanted", what}});
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
    crypto::wipe(token);
    if (!entry || entry->revoked) {
      context_.gate.recordNoThrow("access.login", "unknown", "refused",
                                  {{"reason", entry ? "revoked token" : "unknown token"}});
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
