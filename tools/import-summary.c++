#include "tools/import-summary.h"

#include "tools/control-client.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

namespace entente::tools {
namespace {

// Lines printed per kind (rejections, dropped fields) before the rest are only counted.
constexpr uint64_t kShownPerKind = 100;

}  // namespace

ImportSummary::ImportSummary(const ImportOptions& options, const std::vector<std::string>& header,
                             const MappedHeader& mapped)
    : options_(options) {
  for (auto& field : mapped.fields) {
    sources_[field.target] = header[field.sourceIndex];
    bool dated = false;
    for (auto& column : (options.kind == ImportOptions::Kind::HISTORY ? ImportKind::history() : ImportKind::customers())
                            .dateColumns) {
      dated = dated || column == field.target;
    }
    if (dated && !mapped.dateFormats.count(field.target)) dates_[field.target];
  }
}

std::string ImportSummary::sourceOf(const std::string& target) const {
  auto it = sources_.find(target);
  return it == sources_.end() || it->second == target ? target : target + " (column \"" + it->second + "\")";
}

void ImportSummary::headerChecked(protocol::control::HeaderCheck::Reader header) {
  for (auto note : header.getNotes()) {
    headerNotes_.push_back(note);
    if (!options_.json) fmt::print(stderr, "note: {}\n", note.cStr());
  }
}

void ImportSummary::sawValue(const MappedField& field, const std::string& raw) {
  if (raw.empty()) return;
  auto it = dates_.find(field.target);
  if (it == dates_.end()) return;
  it->second.evidence.add(raw);
  if (text::readDate(raw, field.target).outcome == text::DateOutcome::AMBIGUOUS) ++it->second.ambiguous;
}

void ImportSummary::rejected(uint64_t line, const std::string& reason) {
  if (rejectedShown_ >= kShownPerKind) {
    ++rejectedMore_;
    return;
  }
  ++rejectedShown_;
  fmt::print(stderr, "{}:{}: rejected: {}\n", options_.file, line, reason);
}

void ImportSummary::dropped(uint64_t line, const std::string& column, const std::string& reason) {
  if (droppedShown_ >= kShownPerKind) {
    ++droppedMore_;
    return;
  }
  ++droppedShown_;
  fmt::print(stderr, "{}:{}: {} dropped, customer kept: {}\n", options_.file, line, sourceOf(column), reason);
}

void ImportSummary::printJson(uint64_t rows, protocol::control::ImportCounts::Reader total,
                              protocol::control::ImportReport::Reader report) {
  nlohmann::ordered_json out;
  out["file"] = options_.file;
  out["dryRun"] = report.getDryRun();
  out["rows"] = rows;
  out["inserted"] = total.getInserted();
  out["updated"] = total.getUpdated();
  out["unchanged"] = total.getUnchanged();
  out["rejected"] = total.getRejected();
  out["sharedIdentifiers"] = total.getSharedIdentifiers();
  out["consentChanges"] = total.getConsentChanges();
  auto& changes = out["fieldChanges"] = nlohmann::ordered_json::object();
  for (auto c : report.getFieldChanges()) {
    changes[c.getField().cStr()] = {{"changed", c.getChanged()}, {"added", c.getAdded()}, {"removed", c.getRemoved()}};
  }
  auto& dropped = out["droppedFields"] = nlohmann::ordered_json::array();
  for (auto d : report.getDropped()) {
    dropped.push_back({{"column", d.getColumn().cStr()}, {"reason", d.getReason().cStr()}, {"count", d.getCount()}});
  }
  out["repeatedCustomerIds"] = report.getRepeatedIds();
  out["customersWithoutIdentifier"] = report.getNoIdentifier();
  out["notes"] = headerNotes_;
  auto& suspects = out["suspectSpecialCategoryColumns"] = nlohmann::ordered_json::array();
  for (auto s : report.getSuspectColumns()) suspects.push_back(s.cStr());
  if (options_.full) {
    out["missing"] = report.getMissing();
    out["removed"] = report.getRemoved();
    if (report.getRemovalRefused().size() > 0) out["removalRefused"] = report.getRemovalRefused().cStr();
  }
  auto& suggestions = out["dateFormatSuggestions"] = nlohmann::ordered_json::object();
  for (auto& [column, date] : dates_) {
    if (auto format = date.evidence.suggestion()) suggestions[column] = std::string(*format);
  }
  fmt::print("{}\n", out.dump());
}

void ImportSummary::print(uint64_t rows, uint64_t lastLine, protocol::control::ImportCounts::Reader total,
                          protocol::control::ImportReport::Reader report) {
  if (options_.json) {
    printJson(rows, total, report);
    return;
  }
  if (rejectedMore_ > 0) fmt::print(stderr, "... and {} more rejected rows (--rejects FILE lists them all)\n", rejectedMore_);
  if (droppedMore_ > 0) fmt::print(stderr, "... and {} more dropped fields (counted below)\n", droppedMore_);
  bool dry = report.getDryRun();
  fmt::print("{} {} ({} rows, last line {})\n", dry ? "dry run of" : "imported", options_.file, rows, lastLine);
  if (dry) fmt::print("  nothing was stored: these are the changes the import would make\n");
  if (options_.kind == ImportOptions::Kind::CONSENT) {
    fmt::print("  rows applied {}, rejected {}; consent states changed: {}\n", total.getUpdated(), total.getRejected(),
               total.getConsentChanges());
    return;
  }
  const char* noun = options_.kind == ImportOptions::Kind::HISTORY ? "events" : "customers";
  fmt::print("  {}: {} inserted, {} updated, {} unchanged, {} rejected\n", noun, total.getInserted(),
             total.getUpdated(), total.getUnchanged(), total.getRejected());
  if (options_.kind == ImportOptions::Kind::CUSTOMERS) {
    fmt::print("  consent states changed: {}\n", total.getConsentChanges());
  }
  if (report.getFieldChanges().size() > 0) {
    fmt::print("  fields the updates {}:\n", dry ? "would change" : "changed");
    for (auto c : report.getFieldChanges()) {
      std::string parts;
      auto part = [&](uint64_t n, const char* what) {
        if (n > 0) parts += (parts.empty() ? "" : ", ") + fmt::format("{} {}", n, what);
      };
      part(c.getChanged(), "changed");
      part(c.getAdded(), "added");
      part(c.getRemoved(), "removed");
      fmt::print("    {}: {}\n", c.getField().cStr(), parts);
    }
  }
  if (report.getDropped().size() > 0) {
    fmt::print("  fields dropped (the customers were kept without them):\n");
    for (auto d : report.getDropped()) {
      fmt::print("    {}: {} rows: {}\n", sourceOf(d.getColumn()), d.getCount(), d.getReason().cStr());
    }
  }
  for (auto& [column, date] : dates_) {
    if (date.ambiguous == 0) continue;
    if (auto format = date.evidence.suggestion()) {
      fmt::print("  note: {} dates of {} read two ways and were dropped; every date of the column reads with "
                 "--date-format '{}'\n",
                 date.ambiguous, sourceOf(column), *format);
    } else {
      fmt::print("  note: {} dates of {} read two ways and were dropped; give the file's format with "
                 "--date-format (e.g. '%d/%m/%Y' or '%m/%d/%Y')\n",
                 date.ambiguous, sourceOf(column));
    }
  }
  if (total.getSharedIdentifiers() > 0) {
    fmt::print("  note: {} identifiers are now held by more than one customer (possible duplicates in your CRM)\n",
               total.getSharedIdentifiers());
  }
  if (report.getRepeatedIds() > 0) {
    fmt::print("  note: {} rows repeat a customer_id of an earlier row and were rejected (the first row of each "
               "was imported)\n",
               report.getRepeatedIds());
  }
  if (report.getNoIdentifier() > 0) {
    fmt::print("  note: {} customers have no e-mail, phone or complete name, birth date and postal code to match "
               "on (the first on line {})\n",
               report.getNoIdentifier(), report.getFirstNoIdentifierLine());
  }
  for (auto s : report.getSuspectColumns()) {
    fmt::print("  warning: column {}: its values look like special-category data (GDPR Art. 9); if it holds "
               "such data, list it under special_category_attributes in node.toml\n",
               s.cStr());
  }
  if (options_.full) {
    std::string sample;
    for (auto id : report.getMissingSample()) sample += (sample.empty() ? "" : ", ") + std::string(id.cStr());
    if (report.getMissing() == 0) {
      fmt::print("  full export: every stored customer is in the file\n");
    } else {
      fmt::print("  full export: {} stored customers are not in the file{}{}\n", report.getMissing(),
                 sample.empty() ? "" : ": ", sample + (report.getMissing() > report.getMissingSample().size() ? ", ..." : ""));
      if (report.getRemoved() > 0) {
        fmt::print("  erased {} of them (--remove-missing), each logged as customer.erase\n", report.getRemoved());
      } else if (report.getRemovalRefused().size() > 0) {
        fmt::print("  not erased: {}\n", report.getRemovalRefused().cStr());
      } else {
        fmt::print("  --remove-missing erases them, as `entente customer erase` does\n");
      }
    }
  }
  if (!options_.rejectsFile.empty()) {
    fmt::print("  rejected rows written to {} (fix them and import that file again)\n", options_.rejectsFile);
  }
}

}  // namespace entente::tools
