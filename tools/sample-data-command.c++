// entente sample-data: realistic multilingual customer files for two or three partner
// firms, each in its own CRM dialect, with the exact expected overlaps beside them.
// Used by the demo, the integration tests and the benchmark.
#include "tools/commands.h"
#include "tools/control-client.h"
#include "tools/sample-population.h"

#include <fmt/core.h>

namespace entente::tools {
namespace {

struct SampleCommandOptions {
  std::string out;
  sample::SampleOptions sample;
};

std::string importCommandFor(const sample::FirmFile& firm) {
  std::string command = "entente import " + firm.csv.string();
  for (auto& [theirs, canonical] : firm.columnMap) command += " --map '" + theirs + "=" + canonical + "'";
  // Without it, day-first dates such as 07/05/1995 are dropped, never guessed, and
  // name_dob_postal matches are lost (bench/match runs this very command).
  if (!firm.birthDateFormat.empty()) command += " --date-format '" + firm.birthDateFormat + "'";
  return command;
}

void run(const SampleCommandOptions& o) {
  sample::SampleSet set;
  try {
    set = sample::writeSampleSet(o.sample, o.out);
  } catch (const std::invalid_argument& e) {
    throw CliError(e.what(), 2);
  }
  for (auto& firm : set.firms) {
    fmt::print("{}: {} (region {})\n  import with: {}\n", firm.firm, firm.csv.string(), firm.region,
               importCommandFor(firm));
  }
  for (auto& t : set.truth) {
    fmt::print("expected overlap {} -> {} ({}): {} customers\n", t.requester, t.responder,
               t.purpose.empty() ? "ignoring consent" : "purpose " + t.purpose, t.requesterIds.size());
  }
  fmt::print("ground truth: {}\n", (std::filesystem::path(o.out) / "ground-truth.txt").string());
}

}  // namespace

std::vector<std::string> importArgsFor(const sample::FirmFile& firm) {
  std::vector<std::string> args = {"import", firm.csv.string()};
  for (auto& [theirs, canonical] : firm.columnMap) {
    args.push_back("--map");
    args.push_back(theirs + "=" + canonical);
  }
  if (!firm.birthDateFormat.empty()) {
    args.push_back("--date-format");
    args.push_back(firm.birthDateFormat);
  }
  return args;
}

void addSampleDataCommand(CLI::App& app) {
  auto o = std::make_shared<SampleCommandOptions>();
  auto* cmd = app.add_subcommand("sample-data", "Write realistic sample customer files for 2 or 3 partner firms");
  cmd->add_option("--out", o->out, "Folder to write the files into")->required();
  cmd->add_option("--firms", o->sample.firms, "Number of firms (2 or 3)")->capture_default_str()->check(CLI::Range(2, 3));
  cmd->add_option("--customers", o->sample.customersPerFirm, "Customers per firm")->capture_default_str()
      ->check(CLI::Range(1, 10'000'000));
  cmd->add_option("--shared", o->sample.sharedFraction, "Fraction of firm-a's customers shared with the others")->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--seed", o->sample.seed, "Random seed: same seed, same files")->capture_default_str();
  cmd->footer("Example: entente sample-data --out /tmp/samples --firms 3 --customers 5000");
  cmd->callback([o] { run(*o); });
}

}  // namespace entente::tools
