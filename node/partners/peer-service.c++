#include "node/partners/peer-service.h"

#include "crypto/credential.h"
#include "node/partners/connection-registry.h"
#include "node/partners/daily-budget.h"
#include "node/partners/invitation.h"
#include "node/partners/refusal-log.h"
#include "storage/credential-store.h"
#include "storage/privacy-budget.h"

#include <fmt/core.h>

#include <algorithm>
#include <ctime>

namespace entente::node {
namespace control = protocol::control;
namespace {

constexpr uint32_t kMaxInvitationHours = 24 * 30;

storage::Bytes hashBytes(const crypto::SecretHash& hash) { return {hash.data(), hash.size()}; }

std::vector<std::string> textList(capnp::List<capnp::Text>::Reader list) {
  std::vector<std::string> out;
  for (auto t : list) out.emplace_back(t.cStr());
  return out;
}

void checkPurposes(const NodeConfig& config, const std::vector<std::string>& purposes) {
  if (purposes.empty()) failWith("name at least one purpose, e.g. --purposes overlap-analysis,cross-selling");
  for (auto& p : purposes) {
    if (!config.knowsPurpose(p)) failWith("unknown purpose '" + p + "'; known purposes: " + config.purposeNames());
  }
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (auto& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

void fillPeer(NodeContext& context, const storage::PeerEntry& peer, const storage::DailyUsage& today,
              control::PeerInfo::Builder out, const std::vector<storage::BudgetUse>* budget = nullptr) {
  out.setName(peer.name);
  out.setAddress(peer.address);
  out.setAddedAtUnix(peer.addedAtUnix);
  out.setFingerprint(crypto::fingerprintOf(peer.publicKey));
  out.setRevoked(peer.revoked);
  out.setRevokedAtUnix(peer.revokedAtUnix);
  out.setSafetyNumber(crypto::safetyNumber(context.identity.publicKey(), peer.publicKey));
  auto p = out.initPolicy();
  auto purposes = p.initPurposes(static_cast<unsigned>(peer.policy.purposes.size()));
  for (unsigned i = 0; i < peer.policy.purposes.size(); ++i) purposes.set(i, peer.policy.purposes[i]);
  auto modes = p.initModes(static_cast<unsigned>(peer.policy.modes.size()));
  for (unsigned i = 0; i < peer.policy.modes.size(); ++i) modes.set(i, peer.policy.modes[i]);
  p.setMinQueryCustomers(peer.policy.minQueryCustomers);
  p.setMaxQueryCustomers(peer.policy.maxQueryCustomers);
  p.setSessionsPerDay(peer.policy.sessionsPerDay);
  p.setCustomersPerDay(peer.policy.customersPerDay);
  p.setMinReportableOverlap(peer.policy.minReportableOverlap);
  auto attributes = p.initOfferedAttributes(static_cast<unsigned>(peer.policy.offeredAttributes.size()));
  for (unsigned i = 0; i < peer.policy.offeredAttributes.size(); ++i) attributes.set(i, peer.policy.offeredAttributes[i]);
  p.setRequireNoise(peer.policy.requireNoise);
  p.setMonthlyEpsilon(peer.policy.monthlyEpsilon);
  auto offered = out.initOfferedPurposes(static_cast<unsigned>(peer.offeredPurposes.size()));
  for (unsigned i = 0; i < peer.offeredPurposes.size(); ++i) offered.set(i, peer.offeredPurposes[i]);
  using Inviter = storage::PeerEntry::Inviter;
  out.setOfferedBy(peer.invitedBy == Inviter::THIS_NODE ? control::PeerInfo::Offerer::US
                   : peer.invitedBy == Inviter::PARTNER ? control::PeerInfo::Offerer::PARTNER
                                                        : control::PeerInfo::Offerer::UNKNOWN);
  out.setSessionsToday(today.sessions);
  out.setCustomersToday(today.customers);
  if (budget != nullptr) {
    auto list = out.initBudget(static_cast<unsigned>(budget->size()));
    for (unsigned i = 0; i < budget->size(); ++i) {
      list[i].setPurpose((*budget)[i].purpose);
      list[i].setMonth((*budget)[i].month);
      list[i].setSpent((*budget)[i].spent);
      list[i].setQueries((*budget)[i].queries);
    }
  }
}

storage::PeerEntry requirePeer(const storage::Transaction& txn, const std::string& name) {
  auto peer = storage::PeerStore::find(txn, name);
  if (!peer) failWith("no peer named '" + name + "'; `entente peer list` shows the known peers");
  return *peer;
}

}  // namespace

void invitePeer(NodeContext& context, const std::string& actor, InvitePeerCall call) {
  auto purposes = textList(call.getParams().getPurposes());
  uint32_t hours = call.getParams().getValidHours();
  context.gate.change("peer.invite", actor, {{"purposes", join(purposes)}, {"valid_hours", std::to_string(hours)}},
                      [&](storage::Transaction& txn, Details&) {
                        checkPurposes(context.config, purposes);
                        if (hours == 0 || hours > kMaxInvitationHours) {
                          failWith("an invitation is valid for 1 to 720 hours");
                        }
                        Invitation invitation;
                        invitation.nodeName = context.config.name;
                        invitation.address = context.config.listen;
                        invitation.publicKey = context.identity.publicKey();
                        invitation.purposes = purposes;
                        invitation.expiresAtUnix = context.clock() + int64_t{hours} * 3600;
                        invitation.secret = crypto::newSecret("pair_");
                        storage::InvitationStore::put(txn, hashBytes(crypto::hashSecret(invitation.secret)),
                                                      {purposes, context.clock(), invitation.expiresAtUnix, ""});
                        call.getResults().setInvitation(encodeInvitation(invitation, context.identity));
                      });
}

kj::Promise<void> acceptPeer(NodeContext& context, const std::string& actor, AcceptPeerCall call) {
  auto details = std::make_shared<Details>();
  Invitation invitation;
  std::string name;
  try {
    try {
      invitation = decodeInvitation(call.getParams().getInvitation().cStr(), context.clock());
    } catch (const InvitationError& e) {
      failWith(e.what());
    }
    name = call.getParams().getName().size() > 0 ? std::string(call.getParams().getName()) : invitation.nodeName;
    details->emplace_back("peer", name);
    details->emplace_back("fingerprint", crypto::fingerprintOf(invitation.publicKey));
    details->emplace_back("purposes", join(invitation.purposes));
    if (!isValidName(name)) failWith("peer name must be 1-64 characters of letters, digits, '.', '_' or '-'");
    if (invitation.publicKey == context.identity.publicKey()) failWith("this is this node's own invitation");
    storage::Transaction txn(context.store, storage::Transaction::Mode::READ);
    if (auto existing = storage::PeerStore::find(txn, name)) {
      failWith(existing->publicKey == invitation.publicKey
                   ? "node '" + name + "' is already paired with this node"
                   : "a different peer is already named '" + name + "'; choose another with --name");
    }
  } catch (kj::Exception& e) {
    details->emplace_back("error", userMessage(e));
    context.gate.recordNoThrow("peer.accept", actor, "failed", *details);
    return kj::mv(e);
  }
  // Set once the gate has recorded the outcome, so that a failure it recorded is not
  // recorded twice by the handler below.
  auto recorded = std::make_shared<bool>(false);
  // Set once the inviting node is reached with the key the invitation names: a failure
  // after that is its refusal, which says itself what to do (ask for a new invitation,
  // remove an old peer); before it, trying again once the node is reachable is the
  // advice.
  auto reached = std::make_shared<bool>(false);
  return context.transport.connect(invitation.address, invitation.publicKey, protocol::Channel::PAIRING)
      .then([&context, invitation, name, reached](kj::Own<protocol::TlsStream> stream) {
        *reached = true;
        auto connection = kj::heap<protocol::RpcConnection>(kj::mv(stream));
        auto request = connection->bootstrap().castAs<protocol::wire::Partner>().completePairingRequest();
        request.setSecret(invitation.secret);
        request.setNodeName(context.config.name);
        request.setAddress(context.config.listen);
        return request.send().then([](auto) {}).attach(kj::mv(connection));
      })
      .then([&context, actor, invitation, name, details, call, recorded]() mutable {
        storage::PeerEntry peer;
        peer.name = name;
        peer.address = invitation.address;
        peer.addedAtUnix = context.clock();
        peer.publicKey = invitation.publicKey;
        peer.policy.purposes = invitation.purposes;
        peer.offeredPurposes = invitation.purposes;
        peer.invitedBy = storage::PeerEntry::Inviter::PARTNER;
        *recorded = true;
        context.gate.change("peer.accept", actor, *details,
                            [&](storage::Transaction& txn, Details&) { storage::PeerStore::put(txn, peer); });
        fillPeer(context, peer, {}, call.getResults().initPeer());
      })
      .catch_([&context, actor, details, recorded, reached](kj::Exception&& e) -> kj::Promise<void> {
        std::string message = userMessage(e);
        details->emplace_back("error", message);
        if (!*recorded) context.gate.recordNoThrow("peer.accept", actor, "failed", *details);
        return kj::Exception(kj::Exception::Type::FAILED, __FILE__, __LINE__,
                             kj::heapString("pairing did not complete: " + message + "; nothing was stored" +
                                            (*reached ? "" : "; retry once the inviting node is reachable")));
      });
}

std::string completePairing(NodeContext& context, const std::string& remote, const crypto::PublicKey& peerKey,
                            const std::string& secret, const std::string& nodeName, const std::string& address) {
  auto hash = crypto::hashSecret(secret);
  // Checked before anything is recorded: whoever reaches the port may try pairing with
  // made-up secrets and names. Such refusals are counted per source (RefusalLog), not
  // written one by one, and the caller's words (its name, its address) are not kept.
  std::optional<std::string> refusal;
  {
    storage::Transaction txn(context.store, storage::Transaction::Mode::READ);
    auto invitation = storage::InvitationStore::find(txn, hashBytes(hash));
    if (!invitation) {
      refusal = "this invitation is unknown to node '" + context.config.name + "'; ask for a new one";
    } else if (!invitation->usedBy.empty()) {
      refusal = "this invitation was already used; ask for a new one";
    } else if (invitation->expiresAtUnix <= context.clock()) {
      refusal = "this invitation has expired; ask for a new one";
    } else if (!isValidName(nodeName)) {
      refusal = "the accepting node's name is not valid";
    } else if (!isHostPort(address)) {
      refusal = "the accepting node's address must be HOST:PORT";
    }
  }
  if (refusal) {
    context.refusals.refused("unknown", remote, "pairing refused: " + *refusal,
                             {{"fingerprint", crypto::fingerprintOf(peerKey)}});
    failWith(*refusal);
  }
  // A valid, unused invitation: from here on the caller holds its secret.
  Details details = {{"remote", remote}, {"peer", nodeName}, {"fingerprint", crypto::fingerprintOf(peerKey)}};
  return context.gate.change("peer.pair", nodeName, details, [&](storage::Transaction& txn, Details&) {
    auto invitation = storage::InvitationStore::find(txn, hashBytes(hash));
    if (!invitation || !invitation->usedBy.empty()) failWith("this invitation was already used; ask for a new one");
    if (auto existing = storage::PeerStore::find(txn, nodeName)) {
      failWith("node '" + context.config.name + "' already has a peer named '" + nodeName +
               "'; its administrator must remove it first");
    }
    storage::PeerEntry peer;
    peer.name = nodeName;
    peer.address = address;
    peer.addedAtUnix = context.clock();
    peer.publicKey = peerKey;
    peer.policy.purposes = invitation->purposes;
    peer.offeredPurposes = invitation->purposes;
    peer.invitedBy = storage::PeerEntry::Inviter::THIS_NODE;
    storage::PeerStore::put(txn, peer);
    invitation->usedBy = nodeName;
    storage::InvitationStore::put(txn, hashBytes(hash), *invitation);
    return std::string(context.config.name);
  });
}

void listPeers(NodeContext& context, ListPeersCall call) {
  storage::Transaction txn(context.store, storage::Transaction::Mode::READ);
  auto peers = storage::PeerStore::list(txn);
  auto list = call.getResults().initPeers(static_cast<unsigned>(peers.size()));
  int64_t now = context.clock();
  for (unsigned i = 0; i < peers.size(); ++i) {
    fillPeer(context, peers[i], DailyBudget::usedOn(txn, peers[i].name, now), list[i]);
  }
}

void showPeer(NodeContext& context, ShowPeerCall call) {
  storage::Transaction txn(context.store, storage::Transaction::Mode::READ);
  auto peer = requirePeer(txn, call.getParams().getName());
  auto budget = storage::PrivacyBudget::month(txn, peer.name, storage::utcMonth(context.clock()));
  fillPeer(context, peer, DailyBudget::usedOn(txn, peer.name, context.clock()), call.getResults().initPeer(), &budget);
}

void setPolicy(NodeContext& context, const std::string& actor, SetPolicyCall call) {
  std::string name = call.getParams().getName();
  auto change = call.getParams().getChange();
  Details details = {{"peer", name}};
  context.gate.change("peer.policy", actor, details, [&](storage::Transaction& txn, Details& d) {
    auto peer = requirePeer(txn, name);
    auto& p = peer.policy;
    if (change.getHasPurposes()) {
      p.purposes = textList(change.getPurposes());
      // An empty list is allowed: the partner may then ask for nothing.
      if (!p.purposes.empty()) checkPurposes(context.config, p.purposes);
      d.emplace_back("purposes", join(p.purposes));
    }
    if (change.getHasModes()) {
      p.modes = textList(change.getModes());
      for (auto& m : p.modes) {
        if (m != "count" && m != "ids" && m != "enrich") {
          failWith("unknown mode '" + m + "'; modes are count, ids and enrich");
        }
      }
      d.emplace_back("modes", join(p.modes));
    }
    if (change.getHasOfferedAttributes()) {
      p.offeredAttributes = textList(change.getOfferedAttributes());
      for (auto& a : p.offeredAttributes) {
        if (std::find(context.config.specialCategoryAttributes.begin(), context.config.specialCategoryAttributes.end(),
                      a) != context.config.specialCategoryAttributes.end()) {
          failWith("'" + a + "' is special-category data (node.toml special_category_attributes): it is never "
                   "offered to a partner");
        }
        if (a.empty() || a.size() > 64 || a.find(':') != std::string::npos) {
          failWith("'" + a + "' is not an attribute name; offer attribute columns such as segment,income_band");
        }
      }
      if (p.offeredAttributes.size() > 16) failWith("offer at most 16 attributes");
      // Offering attributes is allowing enrich mode; offering none withdraws it.
      auto enrich = std::find(p.modes.begin(), p.modes.end(), "enrich");
      if (!p.offeredAttributes.empty() && enrich == p.modes.end()) p.modes.push_back("enrich");
      if (p.offeredAttributes.empty() && enrich != p.modes.end()) p.modes.erase(enrich);
      d.emplace_back("offered_attributes", join(p.offeredAttributes));
    }
    if (change.getHasRequireNoise()) p.requireNoise = change.getRequireNoise();
    if (change.getHasMonthlyEpsilon()) {
      if (change.getMonthlyEpsilon() < 0 || change.getMonthlyEpsilon() > 100) {
        failWith("--monthly-epsilon takes a budget from 0 (no noisy queries) to 100");
      }
      p.monthlyEpsilon = change.getMonthlyEpsilon();
    }
    if (change.getHasMinQuery()) p.minQueryCustomers = change.getMinQueryCustomers();
    if (change.getHasMaxQuery()) p.maxQueryCustomers = change.getMaxQueryCustomers();
    if (change.getHasSessionsPerDay()) p.sessionsPerDay = change.getSessionsPerDay();
    if (change.getHasCustomersPerDay()) p.customersPerDay = change.getCustomersPerDay();
    if (change.getHasMinOverlap()) p.minReportableOverlap = change.getMinReportableOverlap();
    if (p.minQueryCustomers > p.maxQueryCustomers) {
      failWith("the minimum query size is above the maximum; change one of them");
    }
    d.emplace_back("min_query", std::to_string(p.minQueryCustomers));
    d.emplace_back("max_query", std::to_string(p.maxQueryCustomers));
    d.emplace_back("sessions_per_day", std::to_string(p.sessionsPerDay));
    d.emplace_back("customers_per_day", std::to_string(p.customersPerDay));
    d.emplace_back("min_overlap", std::to_string(p.minReportableOverlap));
    d.emplace_back("require_noise", p.requireNoise ? "yes" : "no");
    d.emplace_back("monthly_epsilon", fmt::format("{:.3g}", p.monthlyEpsilon));
    storage::PeerStore::put(txn, peer);
    auto today = DailyBudget::usedOn(txn, name, context.clock());
    fillPeer(context, peer, today, call.getResults().initPeer());
  });
}

void revokePeer(NodeContext& context, const std::string& actor, RevokePeerCall call) {
  std::string name = call.getParams().getName();
  context.gate.change("peer.revoke", actor, {{"peer", name}}, [&](storage::Transaction& txn, Details& d) {
    auto peer = requirePeer(txn, name);
    if (!peer.revoked) {
      peer.revoked = true;
      peer.revokedAtUnix = context.clock();
      storage::PeerStore::put(txn, peer);
    }
    // Revocation also ends what is open: a session under way stops now (before the
    // commit is harmless: the revocation is what was asked for either way).
    size_t closed = context.connections.abortAll(name);
    d.emplace_back("closed_connections", std::to_string(closed));
    call.getResults().setClosedConnections(static_cast<uint32_t>(closed));
  });
}

void removePeer(NodeContext& context, const std::string& actor, RemovePeerCall call) {
  std::string name = call.getParams().getName();
  context.gate.change("peer.remove", actor, {{"peer", name}}, [&](storage::Transaction& txn, Details& d) {
    if (!storage::PeerStore::remove(txn, name)) {
      failWith("no peer named '" + name + "'; `entente peer list` shows the known peers");
    }
    d.emplace_back("closed_connections", std::to_string(context.connections.abortAll(name)));
  });
}

}  // namespace entente::node
