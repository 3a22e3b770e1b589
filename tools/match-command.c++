// entente match: for marketers. How many of our customers does a partner share
// (count), and which ones (ids), found by private set intersection: neither node
// sees the other's customers, the partner learns only how many we asked about.
#include "crypto/private-file.h"
#include "text/csv.h"
#include "tools/commands.h"
#include "tools/control-client.h"

#include <fmt/core.h>

#include <memory>
#include <sstream>

namespace entente::tools {
namespace {

struct MatchOptions {
  std::string peer, purpose, mode, out, node;
  std::string kinds = "email,phone,name_dob_postal";
  bool json = false;
  bool force = false;
};

// Receives the matched customers as the node streams them.
class CollectingSink final : public protocol::control::MatchSink::Server {
 public:
  explicit CollectingSink(std::vector<std::pair<std::string, std::string>>& into) : into_(into) {}

 protected:
  kj::Promise<void> matched(MatchedContext context) override {
    for (auto c : context.getParams().getCustomers()) {
      std::string kinds;
      for (auto k : c.getKinds()) kinds += (kinds.empty() ? "" : "+") + std::string(k.cStr());
      into_.emplace_back(c.getCustomerId(), kinds);
    }
    return kj::READY_NOW;
  }

 private:
  std::vector<std::pair<std::string, std::string>>& into_;
};

void writeIds(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& matched) {
  csv::Writer writer(out);
  writer.row({"customer_id", "matched_kinds"});
  for (auto& [id, kinds] : matched) writer.row({id, kinds});
}

void runMatch(const MatchOptions& o) {
  if (o.mode != "count" && o.mode != "ids") throw CliError("--mode must be count or ids", 2);
  bool ids = o.mode == "ids";
  if (!ids && !o.out.empty()) throw CliError("--out writes matched ids: use it with --mode ids", 2);
  std::vector<std::string> kinds;
  std::stringstream split(o.kinds);
  for (std::string k; std::getline(split, k, ',');) {
    if (!k.empty()) kinds.push_back(k);
  }

  // The output file is opened before the session, so that a missing folder or an
  // existing file is found before both nodes do the work.
  auto outFile = o.out.empty() ? nullptr : openOutputFile(o.out, o.force);
  ControlClient client(resolveNodeDir(o.node));
  std::vector<std::pair<std::string, std::string>> matched;
  auto request = client.control().matchRequest();
  auto r = request.initRequest();
  r.setPeer(o.peer);
  r.setPurpose(o.purpose);
  r.setMode(ids ? protocol::wire::MatchMode::IDS : protocol::wire::MatchMode::COUNT);
  auto list = r.initKinds(static_cast<unsigned>(kinds.size()));
  for (unsigned i = 0; i < kinds.size(); ++i) list.set(i, kinds[i]);
  request.setSink(kj::heap<CollectingSink>(matched));
  auto response = client.wait(request.send());
  auto s = response.getSummary();

  // A withheld result writes nothing: no file, not even a header.
  if (outFile && !s.getWithheld()) {
    writeIds(outFile->out(), matched);
    try {
      outFile->commit();
    } catch (const crypto::FileError& e) {
      throw CliError(e.what());
    }
  }
  double share = s.getOwnCustomers() ? 100.0 * s.getOverlap() / s.getOwnCustomers() : 0.0;
  if (s.getWithheld() && !o.json) {
    fmt::print("the overlap with {} is below the minimum reportable overlap of {} set for this partner: no count and "
               "no ids are shown{}\n",
               s.getPeer().cStr(), s.getMinReportableOverlap(), outFile ? ", and " + o.out + " was not written" : "");
    return;
  }
  if (o.json) {
    std::string byKind, idList;
    for (auto k : s.getMatchesByKind()) {
      byKind += fmt::format("{}{}:{}", byKind.empty() ? "" : ",", jsonString(k.getKind()), k.getCustomers());
    }
    if (ids && o.out.empty()) {
      for (auto& [id, k] : matched) {
        idList += fmt::format("{}{{\"customer_id\":{},\"matched_kinds\":{}}}", idList.empty() ? "" : ",",
                              jsonString(id), jsonString(k));
      }
      idList = ",\"matched\":[" + idList + "]";
    }
    fmt::print(
        "{{\"session\":{},\"peer\":{},\"purpose\":{},\"mode\":{},\"ownCustomers\":{},\"ownValues\":{},\"ownIdentifiers\":{},"
        "\"partnerValues\":{},\"overlap\":{},\"tagBytes\":{},\"seconds\":{:.3f},\"wireBytesSent\":{},"
        "\"wireBytesReceived\":{},\"withheld\":{},\"matchesByKind\":{{{}}}{}}}\n",
        jsonString(s.getSessionId()), jsonString(s.getPeer()), jsonString(s.getPurpose()), jsonString(o.mode),
        s.getOwnCustomers(), s.getOwnValues(), s.getOwnIdentifiers(), s.getPartnerValues(), s.getOverlap(), s.getTagBytes(), s.getSeconds(),
        s.getWireBytesSent(), s.getWireBytesReceived(), s.getWithheld() ? "true" : "false", byKind, idList);
    return;
  }
  if (ids && o.out.empty()) writeIds(std::cout, matched);
  auto& summary = ids && o.out.empty() ? stderr : stdout;
  fmt::print(summary, "{} of our {} customers are also customers of {} ({:.1f}%)\n", s.getOverlap(),
             s.getOwnCustomers(), s.getPeer().cStr(), share);
  for (auto k : s.getMatchesByKind()) {
    fmt::print(summary, "  matched by {:<16} {}\n", k.getKind().cStr(), k.getCustomers());
  }
  if (ids && !o.out.empty()) fmt::print(summary, "  matched customer ids written to {}\n", o.out);
  fmt::print(summary, "  session {}, purpose {}, mode {}, {:.2f} s, {} bytes sent, {} received\n",
             s.getSessionId().cStr(), s.getPurpose().cStr(), o.mode, s.getSeconds(), s.getWireBytesSent(),
             s.getWireBytesReceived());
}

}  // namespace

void addMatchCommand(CLI::App& app) {
  auto o = std::make_shared<MatchOptions>();
  auto* cmd = app.add_subcommand("match", "Find the customers this firm shares with a partner, privately");
  cmd->add_option("--peer", o->peer, "Partner node to match with (see `entente peer list`)")->required();
  cmd->add_option("--purpose", o->purpose, "Why: e.g. overlap-analysis, cross-selling (logged on both sides)")
      ->required();
  cmd->add_option("--mode", o->mode, "count: how many; ids: which of our customers")
      ->required()
      ->check(CLI::IsMember({"count", "ids"}));
  cmd->add_option("--kinds", o->kinds, "Identifier kinds to compare, comma-separated")->capture_default_str();
  cmd->add_option("--out", o->out, "ids mode: write matched customer ids to this CSV file (else to stdout)");
  cmd->add_flag("--force", o->force, "Replace the --out file if it exists (else an existing file is kept)");
  cmd->add_flag("--json", o->json, "Print the summary (and, without --out, the ids) as one JSON object");
  addNodeOption(*cmd, o->node);
  cmd->footer(
      "A customer matches when any of its identifiers of the chosen kinds does; it is counted once.\n"
      "Example: entente match --peer travel --purpose overlap-analysis --mode count\n"
      "         entente match --peer travel --purpose cross-selling --mode ids --out shared.csv");
  cmd->callback([o] { runMatch(*o); });
}

}  // namespace entente::tools
