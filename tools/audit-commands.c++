// entente audit verify | export: for compliance officers. Verify recomputes the
// hash chain of the node's audit log and checks every signed checkpoint; export
// writes entries and checkpoints as JSON lines that an auditor can verify offline
// with the node's public key (`entente audit verify --from-export FILE`).
#include "crypto/private-file.h"
#include "node/audit/audit-export.h"
#include "node/import/import-columns.h"
#include "tools/commands.h"
#include "tools/control-client.h"

#include "text/utc-time.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <memory>

namespace entente::tools {
namespace {

struct AuditOptions {
  std::string node, fromExport, out, since, format = "jsonl";
  bool force = false;
  bool json = false;
};

std::string csvCell(const std::string& s) {
  bool formula = !s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '@' || s[0] == '-');
  if (!formula && s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = formula ? "\"'" : "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// One export line as a CSV row: entries and checkpoints in the columns of
// kCsvHeader, times in ISO 8601 UTC, details as key=value pairs joined by "; ".
constexpr const char* kCsvHeader = "type,seq,time,action,actor,outcome,details,prev_hash,hash,signature\r\n";
std::string csvRow(const std::string& line) {
  auto j = nlohmann::json::parse(line);
  auto text = [&](const char* key) { return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : ""; };
  auto time = [&] { return j.contains("time") ? text::utcTimestamp(j["time"].get<int64_t>()) : std::string(); };
  std::string type = text("type");
  std::vector<std::string> cells;
  if (type == "header") {
    cells = {"header", "", "", "", text("node"), "", "fingerprint=" + text("fingerprint") + "; publicKey=" + text("publicKey"), "", "", ""};
  } else if (type == "entry") {
    std::string details;
    for (auto& [k, v] : j["details"].items()) details += (details.empty() ? "" : "; ") + k + "=" + v.get<std::string>();
    cells = {"entry", std::to_string(j["seq"].get<uint64_t>()), time(), text("action"), text("actor"), text("outcome"),
             details, text("prevHash"), text("hash"), ""};
  } else {
    cells = {"checkpoint", std::to_string(j["count"].get<uint64_t>()), time(), "", "", "", "", "", text("headHash"),
             text("signature")};
  }
  std::string row;
  for (size_t i = 0; i < cells.size(); ++i) row += (i ? "," : "") + csvCell(cells[i]);
  return row + "\r\n";
}

class FileSink final : public protocol::control::LineSink::Server {
 public:
  FileSink(std::ostream& out, bool csv) : out_(out), csv_(csv) {
    if (csv_) out_ << kCsvHeader;
  }

 protected:
  kj::Promise<void> lines(LinesContext context) override {
    for (auto line : context.getParams().getLines()) {
      if (csv_) {
        out_ << csvRow(line.cStr());
      } else {
        out_ << line.cStr() << '\n';
      }
    }
    return kj::READY_NOW;
  }

 private:
  std::ostream& out_;
  bool csv_;
};

struct VerifyReport {
  bool ok = false;
  uint64_t entries = 0, checkpoints = 0, uncovered = 0, firstBad = 0;
  std::string reason, fingerprint;
  std::optional<uint64_t> receipts;  // the node's; an export holds none
};

// Prints the report (as one JSON object with --json, field names documented in
// docs/operations.md, "JSON output") and fails, exit code 1, when the log does not verify.
void printReport(const VerifyReport& r, bool json) {
  if (json) {
    nlohmann::ordered_json out;
    out["ok"] = r.ok;
    out["entries"] = r.entries;
    out["checkpoints"] = r.checkpoints;
    out["uncoveredEntries"] = r.uncovered;
    out["firstBadEntry"] = r.ok ? nlohmann::ordered_json() : nlohmann::ordered_json(r.firstBad);
    out["reason"] = r.reason;
    out["fingerprint"] = r.fingerprint.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(r.fingerprint);
    out["receipts"] = r.receipts ? nlohmann::ordered_json(*r.receipts) : nlohmann::ordered_json();
    fmt::print("{}\n", out.dump());
  } else if (r.ok) {
    fmt::print("audit log verified: {}, {}, key {}\n", counted(r.entries, "entry", "entries"),
               counted(r.checkpoints, "signed checkpoint", "signed checkpoints"),
               r.fingerprint.empty() ? "named in the export's header" : r.fingerprint);
    if (r.uncovered > 0) {
      fmt::print("  {} after the last checkpoint {} chained but not yet signed\n",
                 counted(r.uncovered, "entry", "entries"), r.uncovered == 1 ? "is" : "are");
    }
    if (!r.reason.empty()) fmt::print("  {}\n", r.reason);
    if (r.receipts) {
      fmt::print("  {} held, each with its session in the log\n",
                 counted(*r.receipts, "partner receipt", "partner receipts"));
    }
  }
  if (!r.ok) throw CliError(fmt::format("the audit log does NOT verify: first bad entry {}: {}", r.firstBad, r.reason));
}

void verify(const AuditOptions& o) {
  if (!o.fromExport.empty()) {
    std::ifstream in(o.fromExport);
    if (!in) throw CliError("cannot read " + o.fromExport, 2);
    auto report = node::verifyAuditExport(in, std::nullopt);
    printReport({report.ok, report.entries, report.checkpoints, report.uncoveredEntries,
                 report.firstBadEntry.value_or(0), report.reason, "", std::nullopt},
                o.json);
    return;
  }
  ControlClient client(resolveNodeDir(o.node));
  // The response owns the report's bytes: keep it while the report is read.
  auto response = client.wait(client.control().auditVerifyRequest().send());
  auto report = response.getReport();
  printReport({report.getOk(), report.getEntries(), report.getCheckpoints(), report.getUncoveredEntries(),
               report.getFirstBadEntry(), report.getReason(), report.getFingerprint(), report.getReceipts()},
              o.json);
}

void exportLog(const AuditOptions& o) {
  int64_t since = std::numeric_limits<int64_t>::min();
  if (!o.since.empty()) {
    auto unix = node::isoDateToUnix(o.since);
    if (!unix) throw CliError("--since takes a date, YYYY-MM-DD", 2);
    since = *unix;
  }
  // Opened before anything is asked, so that a refused or failed export leaves an
  // existing file as it was (the export lands under a temporary name first).
  auto file = o.out.empty() ? nullptr : openOutputFile(o.out, o.force);
  std::ostream& out = file ? file->out() : std::cout;
  ControlClient client(resolveNodeDir(o.node));
  auto request = client.control().auditExportRequest();
  request.setSinceUnix(since);
  request.setSink(kj::heap<FileSink>(out, o.format == "csv"));
  auto lines = client.wait(request.send()).getLines();
  out.flush();
  if (file) {
    try {
      file->commit();
    } catch (const crypto::FileError& e) {
      throw CliError(e.what());
    }
    fmt::print(stderr, "wrote {} lines to {}\n", lines, o.out);
  }
}

}  // namespace

void addAuditCommands(CLI::App& app) {
  auto* group = app.add_subcommand("audit", "The tamper-evident audit log: verify it, export it");
  group->require_subcommand(1);
  group->footer("Example: entente audit verify");

  auto v = std::make_shared<AuditOptions>();
  auto* verifyCmd = group->add_subcommand("verify", "Recompute the hash chain and check every signed checkpoint");
  verifyCmd->add_option("--from-export", v->fromExport, "Verify an export file offline instead of the node's log");
  verifyCmd->add_flag("--json", v->json, "Print the report as one JSON object");
  addNodeOption(*verifyCmd, v->node);
  verifyCmd->footer(
      "Exit code 0 when the log verifies, 1 with the first entry that does not.\n"
      "Example: entente audit verify --from-export audit-2026.jsonl");
  verifyCmd->callback([v] { verify(*v); });

  auto e = std::make_shared<AuditOptions>();
  auto* exportCmd = group->add_subcommand("export", "Write entries and checkpoints as JSON lines");
  exportCmd->add_option("--since", e->since, "From this date (YYYY-MM-DD, UTC); default: everything");
  exportCmd->add_option("--format", e->format,
                        "jsonl (verifiable offline with `audit verify --from-export`) or csv (for a spreadsheet; "
                        "times in ISO 8601 UTC)")
      ->check(CLI::IsMember({"jsonl", "csv"}))
      ->default_val("jsonl");
  exportCmd->add_option("--out", e->out, "File to write, mode 0600 (default: standard output)");
  exportCmd->add_flag("--force", e->force, "Replace the --out file if it exists (else an existing file is kept)");
  addNodeOption(*exportCmd, e->node);
  exportCmd->footer("Example: entente audit export --since 2026-01-01 --format jsonl --out audit-2026.jsonl");
  exportCmd->callback([e] { exportLog(*e); });
}

}  // namespace entente::tools
