// entente peer add | list | remove: the partners this node may match with.
#include "tools/commands.h"
#include "tools/control-client.h"

#include <fmt/core.h>

#include <ctime>

namespace entente::tools {
namespace {

struct PeerOptions {
  std::string name, address, node;
  bool json = false;
};

void add(const PeerOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto request = client.control().addPeerRequest();
  request.setName(o.name);
  request.setAddress(o.address);
  bool replaced = client.wait(request.send()).getReplaced();
  fmt::print("{} peer '{}' at {}\n", replaced ? "updated" : "added", o.name, o.address);
}

void list(const PeerOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto response = client.wait(client.control().listPeersRequest().send());
  auto peers = response.getPeers();
  if (o.json) {
    fmt::print("[");
    for (unsigned i = 0; i < peers.size(); ++i) {
      fmt::print("{}{{\"name\":{},\"address\":{},\"addedAtUnix\":{}}}", i ? "," : "", jsonString(peers[i].getName()),
                 jsonString(peers[i].getAddress()), peers[i].getAddedAtUnix());
    }
    fmt::print("]\n");
    return;
  }
  if (peers.size() == 0) {
    fmt::print("no peers yet; add one with `entente peer add NAME --address HOST:PORT`\n");
    return;
  }
  fmt::print("{:<24} {:<28} {}\n", "NAME", "ADDRESS", "ADDED (UTC)");
  for (auto p : peers) {
    std::time_t t = p.getAddedAtUnix();
    char when[32];
    std::tm utc;
    gmtime_r(&t, &utc);
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M", &utc);
    fmt::print("{:<24} {:<28} {}\n", p.getName().cStr(), p.getAddress().cStr(), when);
  }
}

void remove(const PeerOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto request = client.control().removePeerRequest();
  request.setName(o.name);
  client.wait(request.send());
  fmt::print("removed peer '{}'\n", o.name);
}

}  // namespace

void addPeerCommands(CLI::App& app) {
  auto* group = app.add_subcommand("peer", "The partner nodes this node may match with");
  group->require_subcommand(1);
  group->footer("Example: entente peer add travel --address 10.0.0.7:7401 && entente peer list");

  auto addO = std::make_shared<PeerOptions>();
  auto* addCmd = group->add_subcommand("add", "Add a partner node (or change its address)");
  addCmd->add_option("NAME", addO->name, "The partner node's name (its `name` in node.toml)")->required();
  addCmd->add_option("--address", addO->address, "HOST:PORT of the partner's node")->required();
  addNodeOption(*addCmd, addO->node);
  addCmd->footer("Example: entente peer add travel --address 10.0.0.7:7401");
  addCmd->callback([addO] { add(*addO); });

  auto listO = std::make_shared<PeerOptions>();
  auto* listCmd = group->add_subcommand("list", "List the partner nodes");
  addNodeOption(*listCmd, listO->node);
  listCmd->add_flag("--json", listO->json, "Print a JSON array");
  listCmd->footer("Example: entente peer list --json");
  listCmd->callback([listO] { list(*listO); });

  auto removeO = std::make_shared<PeerOptions>();
  auto* removeCmd = group->add_subcommand("remove", "Remove a partner node: it can no longer match with this one");
  removeCmd->add_option("NAME", removeO->name, "The partner node's name")->required();
  addNodeOption(*removeCmd, removeO->node);
  removeCmd->footer("Example: entente peer remove travel");
  removeCmd->callback([removeO] { remove(*removeO); });
}

}  // namespace entente::tools
