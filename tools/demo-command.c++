// entente demo: the whole product in one command. Creates partner nodes in a
// temporary folder, gives each a generated customer file in its own CRM dialect,
// starts the nodes, pairs them, imports, runs count and ids matches over loopback,
// checks every result against the generator's ground truth, and stops the nodes.
// Every step is a real `entente` command, printed before it runs.
#include "crypto/credential.h"
#include "crypto/private-file.h"
#include "node/server/node-config.h"
#include "tools/commands.h"
#include "tools/control-client.h"
#include "tools/node-process.h"
#include "tools/sample-population.h"

#include <fmt/core.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <set>

namespace entente::tools {
namespace {

struct DemoOptions {
  sample::SampleOptions sample{3, 3000, 0.5, 7};
  std::string keep;
};

struct DemoNode {
  std::string name;
  std::filesystem::path dir;
  std::string address;
  std::unique_ptr<NodeProcess> process;
};

std::set<std::string> readIds(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::set<std::string> ids;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto comma = line.find(',');
    ids.insert(line.substr(0, comma));
  }
  return ids;
}

uint64_t jsonNumber(const std::string& json, const std::string& key) {
  auto at = json.find("\"" + key + "\":");
  if (at == std::string::npos) throw CliError("the match printed no " + key);
  return std::stoull(json.substr(at + key.size() + 3));
}

class Demo {
 public:
  explicit Demo(const DemoOptions& o) : options_(o), binary_(selfExecutable()) {
    if (o.keep.empty()) {
      std::string pattern = (std::filesystem::temp_directory_path() / "entente-demo-XXXXXX").string();
      if (mkdtemp(pattern.data()) == nullptr) throw CliError("cannot create a temporary folder");
      root_ = pattern;
    } else {
      root_ = std::filesystem::absolute(o.keep);
      std::filesystem::create_directories(root_);
    }
  }
  ~Demo() {
    nodes_.clear();  // stops any node still running
    if (options_.keep.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(root_, ignored);
    }
  }

  int run() {
    step("1. Generate customer files, one CRM dialect per firm");
    auto set = sample::writeSampleSet(options_.sample, root_ / "data");
    for (auto& f : set.firms) fmt::print("   {} -> {}\n", f.firm, f.csv.string());

    step("2. Create and start one node per firm (loopback)");
    for (auto& f : set.firms) {
      // Port 0: each node takes a free port at its first start and keeps it.
      DemoNode n{f.firm, root_ / f.firm, "127.0.0.1:0", nullptr};
      // Each firm's key passphrase, in a file only this user can read.
      auto passphrase = root_ / (f.firm + ".passphrase");
      crypto::writeFileAtomically(passphrase, crypto::newSecret("demo-passphrase-") + "\n");
      show({"node", "init", "--node", n.dir.string(), "--name", n.name, "--listen", n.address, "--region", f.region,
            "--passphrase-file", passphrase.string()});
      InitOptions init;
      init.dir = n.dir.string();
      init.name = n.name;
      init.listen = n.address;
      init.region = f.region;
      init.consortium = "entente-demo";
      init.passphraseFile = passphrase.string();
      initNode(init, true);
      n.process = std::make_unique<NodeProcess>(binary_, n.dir);
      n.address = node::NodeConfig::load(n.dir).listen;
      fmt::print("   {} running (pid {}), partners reach it on {}\n", n.name, n.process->pid(), n.address);
      nodes_.push_back(std::move(n));
    }

    step("3. Pair every node with every other: a signed invitation, accepted over mutual TLS");
    for (size_t i = 0; i < nodes_.size(); ++i) {
      for (size_t j = i + 1; j < nodes_.size(); ++j) {
        std::string invitation;
        entente(nodes_[i], {"peer", "invite", "--purposes", "overlap-analysis,cross-selling"}, &invitation);
        while (!invitation.empty() && invitation.back() == '\n') invitation.pop_back();
        fmt::print("   {}...\n", invitation.substr(0, 60));
        entente(nodes_[j], {"peer", "accept", invitation}, nullptr, true);
      }
    }

    step("4. Import each firm's export");
    for (size_t i = 0; i < nodes_.size(); ++i) entente(nodes_[i], importArgsFor(set.firms[i]));

    step("5. Match, and check each answer against the ground truth");
    int failures = 0;
    std::vector<std::string> rows;
    for (auto& pair : set.truth) {
      if (!pair.purpose.empty()) continue;  // one match per ordered pair of firms
      auto& requester = byName(pair.requester);
      bool idsMode = pair.responder == nextAfter(pair.requester);
      // Only customers who consented to the match's purpose, at both firms, take part.
      auto& truth = set.truthFor(pair.requester, pair.responder, idsMode ? "cross-selling" : "overlap-analysis");
      std::set<std::string> expected(truth.requesterIds.begin(), truth.requesterIds.end());
      uint64_t got;
      bool ok;
      if (idsMode) {
        auto out = root_ / fmt::format("shared-{}-{}.csv", truth.requester, truth.responder);
        entente(requester, {"match", "--peer", truth.responder, "--purpose", "cross-selling", "--mode", "ids", "--out",
                            out.string()});
        auto ids = readIds(out);
        got = ids.size();
        ok = ids == expected;
      } else {
        std::string json;
        entente(requester,
                {"match", "--peer", truth.responder, "--purpose", "overlap-analysis", "--mode", "count", "--json"},
                &json);
        fmt::print("   {}", json);
        got = jsonNumber(json, "overlap");
        ok = got == expected.size();
      }
      failures += ok ? 0 : 1;
      rows.push_back(fmt::format("   {:<8} {:<8} {:<6} {:<17} {:>8} {:>9}   {}", truth.requester, truth.responder,
                                 idsMode ? "ids" : "count", truth.purpose, got, expected.size(), ok ? "ok" : "WRONG"));
    }

    step("6. What a marketer sees: the overlap by segment, small groups hidden (docs/marketing-guide.md)");
    entente(nodes_[0], {"match", "--peer", nodes_[1].name, "--purpose", "overlap-analysis", "--by", "ours:segment"});

    step("7. Stop the nodes");
    for (auto& n : nodes_) {
      entente(n, {"node", "stop"});
      n.process->waitForExit();
    }

    fmt::print("\nSummary ({} firms, {} customers each; only customers who consented to the purpose at both firms "
               "take part; each requester sees only its own customers)\n",
               set.firms.size(), options_.sample.customersPerFirm);
    fmt::print("   {:<8} {:<8} {:<6} {:<17} {:>8} {:>9}\n", "asks", "partner", "mode", "purpose", "overlap",
               "expected");
    for (auto& r : rows) fmt::print("{}\n", r);
    if (!options_.keep.empty()) fmt::print("nodes, files and logs kept in {}\n", root_.string());
    if (failures > 0) throw CliError(fmt::format("{} matches differ from the ground truth", failures));
    fmt::print("all {} matches equal the ground truth\n", rows.size());
    return 0;
  }

 private:
  void step(const std::string& title) { fmt::print("\n== {}\n", title); }

  void show(const std::vector<std::string>& args) {
    std::string line = "   $ entente";
    for (auto& a : args) line += (a.find(' ') != std::string::npos ? " '" + a + "'" : " " + a);
    fmt::print("{}\n", line);
  }

  void entente(DemoNode& node, std::vector<std::string> args, std::string* capture = nullptr, bool quiet = false) {
    args.push_back("--node");
    args.push_back(node.dir.string());
    if (quiet) {
      // Long arguments (an invitation) are shortened on screen, not in the call.
      auto shown = args;
      for (auto& a : shown) {
        if (a.size() > 40) a = a.substr(0, 37) + "...";
      }
      show(shown);
    } else {
      show(args);
    }
    std::fflush(stdout);
    int code = runEntente(binary_, args, capture);
    if (code != 0) throw CliError(fmt::format("`entente {}` failed with exit code {}", args[0], code));
  }

  DemoNode& byName(const std::string& name) {
    for (auto& n : nodes_) {
      if (n.name == name) return n;
    }
    throw CliError("no demo node " + name);
  }

  // Each firm asks its next neighbour for ids and the others for a count.
  std::string nextAfter(const std::string& name) {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i].name == name) return nodes_[(i + 1) % nodes_.size()].name;
    }
    return {};
  }

  DemoOptions options_;
  std::filesystem::path binary_;
  std::filesystem::path root_;
  std::vector<DemoNode> nodes_;
};

}  // namespace

void addDemoCommand(CLI::App& app) {
  auto o = std::make_shared<DemoOptions>();
  auto* cmd = app.add_subcommand("demo", "Run partner nodes on loopback with sample data and match them, end to end");
  cmd->add_option("--firms", o->sample.firms, "Number of partner firms (2 or 3)")->capture_default_str()->check(CLI::Range(2, 3));
  cmd->add_option("--customers", o->sample.customersPerFirm, "Customers per firm")->capture_default_str()
      ->check(CLI::Range(10, 1'000'000));
  cmd->add_option("--seed", o->sample.seed, "Seed of the sample data")->capture_default_str();
  cmd->add_option("--keep", o->keep, "Keep nodes, files and logs in this folder instead of a temporary one");
  cmd->footer("Example: entente demo --firms 2 --customers 5000 --keep /tmp/entente-demo");
  cmd->callback([o] {
    Demo demo(*o);
    demo.run();
  });
}

}  // namespace entente::tools
