// entente import FILE.csv [--preset NAME | --map-file FILE] [--map THEIR=TARGET]...:
// loads a CRM or ERP export into the node. The CLI reads the CSV and applies the
// mapping (tools/import-mapping.h); the node normalises, checks and stores each batch
// of rows atomically (node/import/). Re-running an import is safe: it is an upsert by
// customer_id, and unchanged customers are counted as such. The summary
// (tools/import-summary.c++) says once per file what needs a person's attention.
#include "text/csv.h"
#include "tools/commands.h"
#include "tools/control-client.h"
#include "tools/import-mapping.h"
#include "tools/import-summary.h"

#include <filesystem>
#include <fmt/core.h>
#include <fmt/format.h>

#include <unistd.h>

#include <chrono>
#include <optional>

namespace entente::tools {

namespace {

ImportMapping mappingOf(const ImportOptions& o) {
  if (!o.preset.empty() && !o.mapFile.empty()) throw CliError("give --preset or --map-file, not both", 2);
  ImportMapping mapping = !o.preset.empty()    ? ImportMapping::preset(o.preset)
                          : !o.mapFile.empty() ? ImportMapping::fromFile(o.mapFile)
                                               : ImportMapping();
  for (auto& m : o.maps) mapping.applyMap(m);
  for (auto& column : o.ignores) mapping.ignore(column);
  return mapping;
}

const ImportKind& kindOf(const ImportOptions& o) {
  return o.kind == ImportOptions::Kind::HISTORY ? ImportKind::history() : ImportKind::customers();
}

// Rows read, rate and time left on a terminal; nothing in a pipe.
class Progress {
 public:
  explicit Progress(bool shown) : shown_(shown), start_(std::chrono::steady_clock::now()) {}
  void show(uint64_t rows, const csv::Reader& reader, bool done) {
    if (!shown_) return;
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    double rate = seconds > 0 ? rows / seconds : 0;
    std::string left;
    if (!done && reader.totalBytes() > 0 && reader.bytesRead() > 0) {
      double share = static_cast<double>(reader.bytesRead()) / static_cast<double>(reader.totalBytes());
      double remaining = seconds * (1 - share) / share;
      left = fmt::format(", {:.0f}%, about {:.0f} s left", 100 * share, remaining);
    }
    fmt::print(stderr, "\r{} rows, {:.0f} rows/s{}{}", rows, rate, left, done ? "\n" : "   ");
  }

 private:
  bool shown_;
  std::chrono::steady_clock::time_point start_;
};

// Each rejected row, with its line and reason and the file's own columns, so that it
// can be fixed and imported again (the two added columns are left out by a mapping).
class RejectsFile {
 public:
  RejectsFile(const std::string& path, bool force, const std::vector<std::string>& header) {
    if (path.empty()) return;
    file_ = openOutputFile(path, force);
    // As the CRM wrote them: a fixed file goes back into Entente, not into a
    // spreadsheet's formula engine only.
    writer_.emplace(file_->out(), false, csv::Formulas::AS_IS);
    auto columns = header;
    columns.push_back(kRejectedLineColumn);
    columns.push_back(kRejectedReasonColumn);
    writer_->row(columns);
    width_ = header.size();
  }
  void add(uint64_t line, const std::string& reason, std::vector<std::string> fields) {
    ++count_;
    if (!writer_) return;
    fields.resize(width_);
    fields.push_back(std::to_string(line));
    fields.push_back(reason);
    writer_->row(fields);
  }
  void commit() {
    if (file_) file_->commit();
  }
  uint64_t count() const { return count_; }

 private:
  std::unique_ptr<crypto::PrivateFile> file_;
  std::optional<csv::Writer> writer_;
  size_t width_ = 0;
  uint64_t count_ = 0;
};

void runImport(const ImportOptions& o) {
  if (o.removeMissing && !o.full) throw CliError("--remove-missing needs --full: only a full export can say who is gone", 2);
  auto mapping = mappingOf(o);
  csv::Reader reader = [&] {
    try {
      return csv::Reader(o.file);
    } catch (const std::exception& e) {
      throw CliError(e.what(), 2);
    }
  }();
  csv::Record record;
  std::optional<csv::RecordError> error;
  if (!reader.next(record, error)) throw CliError(o.file + " is empty: it needs a header line and rows", 2);
  if (error) throw CliError(o.file + ":" + std::to_string(error->line) + ": the header is malformed: " + error->reason, 2);
  const std::vector<std::string> header = record.fields;
  auto mapped = mapHeader(header, mapping, o.dateFormat, kindOf(o), o.file);
  if (o.kind == ImportOptions::Kind::CONSENT) {
    std::string ignored;
    for (auto& f : mapped.fields) {
      if (f.target != "customer_id" && f.target.rfind("consent_", 0) != 0) ignored += (ignored.empty() ? "" : ", ") + f.target;
    }
    if (!ignored.empty()) fmt::print(stderr, "note: a consent import ignores the columns {}\n", ignored);
  }
  RejectsFile rejects(o.rejectsFile, o.force, header);
  ImportSummary summary(o, header, mapped);

  ControlClient client(resolveNodeDir(o.node));
  std::string source = std::filesystem::path(o.file).filename().string();
  auto fillOptions = [&](protocol::control::ImportOptions::Builder options) {
    auto targets = mapped.targets();
    auto columns = options.initColumns(static_cast<unsigned>(targets.size()));
    for (unsigned i = 0; i < targets.size(); ++i) columns.set(i, targets[i]);
    auto formats = options.initDateFormats(static_cast<unsigned>(mapped.dateFormats.size()));
    unsigned next = 0;
    for (auto& [column, format] : mapped.dateFormats) {
      formats[next].setName(column);
      formats[next++].setValue(format);
    }
    options.setStrict(o.strict);
    options.setDryRun(o.dryRun);
    options.setFull(o.full);
    options.setRemoveMissing(o.removeMissing);
    options.setMapping(!o.preset.empty()    ? "preset " + o.preset
                       : !o.mapFile.empty() ? "map-file " + std::filesystem::path(o.mapFile).filename().string()
                                            : std::string());
  };
  protocol::control::CustomerImport::Client import = nullptr;
  if (o.kind == ImportOptions::Kind::HISTORY) {
    auto begin = client.control().beginHistoryImportRequest();
    begin.setSource(source);
    fillOptions(begin.initOptions());
    auto begun = client.wait(begin.send());  // owns what the header reads
    summary.headerChecked(begun.getHeader());
    import = begun.getImport();
  } else {
    auto begin = client.control().beginImportRequest();
    begin.setSource(source);
    begin.setConsentOnly(o.kind == ImportOptions::Kind::CONSENT);
    fillOptions(begin.initOptions());
    auto begun = client.wait(begin.send());  // owns what the header reads
    summary.headerChecked(begun.getHeader());
    import = begun.getImport();
  }

  Progress progress(isatty(STDERR_FILENO) && !o.json);
  uint64_t clientRejected = 0, rows = 0, lastLine = 1;
  std::vector<csv::Record> batch;
  // A batch is bounded in bytes as well as rows, so that a file of very wide rows
  // never makes a message past Cap'n Proto's traversal limit (64 MiB).
  constexpr size_t kMaxBatchBytes = 8 << 20;
  constexpr uint64_t kRowsPerPoll = 256;
  size_t batchBytes = 0;
  using RowsResponse = capnp::Response<protocol::control::CustomerImport::RowsResults>;
  struct InFlight {
    kj::Promise<RowsResponse> response;
    std::vector<csv::Record> batch;
  };
  std::optional<InFlight> inFlight;
  // Waits for a batch's outcome; `next` is the batch sent after it, if any.
  auto settle = [&](InFlight& done, const InFlight* next) {
    uint64_t firstLine = done.batch.front().line;
    try {
      auto response = client.wait(std::move(done.response));  // owns what `outcome` reads
      auto outcome = response.getOutcome();
      size_t at = 0;
      for (auto r : outcome.getRejections()) {
        while (at < done.batch.size() && done.batch[at].line != r.getLine()) ++at;
        summary.rejected(r.getLine(), r.getReason());
        rejects.add(r.getLine(), r.getReason(),
                    at < done.batch.size() ? done.batch[at].fields : std::vector<std::string>());
      }
      for (auto w : outcome.getWarnings()) summary.dropped(w.getLine(), w.getColumn(), w.getReason());
    } catch (const CliError& e) {
      std::string after = next == nullptr ? ""
                                          : ", and the batch after it (from line " +
                                                std::to_string(next->batch.front().line) + ") may be too";
      throw CliError(std::string(e.what()) + "\nthe import stopped at the batch starting on line " +
                     std::to_string(firstLine) + "; the batches before it are " +
                     (o.dryRun ? "checked (a dry run stores nothing)" : "stored") + after +
                     "; run the same import again once fixed (stored rows count as unchanged)");
    }
  };
  auto flush = [&] {
    if (batch.empty()) return;
    auto request = import.rowsRequest();
    auto list = request.initRows(static_cast<unsigned>(batch.size()));
    for (unsigned i = 0; i < batch.size(); ++i) {
      list[i].setLine(batch[i].line);
      auto fields = list[i].initFields(static_cast<unsigned>(mapped.fields.size()));
      for (unsigned j = 0; j < mapped.fields.size(); ++j) {
        auto& field = mapped.fields[j];
        std::string value = MappedHeader::valueOf(field, batch[i].fields[field.sourceIndex]);
        summary.sawValue(field, batch[i].fields[field.sourceIndex]);
        // With their sizes: a C string would end a value at an embedded NUL.
        fields[j].setName(capnp::Text::Reader(field.target.data(), field.target.size()));
        fields[j].setValue(capnp::Text::Reader(value.data(), value.size()));
      }
    }
    // One batch in flight while the next is read and sent: the node stores one while
    // this process parses the next, instead of each waiting for the other.
    InFlight sent{request.send(), std::move(batch)};
    batch = {};
    batchBytes = 0;
    if (inFlight) settle(*inFlight, &sent);
    inFlight.emplace(std::move(sent));
    progress.show(rows, reader, false);
  };
  while (reader.next(record, error)) {
    ++rows;
    lastLine = record.line;
    if (error) {
      summary.rejected(error->line, error->reason);
      rejects.add(error->line, error->reason, {});
      ++clientRejected;
      continue;
    }
    if (record.fields.size() != header.size()) {
      std::string reason = "has " + std::to_string(record.fields.size()) + " fields where the header has " +
                           std::to_string(header.size());
      summary.rejected(record.line, reason);
      rejects.add(record.line, reason, record.fields);
      ++clientRejected;
      continue;
    }
    // What the row costs on the wire: its text, and per field two pointers, a struct
    // and the name again.
    for (auto& field : mapped.fields) batchBytes += record.fields[field.sourceIndex].size() + field.target.size() + 48;
    batch.push_back(std::move(record));
    record = csv::Record();
    // The batch in flight is larger than the socket's buffer: without this, the rest
    // of it went out only when this process next waited, and the node, waiting for
    // its end, idled while rows were parsed (a 10^5 re-import ran one process at a time).
    if (inFlight && rows % kRowsPerPoll == 0) client.poll();
    if (batch.size() >= o.batchRows || batchBytes >= kMaxBatchBytes) flush();
  }
  flush();
  if (inFlight) settle(*inFlight, nullptr);
  progress.show(rows, reader, true);
  auto finish = import.finishRequest();
  finish.setClientRejected(clientRejected);
  auto finished = client.wait(finish.send());  // owns what `total` and `report` read
  rejects.commit();
  summary.print(rows, lastLine, finished.getTotal(), finished.getReport());
  uint64_t rejected = finished.getTotal().getRejected();
  if (rejected > o.maxRejects) {
    throw CliError(fmt::format("{} rows rejected (--max-rejects {}); {}{}", rejected, o.maxRejects,
                               o.dryRun ? "a dry run stores nothing" : "the other rows are stored",
                               o.rejectsFile.empty() ? "; --rejects FILE writes the rejected rows to fix and import again"
                                                     : "; the rejected rows are in " + o.rejectsFile),
                   1);
  }
}

}  // namespace

void runImportCommand(const ImportOptions& o) { runImport(o); }

void addImportOptions(CLI::App& cmd, ImportOptions& o) {
  cmd.add_option("FILE", o.file, "CSV file: RFC 4180, UTF-8 (with or without BOM), LF or CRLF")->required();
  cmd.add_option("--preset", o.preset,
                 "Built-in mapping of a CRM's export: " + fmt::format("{}", fmt::join(ImportMapping::presetNames(), ", ")));
  cmd.add_option("--map-file", o.mapFile, "Mapping file (TOML; see docs/operations.md, \"Mappings\")");
  cmd.add_option("--map", o.maps,
                 "THEIR_COLUMN=TARGET[,TARGET...]: send a column to one or several targets, over the mapping "
                 "(repeatable; an empty target leaves the column out)");
  cmd.add_option("--ignore", o.ignores, "Leave a column of the file out (repeatable)");
  cmd.add_option("--date-format", o.dateFormat,
                 "strftime pattern of the file's dates, e.g. '%d/%m/%Y' or '%m/%d/%Y' (ISO 8601 always reads)");
  cmd.add_flag("--dry-run", o.dryRun, "Check everything and say what would change; store nothing");
  cmd.add_option("--rejects", o.rejectsFile, "Write every rejected row, with its line and reason, to this CSV (0600)");
  cmd.add_flag("--force", o.force, "Replace the --rejects file if it exists");
  cmd.add_option("--max-rejects", o.maxRejects, "Rejected rows allowed before the exit status is 1")->capture_default_str();
  addNodeOption(cmd, o.node);
  cmd.add_option("--batch-rows", o.batchRows, "Rows stored per atomic batch")->capture_default_str()->check(CLI::Range(1, 100000));
  cmd.add_flag("--json", o.json, "Print the summary as one JSON object");
}

void addImportCommand(CLI::App& app) {
  auto o = std::make_shared<ImportOptions>();
  auto* cmd = app.add_subcommand("import", "Import or update customers from a CRM export (an upsert by customer_id)");
  addImportOptions(*cmd, *o);
  cmd->add_flag("--strict", o->strict, "Reject a whole row for a bad optional field, instead of dropping the field");
  cmd->add_flag("--full", o->full, "The file is your whole customer file: report the stored customers it no longer has");
  cmd->add_flag("--remove-missing", o->removeMissing, "With --full: erase those customers (as `customer erase` does)");
  cmd->footer(
      "Canonical columns: customer_id, email, phone, first_name, last_name, birth_date, postal_code, country.\n"
      "Every other column is kept as an attribute of the customer (segment, income band, ...); a column the\n"
      "file does not have keeps its stored value, an empty cell clears it.\n"
      "Consent: consent_<purpose> = granted/withdrawn, yes/no, true/false, 1/0 or the ISO date of the grant;\n"
      "optional consent_source, consent_date, consent_basis, consent_notice_version, consent_expires.\n"
      "Examples:\n"
      "  entente import contacts.csv --preset salesforce --map 'Partner Offers=consent_cross-selling'\n"
      "  entente import crm-export.csv --map 'Client ID=customer_id' --map 'E-mail=email' --date-format '%d/%m/%Y'\n"
      "  entente import crm-export.csv --map-file our-crm.toml --dry-run");
  cmd->callback([o] { runImport(*o); });
}

}  // namespace entente::tools
