// entente match: for marketers. How many of our customers does a partner share
// (count), which ones (ids), and what the partner may tell about them (enrich), found
// by private set intersection: neither node sees the other's customers. Filters
// (--where) narrow our side before the session; breakdowns (--by) show the overlap
// per value, each group at or above the minimum group size, optionally with noise;
// --out with --columns writes a campaign list. tools/match-output.c++ prints results.
#include "tools/commands.h"
#include "tools/control-client.h"
#include "tools/match-options.h"
#include "tools/match-output.h"

#include <fmt/core.h>

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <sstream>

namespace entente::tools {
namespace {

std::vector<std::string> splitList(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream split(list);
  for (std::string item; std::getline(split, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// Receives the matched customers as the node streams them, and its progress.
class CollectingSink final : public protocol::control::MatchSink::Server {
 public:
  CollectingSink(std::vector<MatchedRow>& into, bool showProgress) : into_(into), showProgress_(showProgress) {}
  ~CollectingSink() noexcept {
    if (shown_) fmt::print(stderr, "\r\033[K");
  }

 protected:
  kj::Promise<void> matched(MatchedContext context) override {
    clearProgress();
    for (auto c : context.getParams().getCustomers()) {
      MatchedRow row{c.getCustomerId(), {}, {}};
      for (auto k : c.getKinds()) row.kinds += (row.kinds.empty() ? "" : "+") + std::string(k.cStr());
      for (auto f : c.getFields()) row.fields.emplace_back(f.getName(), f.getValue());
      into_.push_back(std::move(row));
    }
    return kj::READY_NOW;
  }

  kj::Promise<void> progress(ProgressContext context) override {
    if (!showProgress_) return kj::READY_NOW;
    auto p = context.getParams().getProgress();
    auto now = std::chrono::steady_clock::now();
    // Only a session that lasts over a second shows progress.
    if (now - started_ < std::chrono::seconds(1)) return kj::READY_NOW;
    std::string phase = p.getPhase();
    if (phase != phase_) {
      phase_ = phase;
      phaseStarted_ = now;
      phaseDone_ = p.getDone();
    }
    std::string line = phase;
    if (p.getTotal() > 0) {
      double seconds = std::chrono::duration<double>(now - phaseStarted_).count();
      double rate = seconds > 0.2 ? static_cast<double>(p.getDone() - phaseDone_) / seconds : 0;
      line += fmt::format(" {:>3.0f}%  {} of {}", 100.0 * static_cast<double>(p.getDone()) / static_cast<double>(p.getTotal()),
                          thousands(p.getDone()), thousands(p.getTotal()));
      if (rate > 0) {
        line += fmt::format("  {}/s  about {:.0f} s left", thousands(static_cast<uint64_t>(rate)),
                            static_cast<double>(p.getTotal() - p.getDone()) / rate);
      }
    }
    fmt::print(stderr, "\r\033[K{}", line);
    std::fflush(stderr);
    shown_ = true;
    return kj::READY_NOW;
  }

 private:
  void clearProgress() {
    if (shown_) fmt::print(stderr, "\r\033[K");
    shown_ = false;
  }

  std::vector<MatchedRow>& into_;
  bool showProgress_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point phaseStarted_ = started_;
  uint64_t phaseDone_ = 0;
  std::string phase_;
};

// Ctrl-C: the process ends, which closes its connection to the node; the node then
// cancels the session, and the partner sees it cancelled too. Both log it.
void onInterrupt(int) {
  const char message[] =
      "\r\033[Kentente: match cancelled; the session is cancelled on both nodes and nothing was kept\n";
  ssize_t ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
  (void)ignored;
  ::_exit(130);
}

}  // namespace

void runMatch(const MatchOptions& o) {
  if (o.mode != "count" && o.mode != "ids" && o.mode != "enrich") {
    throw CliError("--mode must be count, ids or enrich", 2);
  }
  bool lists = o.mode != "count";
  if (!lists && !o.out.empty()) {
    throw CliError("--out writes matched customers: use it with --mode ids or --mode enrich", 2);
  }
  if (o.json && o.csv) throw CliError("choose one of --json and --csv", 2);
  auto kinds = splitList(o.kinds);
  auto attributes = splitList(o.attributes);
  auto columns = splitList(o.columns);

  // The output file is opened before the session, so that a missing folder or an
  // existing file is found before both nodes do the work.
  auto outFile = o.out.empty() ? nullptr : openOutputFile(o.out, o.force);
  ControlClient client(resolveNodeDir(o.node));
  std::vector<MatchedRow> matched;
  auto request = client.control().matchRequest();
  auto r = request.initRequest();
  r.setPeer(o.peer);
  r.setPurpose(o.purpose);
  r.setMode(o.mode == "ids"      ? protocol::wire::MatchMode::IDS
            : o.mode == "enrich" ? protocol::wire::MatchMode::ENRICH
                                 : protocol::wire::MatchMode::COUNT);
  auto setList = [](auto list, const std::vector<std::string>& values) {
    for (unsigned i = 0; i < values.size(); ++i) list.set(i, values[i]);
  };
  setList(r.initKinds(static_cast<unsigned>(kinds.size())), kinds);
  setList(r.initAttributes(static_cast<unsigned>(attributes.size())), attributes);
  setList(r.initWhere(static_cast<unsigned>(o.where.size())), o.where);
  setList(r.initBy(static_cast<unsigned>(o.by.size())), o.by);
  setList(r.initColumns(static_cast<unsigned>(columns.size())), columns);
  r.setNoiseEpsilon(o.noise);
  r.setListCustomers(lists);
  r.setQueryName(o.queryName);
  bool progress = ::isatty(STDERR_FILENO) && !o.json && !o.csv;
  request.setSink(kj::heap<CollectingSink>(matched, progress));
  std::signal(SIGINT, onInterrupt);
  auto response = client.wait(request.send());
  std::signal(SIGINT, SIG_DFL);
  auto s = response.getSummary();

  MatchReport report = readReport(s, o.mode);
  // A withheld result writes nothing: no file, not even a header.
  if (outFile && !s.getWithheld()) {
    writeMatchedFile(outFile->out(), report, matched, !columns.empty() || o.mode == "enrich");
    try {
      outFile->commit();
    } catch (const crypto::FileError& e) {
      throw CliError(e.what());
    }
  }
  if (o.json) {
    printMatchJson(report, matched, lists && o.out.empty());
  } else if (o.csv) {
    printMatchCsv(report, matched, lists && o.out.empty());
  } else {
    printMatchText(report, matched, lists && o.out.empty(), o.out);
  }
}

void addMatchOptions(CLI::App& cmd, MatchOptions& o, bool forSaving) {
  cmd.add_option("--peer", o.peer, "Partner node to match with (see `entente peer list`)")->required();
  cmd.add_option("--purpose", o.purpose, "Why: e.g. overlap-analysis, cross-selling (logged on both sides)")
      ->required();
  cmd.add_option("--mode", o.mode, "count: how many; ids: which of our customers; enrich: which, and the "
                                   "partner's attributes about each")
      ->check(CLI::IsMember({"count", "ids", "enrich"}))
      ->capture_default_str();
  cmd.add_option("--kinds", o.kinds, "Identifier kinds to compare, comma-separated")->capture_default_str();
  cmd.add_option("--attributes", o.attributes,
                 "Partner attributes to ask for (enrich mode), comma-separated, e.g. segment,income_band");
  cmd.add_option("--where", o.where,
                 "Narrow our side first (repeatable): ours:COLUMN=VALUE, !=, in (A,B), ours:purchases.last_12m>0");
  cmd.add_option("--by", o.by, "Break the overlap down by ours:COLUMN or theirs:ATTRIBUTE (repeatable)");
  cmd.add_option("--noise", o.noise,
                 "Add discrete Laplace noise of this epsilon to every count (spends the month's privacy budget)");
  cmd.add_option("--columns", o.columns,
                 "Campaign list columns (ids/enrich mode with --out): ours, e.g. first_name,email, and theirs:ATTRIBUTE");
  cmd.add_option("--out", o.out, "ids/enrich mode: write the matched customers to this CSV file (else to stdout)");
  // When saving, --force is `query save`'s own (replace a saved query); `query run` has one for --out.
  if (!forSaving) cmd.add_flag("--force", o.force, "Replace the --out file if it exists (else an existing file is kept)");
  cmd.add_flag("--json", o.json, "Print the result as one JSON object");
  cmd.add_flag("--csv", o.csv, "Print the result (the breakdown, or the customers) as CSV");
  if (!forSaving) {
    addNodeOption(cmd, o.node);
    cmd.add_option("--query-name", o.queryName, "Run as this saved query (set by `entente query run`)")
        ->group("");
  }
}

void addMatchCommand(CLI::App& app) {
  auto o = std::make_shared<MatchOptions>();
  auto* cmd = app.add_subcommand("match", "Find the customers this firm shares with a partner, privately");
  addMatchOptions(*cmd, *o, false);
  cmd->footer(
      "A customer matches when any of its identifiers of the chosen kinds does; it is counted once.\n"
      "Counts below the minimum group size (the stricter of ours and the partner's) show as \"< k\".\n"
      "Examples:\n"
      "  entente match --peer travel --purpose overlap-analysis\n"
      "  entente match --peer travel --purpose overlap-analysis --where ours:segment=boat-owner --by ours:country\n"
      "  entente match --peer travel --purpose cross-selling --mode enrich --attributes segment \\\n"
      "      --out campaign.csv --columns first_name,email,theirs:segment\n"
      "  entente match --peer travel --purpose overlap-analysis --by theirs:segment --noise 0.5");
  cmd->callback([o] { runMatch(*o); });
}

}  // namespace entente::tools
