// entente peer invite | accept | list | show | policy | revoke | remove: pairing with
// partner nodes and bounding what each may ask.
#include "tools/commands.h"
#include "tools/control-client.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <ctime>
#include <optional>
#include <sstream>

namespace entente::tools {
namespace {

struct PeerOptions {
  std::string name, node, invitation, purposes = "overlap-analysis,cross-selling", modes;
  uint32_t validHours = 72;
  bool json = false;
  // policy changes; unset options stay as they are
  std::optional<uint64_t> minQuery, maxQuery, customersPerDay, minOverlap;
  std::optional<uint32_t> sessionsPerDay;
  std::string policyPurposes;
  std::optional<std::string> offer;
  std::optional<bool> requireNoise;
  std::optional<double> monthlyEpsilon;
};

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string joinList(capnp::List<capnp::Text>::Reader list) {
  std::string out;
  for (auto t : list) out += (out.empty() ? "" : ",") + std::string(t.cStr());
  return out.empty() ? "none" : out;
}

std::string date(int64_t unix) { return utcTime(unix); }

using Offerer = protocol::control::PeerInfo::Offerer;

// Who offered the purposes of the invitation that paired us: its issuer.
std::string offeredByName(Offerer offerer) {
  return offerer == Offerer::US ? "us" : offerer == Offerer::PARTNER ? "partner" : "unknown";
}

std::vector<std::string> texts(capnp::List<capnp::Text>::Reader list) {
  std::vector<std::string> out;
  for (auto t : list) out.emplace_back(t.cStr());
  return out;
}

nlohmann::ordered_json budgetJson(protocol::control::PeerInfo::Reader p) {
  auto out = nlohmann::ordered_json::array();
  for (auto b : p.getBudget()) {
    out.push_back({{"purpose", b.getPurpose().cStr()},
                   {"month", b.getMonth().cStr()},
                   {"spent", b.getSpent()},
                   {"left", std::max(0.0, p.getPolicy().getMonthlyEpsilon() - b.getSpent())},
                   {"queries", b.getQueries()}});
  }
  return out;
}

// One peer as `peer show --json` and each element of `peer list --json` print it; the
// field names are documented in docs/operations.md, "JSON output".
nlohmann::ordered_json peerJson(protocol::control::PeerInfo::Reader p) {
  auto policy = p.getPolicy();
  return {{"name", p.getName().cStr()},
          {"address", p.getAddress().cStr()},
          {"fingerprint", p.getFingerprint().cStr()},
          {"revoked", p.getRevoked()},
          {"addedAtUnix", p.getAddedAtUnix()},
          {"state", p.getRevoked() ? "revoked" : "active"},
          {"revokedAtUnix", p.getRevokedAtUnix()},
          {"safetyNumber", p.getSafetyNumber().cStr()},
          {"offeredPurposes", texts(p.getOfferedPurposes())},
          {"offeredBy", offeredByName(p.getOfferedBy())},
          {"policy",
           {{"purposes", texts(policy.getPurposes())},
            {"modes", texts(policy.getModes())},
            {"minQueryCustomers", policy.getMinQueryCustomers()},
            {"maxQueryCustomers", policy.getMaxQueryCustomers()},
            {"sessionsPerDay", policy.getSessionsPerDay()},
            {"customersPerDay", policy.getCustomersPerDay()},
            {"minReportableOverlap", policy.getMinReportableOverlap()},
            {"offeredAttributes", texts(policy.getOfferedAttributes())},
            {"requireNoise", policy.getRequireNoise()},
            {"monthlyEpsilon", policy.getMonthlyEpsilon()}}},
          {"sessionsToday", p.getSessionsToday()},
          {"customersToday", p.getCustomersToday()},
          {"budget", budgetJson(p)}};
}

void printPeer(protocol::control::PeerInfo::Reader p, bool json = false) {
  if (json) {
    fmt::print("{}\n", peerJson(p).dump());
    return;
  }
  auto policy = p.getPolicy();
  fmt::print("peer           {}{}\n", p.getName().cStr(),
             p.getRevoked() ? fmt::format("   REVOKED {}", date(p.getRevokedAtUnix())) : "");
  fmt::print("address        {}\n", p.getAddress().cStr());
  fmt::print("fingerprint    {}\n", p.getFingerprint().cStr());
  fmt::print("safety number  {}\n", p.getSafetyNumber().cStr());
  fmt::print("               (read it to the partner's administrator: `entente peer show` on their node\n"
             "                shows the same digits when neither identity was swapped)\n");
  fmt::print("paired         {}\n", date(p.getAddedAtUnix()));
  // The purposes of the invitation that paired us, offered by whoever issued it.
  const char* offered = p.getOfferedBy() == Offerer::US        ? "we offered   "
                        : p.getOfferedBy() == Offerer::PARTNER ? "they offered "
                                                               : "offered      ";
  fmt::print("{}  {}\n", offered, joinList(p.getOfferedPurposes()));
  fmt::print("policy (what it may ask of us, and what we show of its answers):\n");
  fmt::print("  purposes               {}\n", joinList(policy.getPurposes()));
  fmt::print("  modes                  {}\n", joinList(policy.getModes()));
  fmt::print("  query size             {} to {} customers\n", policy.getMinQueryCustomers(),
             policy.getMaxQueryCustomers());
  fmt::print("  per day                {} sessions, {} customers (today: {}, {})\n", policy.getSessionsPerDay(),
             policy.getCustomersPerDay(), p.getSessionsToday(), p.getCustomersToday());
  fmt::print("  min group size         {} (no count below it is shown, either way)\n",
             policy.getMinReportableOverlap());
  fmt::print("  offered attributes     {}{}\n", joinList(policy.getOfferedAttributes()),
             policy.getRequireNoise() ? " (breakdowns by them must be noisy)" : "");
  fmt::print("  privacy budget         {:.3g} epsilon per purpose and month\n", policy.getMonthlyEpsilon());
  for (auto b : p.getBudget()) {
    fmt::print("    {} {:<20} {:.3g} spent in {} noisy quer{}, {:.3g} left\n", b.getMonth().cStr(),
               b.getPurpose().cStr(), b.getSpent(), b.getQueries(), b.getQueries() == 1 ? "y" : "ies",
               std::max(0.0, policy.getMonthlyEpsilon() - b.getSpent()));
  }
}

void invite(const PeerOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto request = client.control().invitePeerRequest();
  auto purposes = splitList(o.purposes);
  auto list = request.initPurposes(static_cast<unsigned>(purposes.size()));
  for (unsigned i = 0; i < purposes.size(); ++i) list.set(i, purposes[i]);
  request.setValidHours(o.validHours);
  auto response = client.wait(request.send());  // owns the invitation's text
  auto invitation = response.getInvitation();
  fmt::print("{}\n", invitation.cStr());
  fmt::print(stderr,
             "invitation valid for {} hours and one use; send it to the partner's administrator over a channel you "
             "trust, who runs `entente peer accept INVITATION`; then compare `entente peer show` safety numbers by "
             "phone\n",
             o.validHours);
}

void accept(const PeerOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto request = client.control().acceptPeerRequest();
  request.setInvitation(o.invitation);
  request.setName(o.name);
  auto response = client.wait(request.send());
  fmt::print("paired with '{}'\n", response.getPeer().getName().cStr());
  printPeer(response.getPeer());
}

void list(const PeerOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto response = client.wait(client.control().listPeersRequest().send());
  auto peers = response.getPeers();
  if (o.json) {
    auto out = nlohmann::ordered_json::array();
    for (auto p : peers) out.push_back(peerJson(p));
    fmt::print("{}\n", out.dump());
    return;
  }
  if (peers.size() == 0) {
    fmt::print("no peers yet; pair with `entente peer invite` here and `entente peer accept` there\n");
    return;
  }
  fmt::print("{:<20} {:<24} {:<9} {}\n", "NAME", "ADDRESS", "STATE", "FINGERPRINT");
  for (auto p : peers) {
    fmt::print("{:<20} {:<24} {:<9} {}\n", p.getName().cStr(), p.getAddress().cStr(),
               p.getRevoked() ? "revoked" : "active", p.getFingerprint().cStr());
  }
}

void show(const PeerOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto request = client.control().showPeerRequest();
  request.setName(o.name);
  printPeer(client.wait(request.send()).getPeer(), o.json);
}

void policy(const PeerOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto request = client.control().setPolicyRequest();
  request.setName(o.name);
  auto change = request.initChange();
  if (!o.policyPurposes.empty()) {
    auto purposes = splitList(o.policyPurposes == "none" ? "" : o.policyPurposes);
    change.setHasPurposes(true);
    auto list = change.initPurposes(static_cast<unsigned>(purposes.size()));
    for (unsigned i = 0; i < purposes.size(); ++i) list.set(i, purposes[i]);
  }
  if (!o.modes.empty()) {
    auto modes = splitList(o.modes == "none" ? "" : o.modes);
    change.setHasModes(true);
    auto list = change.initModes(static_cast<unsigned>(modes.size()));
    for (unsigned i = 0; i < modes.size(); ++i) list.set(i, modes[i]);
  }
  if (o.minQuery) change.setHasMinQuery(true), change.setMinQueryCustomers(*o.minQuery);
  if (o.maxQuery) change.setHasMaxQuery(true), change.setMaxQueryCustomers(*o.maxQuery);
  if (o.sessionsPerDay) change.setHasSessionsPerDay(true), change.setSessionsPerDay(*o.sessionsPerDay);
  if (o.customersPerDay) change.setHasCustomersPerDay(true), change.setCustomersPerDay(*o.customersPerDay);
  if (o.minOverlap) change.setHasMinOverlap(true), change.setMinReportableOverlap(*o.minOverlap);
  if (o.offer) {
    auto attributes = splitList(*o.offer == "none" ? "" : *o.offer);
    change.setHasOfferedAttributes(true);
    auto list = change.initOfferedAttributes(static_cast<unsigned>(attributes.size()));
    for (unsigned i = 0; i < attributes.size(); ++i) list.set(i, attributes[i]);
  }
  if (o.requireNoise) change.setHasRequireNoise(true), change.setRequireNoise(*o.requireNoise);
  if (o.monthlyEpsilon) change.setHasMonthlyEpsilon(true), change.setMonthlyEpsilon(*o.monthlyEpsilon);
  printPeer(client.wait(request.send()).getPeer());
}

void revoke(const PeerOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto request = client.control().revokePeerRequest();
  request.setName(o.name);
  auto closed = client.wait(request.send()).getClosedConnections();
  fmt::print("revoked peer '{}' ({} open connection(s) closed); it can no longer connect or be matched with\n",
             o.name, closed);
}

void remove(const PeerOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto request = client.control().removePeerRequest();
  request.setName(o.name);
  client.wait(request.send());
  fmt::print("removed peer '{}'\n", o.name);
}

CLI::App* command(CLI::App* group, const char* name, const char* help, std::shared_ptr<PeerOptions> o,
                  void (*run)(const PeerOptions&), const char* example) {
  auto* cmd = group->add_subcommand(name, help);
  addNodeOption(*cmd, o->node);
  cmd->footer(example);
  cmd->callback([o, run] { run(*o); });
  return cmd;
}

}  // namespace

void addPeerCommands(CLI::App& app) {
  auto* group = app.add_subcommand("peer", "Pair with partner nodes and set what each may ask");
  group->require_subcommand(1);
  group->footer(
      "Pairing: `entente peer invite` here, `entente peer accept INVITATION` on the partner's node.\n"
      "Example: entente peer invite --purposes overlap-analysis,cross-selling");

  auto inv = std::make_shared<PeerOptions>();
  auto* inviteCmd = command(group, "invite", "Print a signed one-line invitation for a partner's node", inv, invite,
                            "Example: entente peer invite --purposes overlap-analysis,cross-selling --valid-hours 24");
  inviteCmd->add_option("--purposes", inv->purposes, "Purposes offered (overlap-analysis, cross-selling, enrichment)")
      ->capture_default_str();
  inviteCmd->add_option("--valid-hours", inv->validHours, "Hours until it expires (1-720)")->capture_default_str();

  auto acc = std::make_shared<PeerOptions>();
  auto* acceptCmd = command(group, "accept", "Verify an invitation and pair with the node that issued it", acc,
                            accept, "Example: entente peer accept entente-invite-v1.bmFtZT1ib2F0cw...");
  acceptCmd->add_option("INVITATION", acc->invitation, "The invitation line")->required();
  acceptCmd->add_option("--name", acc->name, "Local name for the partner (default: its node name)");

  auto l = std::make_shared<PeerOptions>();
  auto* listCmd = command(group, "list", "List the partner nodes", l, list, "Example: entente peer list --json");
  listCmd->add_flag("--json", l->json, "Print a JSON array");

  auto s = std::make_shared<PeerOptions>();
  auto* showCmd = command(group, "show", "Show a partner: fingerprint, safety number, policy and today's use", s, show,
                          "Example: entente peer show travel");
  showCmd->add_option("NAME", s->name, "The partner's name")->required();
  showCmd->add_flag("--json", s->json, "Print one JSON object");

  auto p = std::make_shared<PeerOptions>();
  auto* policyCmd = command(group, "policy", "Change what a partner may ask of this node", p, policy,
                            "Example: entente peer policy travel --modes count --min-query 1000 --sessions-per-day 5");
  policyCmd->add_option("NAME", p->name, "The partner's name")->required();
  policyCmd->add_option("--purposes", p->policyPurposes, "Allowed purposes, comma-separated ('none' for none)");
  policyCmd->add_option("--modes", p->modes, "Allowed modes: count, ids, enrich ('none' for none)");
  policyCmd->add_option("--min-query", p->minQuery, "Smallest query answered, in customers");
  policyCmd->add_option("--max-query", p->maxQuery, "Largest query answered, in customers");
  policyCmd->add_option("--sessions-per-day", p->sessionsPerDay, "Sessions answered per UTC day");
  policyCmd->add_option("--customers-per-day", p->customersPerDay, "Customers answered per UTC day");
  policyCmd->add_option("--min-overlap", p->minOverlap,
                        "Minimum group size: the smallest count shown when this node asks the partner, and "
                        "demanded of the partner when it asks (below: no count, no ids)");
  policyCmd->add_option("--offer", p->offer,
                        "Attributes the partner may learn about shared customers who consented to enrichment "
                        "(enrich mode), e.g. segment,income_band ('none' for none); never special-category data");
  policyCmd->add_option("--require-noise", p->requireNoise,
                        "true: the partner's breakdowns by our attributes must carry noise (--noise)");
  policyCmd->add_option("--monthly-epsilon", p->monthlyEpsilon,
                        "Privacy budget per purpose and month for noisy queries, ours to it and its to us");

  auto r = std::make_shared<PeerOptions>();
  command(group, "revoke", "Revoke a partner: refused from now on, open connections closed", r, revoke,
          "Example: entente peer revoke travel")
      ->add_option("NAME", r->name, "The partner's name")
      ->required();

  auto d = std::make_shared<PeerOptions>();
  command(group, "remove", "Forget a partner entirely (pair again to match)", d, remove,
          "Example: entente peer remove travel")
      ->add_option("NAME", d->name, "The partner's name")
      ->required();
}

}  // namespace entente::tools
