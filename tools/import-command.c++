// entente import FILE.csv [--map their=canonical]...: loads a CRM or ERP export into
// the node. The CLI reads and checks the CSV; the node normalises, checks and stores
// each batch of rows atomically. Re-running an import is safe: it is an upsert by
// customer_id, and unchanged customers are counted as such.
#include "text/csv.h"
#include "node/import/import-columns.h"
#include "tools/commands.h"
#include "tools/control-client.h"

#include <fmt/core.h>

#include <unistd.h>

#include <map>
#include <set>

namespace entente::tools {

namespace {

// The column names after --map, checked: unique, non-empty, with a customer_id.
std::vector<std::string> mapHeader(const std::vector<std::string>& header, const std::vector<std::string>& maps,
                                   const std::string& file) {
  std::map<std::string, std::string> renames;
  for (auto& m : maps) {
    auto eq = m.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) {
      throw CliError("--map takes THEIR_COLUMN=CANONICAL_COLUMN, e.g. --map 'E-mail Address=email'", 2);
    }
    std::string target = m.substr(eq + 1);
    if (!node::isCanonicalColumn(target)) {
      throw CliError("--map target '" + target +
                         "' is not a canonical column (customer_id, email, phone, first_name, last_name, birth_date, "
                         "postal_code, country, consent_<purpose>, consent_source, consent_date, consent_basis, "
                         "consent_notice_version, consent_expires); other columns are kept as attributes under "
                         "their own name",
                     2);
    }
    renames[m.substr(0, eq)] = target;
  }
  std::vector<std::string> columns;
  std::set<std::string> seen;
  for (auto& raw : header) {
    std::string name = raw;
    if (auto it = renames.find(raw); it != renames.end()) {
      name = it->second;
      renames.erase(it);
    }
    if (name.empty()) throw CliError(file + ":1: a column has no name; name it or remove it", 2);
    if (!seen.insert(name).second) {
      throw CliError(file + ":1: column '" + name + "' appears twice (after --map); each column needs its own name", 2);
    }
    columns.push_back(name);
  }
  if (!renames.empty()) {
    throw CliError("--map names column '" + renames.begin()->first + "', which " + file + " does not have", 2);
  }
  if (!seen.count("customer_id")) {
    throw CliError(file + " has no customer_id column; name the column holding your customer ids with "
                          "--map 'YOUR COLUMN=customer_id'",
                   2);
  }
  return columns;
}

void printCounts(const char* label, protocol::control::ImportCounts::Reader c) {
  fmt::print("{}: {} inserted, {} updated, {} unchanged, {} rejected\n", label, c.getInserted(), c.getUpdated(),
             c.getUnchanged(), c.getRejected());
}

void runImport(const ImportOptions& o) {
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
  auto columns = mapHeader(record.fields, o.maps, o.file);
  if (o.consentOnly) {
    std::string ignored;
    for (auto& c : columns) {
      if (c != "customer_id" && !node::isConsentColumn(c)) ignored += (ignored.empty() ? "" : ", ") + c;
    }
    if (!ignored.empty()) fmt::print(stderr, "note: a consent import ignores the columns {}\n", ignored);
  }

  ControlClient client(resolveNodeDir(o.node));
  auto begin = client.control().beginImportRequest();
  begin.setSource(std::filesystem::path(o.file).filename().string());
  begin.setConsentOnly(o.consentOnly);
  auto import = client.wait(begin.send()).getImport();

  bool progress = isatty(STDERR_FILENO) && !o.json;
  uint64_t clientRejected = 0, rows = 0, lastLine = 1;
  auto reject = [&](uint64_t line, const std::string& reason) {
    fmt::print(stderr, "{}:{}: rejected: {}\n", o.file, line, reason);
  };
  std::vector<csv::Record> batch;
  // A batch is bounded in bytes as well as rows, so that a file of very wide rows
  // never makes a message past Cap'n Proto's traversal limit (64 MiB).
  constexpr size_t kMaxBatchBytes = 8 << 20;
  size_t batchBytes = 0;
  auto flush = [&] {
    if (batch.empty()) return;
    auto request = import.rowsRequest();
    auto list = request.initRows(static_cast<unsigned>(batch.size()));
    for (unsigned i = 0; i < batch.size(); ++i) {
      list[i].setLine(batch[i].line);
      auto fields = list[i].initFields(static_cast<unsigned>(columns.size()));
      for (unsigned j = 0; j < columns.size(); ++j) {
        // With their sizes: a C string would end a value at an embedded NUL.
        fields[j].setName(capnp::Text::Reader(columns[j].data(), columns[j].size()));
        fields[j].setValue(capnp::Text::Reader(batch[i].fields[j].data(), batch[i].fields[j].size()));
      }
    }
    uint64_t firstLine = batch.front().line;
    batch.clear();
    batchBytes = 0;
    try {
      auto response = client.wait(request.send());  // owns what `outcome` reads
      auto outcome = response.getOutcome();
      for (auto r : outcome.getRejections()) reject(r.getLine(), r.getReason());
    } catch (const CliError& e) {
      throw CliError(std::string(e.what()) + "\nthe import stopped at the batch starting on line " +
                     std::to_string(firstLine) + "; the batches before it are stored; run the same import again " +
                     "once fixed (stored rows count as unchanged)");
    }
    if (progress) {
      double share = reader.totalBytes() ? 100.0 * reader.bytesRead() / reader.totalBytes() : 0;
      fmt::print(stderr, "\r{} rows read ({:.0f}%)", rows, share);
    }
  };
  while (reader.next(record, error)) {
    ++rows;
    lastLine = record.line;
    if (error) {
      reject(error->line, error->reason);
      ++clientRejected;
      continue;
    }
    if (record.fields.size() != columns.size()) {
      reject(record.line, "has " + std::to_string(record.fields.size()) + " fields where the header has " +
                              std::to_string(columns.size()));
      ++clientRejected;
      continue;
    }
    // What the row costs on the wire: its text, and per field two pointers, a struct
    // and the name again.
    for (auto& field : record.fields) batchBytes += field.size() + 48;
    for (auto& column : columns) batchBytes += column.size();
    batch.push_back(std::move(record));
    record = csv::Record();
    if (batch.size() >= o.batchRows || batchBytes >= kMaxBatchBytes) flush();
  }
  flush();
  if (progress) fmt::print(stderr, "\r{} rows read (100%)\n", rows);
  auto finish = import.finishRequest();
  finish.setClientRejected(clientRejected);
  auto finished = client.wait(finish.send());  // owns what `total` reads
  auto total = finished.getTotal();
  if (o.json) {
    fmt::print("{{\"file\":{},\"rows\":{},\"inserted\":{},\"updated\":{},\"unchanged\":{},\"rejected\":{},"
               "\"sharedIdentifiers\":{},\"consentChanges\":{}}}\n",
               jsonString(o.file), rows, total.getInserted(), total.getUpdated(), total.getUnchanged(),
               total.getRejected(), total.getSharedIdentifiers(), total.getConsentChanges());
    return;
  }
  fmt::print("imported {} ({} rows, last line {})\n", o.file, rows, lastLine);
  if (o.consentOnly) {
    fmt::print("  rows applied {}, rejected {}; consent states changed: {}\n", total.getUpdated(), total.getRejected(),
               total.getConsentChanges());
    return;
  }
  printCounts("  customers", total);
  fmt::print("  consent states changed: {}\n", total.getConsentChanges());
  if (total.getSharedIdentifiers() > 0) {
    fmt::print("  note: {} identifiers are now held by more than one customer (possible duplicates in your CRM)\n",
               total.getSharedIdentifiers());
  }
}

}  // namespace

void runImportCommand(const ImportOptions& o) { runImport(o); }

void addImportCommand(CLI::App& app) {
  auto o = std::make_shared<ImportOptions>();
  auto* cmd = app.add_subcommand("import", "Import or update customers from a CSV export (an upsert by customer_id)");
  cmd->add_option("FILE", o->file, "CSV file: RFC 4180, UTF-8 (with or without BOM), LF or CRLF")->required();
  cmd->add_option("--map", o->maps, "Rename a column: THEIR_COLUMN=CANONICAL (repeatable)");
  addNodeOption(*cmd, o->node);
  cmd->add_option("--batch-rows", o->batchRows, "Rows stored per atomic batch")->capture_default_str()->check(CLI::Range(1, 100000));
  cmd->add_flag("--json", o->json, "Print the summary as one JSON object");
  cmd->footer(
      "Canonical columns: customer_id, email, phone, first_name, last_name, birth_date, postal_code, country.\n"
      "Every other column is kept as an attribute of the customer (segment, income band, ...).\n"
      "Consent: consent_<purpose> = yes/no, true/false, 1/0 or the ISO date of the grant; optional\n"
      "consent_source, consent_date, consent_basis, consent_notice_version, consent_expires.\n"
      "Example: entente import crm-export.csv --map 'Client ID=customer_id' --map 'E-mail=email'");
  cmd->callback([o] { runImport(*o); });
}

}  // namespace entente::tools
