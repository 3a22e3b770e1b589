// entente node init | start | stop | status: for the IT staff who run a node.
#include "node/server/node-config.h"
#include "node/server/node-init.h"
#include "node/server/node-server.h"
#include "tools/commands.h"
#include "tools/control-client.h"
#include "tools/node-process.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <thread>

namespace entente::tools {
namespace {

void identity(const std::string& nodeOption, bool json) {
  ControlClient client(resolveNodeDir(nodeOption));
  auto response = client.wait(client.control().identityRequest().send());
  auto id = response.getIdentity();
  if (json) {
    nlohmann::ordered_json out{
        {"name", id.getName().cStr()}, {"fingerprint", id.getFingerprint().cStr()}, {"keySealed", id.getKeySealed()}};
    fmt::print("{}\n", out.dump());
    return;
  }
  fmt::print("node        {}\nfingerprint {}\nprivate key {}\n", id.getName().cStr(), id.getFingerprint().cStr(),
             id.getKeySealed() ? "sealed with a passphrase" : "UNPROTECTED: anyone who copies the folder can use it");
}

}  // namespace

void initNode(const InitOptions& o, bool quiet) {
  std::filesystem::path dir = o.dir;
  node::NodeConfig config{o.name, o.listen, o.region, o.consortium};
  config.keyPassphraseFile = o.passphraseFile.empty() ? "" : std::filesystem::absolute(o.passphraseFile).string();
  config.keyPassphraseEnv = o.passphraseEnv;
  config.keyPassphraseCredential = o.passphraseCredential;
  config.insecurePlaintextKey = o.insecurePlaintextKey;
  node::CreatedNode created;
  try {
    created = node::createNode(dir, config);
  } catch (const node::ConfigError& e) {
    std::string message = e.what();
    if (message.find("exactly one of key_passphrase") != std::string::npos) {
      message = "say how the node's private key is protected: --passphrase-file FILE, --passphrase-env VAR or "
                "--passphrase-credential NAME (or, for a throwaway node only, --insecure-plaintext-key)";
    }
    throw CliError(message, 2);
  } catch (const std::exception& e) {
    throw CliError(e.what());
  }
  config = node::NodeConfig::load(dir);
  if (quiet) return;
  fmt::print("created node '{}' in {}\n  partners will reach it at {}, default region {}, consortium {}\n"
             "  identity fingerprint: {}\n  private key: {}\n"
             "  an admin token is in {} (mode 0600); issue others with `entente token create`\n"
             "next: entente node start --node {}\n",
             config.name, dir.string(), config.listen, config.region, config.consortium, created.fingerprint,
             o.insecurePlaintextKey ? "UNPROTECTED (--insecure-plaintext-key)" : "sealed with your passphrase",
             created.adminTokenFile.string(), dir.string());
}

namespace {

void stop(const std::string& nodeOption) {
  auto dir = resolveNodeDir(nodeOption);
  {
    std::optional<ControlClient> connected;
    try {
      connected.emplace(dir);
    } catch (const CliError& e) {
      // Stopping a stopped node leaves it as asked: exit 0, so that a service manager
      // or a script may stop without checking first (docs/operations.md, "Running").
      if (e.exitCode() != kNotRunning) throw;
      fmt::print("the node in {} is already stopped; start it with `entente node start --node {}`\n", dir.string(),
                 dir.string());
      return;
    }
    ControlClient& client = *connected;
    try {
      client.control().stopRequest().send().ignoreResult().wait(client.waitScope());
    } catch (const kj::Exception& e) {
      // A node may close the socket before its answer leaves; whether it stopped is
      // decided below by whether it still answers.
      if (e.getType() != kj::Exception::Type::DISCONNECTED) rethrowAsCliError(e);
    }
  }
  // The node answers first and stops on its next turn: wait until it is gone.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (nodeAnswers(dir)) {
    if (std::chrono::steady_clock::now() > deadline) throw CliError("the node did not stop within 20 seconds");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  fmt::print("node stopped\n");
}

void status(const std::string& nodeOption, bool json) {
  ControlClient client(resolveNodeDir(nodeOption));
  auto response = client.wait(client.control().statusRequest().send());
  auto s = response.getStatus();
  if (json) {
    // Field names documented in docs/operations.md, "JSON output".
    nlohmann::ordered_json out{{"name", s.getName().cStr()},
                               {"listen", s.getListen().cStr()},
                               {"region", s.getRegion().cStr()},
                               {"consortium", s.getConsortium().cStr()},
                               {"customers", s.getCustomers()},
                               {"sharedIdentifiers", s.getSharedIdentifiers()},
                               {"peers", s.getPeers()},
                               {"storeBytes", s.getStoreBytes()},
                               {"peakRssKiB", s.getPeakRssKiB()},
                               {"uptimeSeconds", s.getUptimeSeconds()},
                               {"wireBytesSent", s.getWireBytesSent()},
                               {"wireBytesReceived", s.getWireBytesReceived()},
                               {"pid", s.getPid()},
                               {"mainBatchCpuSeconds", s.getMainBatchCpuSeconds()},
                               {"groupOperationCpuSeconds", s.getGroupOperationCpuSeconds()}};
    fmt::print("{}\n", out.dump());
    return;
  }
  fmt::print("node        {} (pid {}, up {} s)\n", s.getName().cStr(), s.getPid(), s.getUptimeSeconds());
  fmt::print("partners on {}   region {}   consortium {}\n", s.getListen().cStr(), s.getRegion().cStr(),
             s.getConsortium().cStr());
  fmt::print("customers   {}   (identifiers held by more than one customer: {})\n", s.getCustomers(),
             s.getSharedIdentifiers());
  fmt::print("peers       {}\n", s.getPeers());
  fmt::print("store       {:.1f} MiB   peak memory {:.1f} MiB\n", s.getStoreBytes() / 1048576.0,
             s.getPeakRssKiB() / 1024.0);
  fmt::print("wire        {} bytes sent, {} received on partner connections\n", s.getWireBytesSent(),
             s.getWireBytesReceived());
}

}  // namespace

void addNodeCommands(CLI::App& app) {
  auto* group = app.add_subcommand("node", "Create, run, stop and inspect this firm's node");
  group->require_subcommand(1);
  group->footer(
      "Example: entente node init --node /srv/entente --name boats --listen 10.0.0.5:7401 --region FR \\\n"
      "           --passphrase-file /etc/entente/passphrase\n"
      "         entente node start --node /srv/entente       (foreground; Ctrl-C stops it)\n"
      "         entente node status --node /srv/entente");

  auto init_ = std::make_shared<InitOptions>();
  auto* initCmd = group->add_subcommand("init", "Create a node: its folder, settings and empty store");
  addNodeFolderOption(*initCmd, init_->dir, true);
  initCmd->add_option("--name", init_->name, "Node name partners will know it by")->required();
  initCmd->add_option("--listen", init_->listen, "HOST:PORT where partners reach it")->required();
  initCmd->add_option("--region", init_->region, "Default country (ISO 3166-1 alpha-2) for phones and addresses")
      ->required();
  initCmd->add_option("--passphrase-file", init_->passphraseFile,
                      "File holding the passphrase that seals the private key (its path goes in node.toml)");
  initCmd->add_option("--passphrase-env", init_->passphraseEnv,
                      "Environment variable holding that passphrase (its name goes in node.toml)");
  initCmd->add_option("--passphrase-credential", init_->passphraseCredential,
                      "systemd credential holding that passphrase, read from $CREDENTIALS_DIRECTORY (the "
                      "entente@ service's LoadCredential=passphrase:...; its name goes in node.toml)");
  initCmd->add_flag("--insecure-plaintext-key", init_->insecurePlaintextKey,
                    "Store the private key unprotected (throwaway nodes only; every start warns)");
  initCmd->add_option("--consortium", init_->consortium,
                      "Name shared by all partners of one network (keeps networks' values incomparable)")
      ->capture_default_str();
  initCmd->footer(
      "Creates the node's identity (an Ed25519 key and its TLS certificate) and an admin token.\n"
      "Example: entente node init --node /srv/entente --name boats --listen 10.0.0.5:7401 --region FR \\\n"
      "           --passphrase-file /etc/entente/passphrase");
  initCmd->callback([init_] {
    InitOptions options = *init_;
    options.dir = resolveNodeDir(options.dir).string();
    initNode(options, false);
  });

  auto startDir = std::make_shared<std::string>();
  auto* start = group->add_subcommand("start", "Run the node in the foreground until Ctrl-C or `entente node stop`");
  addNodeFolderOption(*start, *startDir, true);
  start->footer("Example: entente node start --node /srv/entente");
  start->callback([startDir] {
    int code = node::runNode(resolveNodeDir(*startDir));
    if (code != 0) throw CliError("the node stopped with an error (see above)", code);
  });

  auto stopNode = std::make_shared<std::string>();
  auto* stopCmd = group->add_subcommand("stop", "Stop a running node cleanly");
  addNodeOption(*stopCmd, *stopNode);
  stopCmd->footer("Example: entente node stop --node /srv/entente");
  stopCmd->callback([stopNode] { stop(*stopNode); });

  auto renewDir = std::make_shared<std::string>();
  auto* renew = group->add_subcommand("renew-certificate",
                                      "Re-issue the node's TLS certificate for the same key (node stopped)");
  addNodeFolderOption(*renew, *renewDir, true);
  renew->footer(
      "Partners pin the node's key, not its certificate: they need no re-pairing. Stop the node first.\n"
      "Example: entente node renew-certificate --node /srv/entente && entente node start --node /srv/entente");
  renew->callback([renewDir] {
    auto dir = resolveNodeDir(*renewDir);
    if (nodeAnswers(dir)) throw CliError("the node is running; stop it first (`entente node stop`)", 2);
    node::CreatedNode renewed;
    try {
      renewed = node::renewCertificate(dir);
    } catch (const node::ConfigError& e) {
      throw CliError(e.what(), 2);
    }
    fmt::print("re-issued the certificate of '{}' for the same key, valid ten years; fingerprint unchanged: {}\n",
               node::NodeConfig::load(dir).name, renewed.fingerprint);
  });

  auto identityNode = std::make_shared<std::string>();
  auto identityJson = std::make_shared<bool>(false);
  auto* identityCmd = group->add_subcommand("identity", "Show the node's identity fingerprint, to compare with partners");
  addNodeOption(*identityCmd, *identityNode);
  identityCmd->add_flag("--json", *identityJson, "Print one JSON object");
  identityCmd->footer("Example: entente node identity --node /srv/entente");
  identityCmd->callback([identityNode, identityJson] { identity(*identityNode, *identityJson); });

  auto statusNode = std::make_shared<std::string>();
  auto statusJson = std::make_shared<bool>(false);
  auto* statusCmd = group->add_subcommand("status", "Show a running node's customers, peers, memory and traffic");
  addNodeOption(*statusCmd, *statusNode);
  statusCmd->add_flag("--json", *statusJson, "Print one JSON object");
  statusCmd->footer("Example: entente node status --node /srv/entente --json");
  statusCmd->callback([statusNode, statusJson] { status(*statusNode, *statusJson); });
}

}  // namespace entente::tools
