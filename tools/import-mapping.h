// How a firm's export becomes Entente's columns, written once: a mapping file
// (`--map-file FILE`, TOML), a built-in preset (`--preset salesforce|hubspot`, the
// files in tools/presets/, built into the binary), and `--map`/`--ignore`/
// `--date-format` on the command line, which add to or override them.
//
// A mapping can send a column to one or several targets (canonical columns,
// consent_<purpose>, or an attribute under a new name), translate its values
// ("1" -> "withdrawn" for an opt-out box, "Oui" -> "yes"), give the date format of a
// column, and name columns to leave out. The format is documented in
// docs/operations.md ("Mappings"); tools/presets/*.toml are worked examples.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace entente::tools {

struct ColumnRule {
  std::vector<std::string> targets;  // empty: the column is not imported
  bool targetsGiven = false;         // a rule with only values/date_format keeps the default target
  // Lower-case trimmed source value -> the value sent instead.
  std::map<std::string, std::string> values;
  std::string dateFormat;
  bool ignored = false;
};

struct ImportMapping {
  std::string name;         // the preset's name or the file's path, for messages
  std::string description;
  std::string dateFormat;   // for every date column without its own
  std::map<std::string, ColumnRule> columns;  // by the export's column name
  std::vector<std::string> commandLineColumns;  // named by --map or --ignore: the file must have them

  // Throws CliError (exit 2) naming the file, the line and the key that is wrong.
  static ImportMapping parse(const std::string& toml, const std::string& name);
  static ImportMapping fromFile(const std::string& path);
  // Throws CliError listing the presets when `name` is not one.
  static ImportMapping preset(const std::string& name);
  static std::vector<std::string> presetNames();

  // `--map THEIR=TARGET[,TARGET...]` (an empty target leaves the column out) and
  // `--ignore THEIR`: override the rule's targets, keep its values and date format.
  void applyMap(const std::string& map);
  void ignore(const std::string& column);
};

// One field of an outgoing row: which column of the file it comes from and how.
struct MappedField {
  std::string target;
  size_t sourceIndex;
  const ColumnRule* rule;  // nullptr: the value as it is
};

// The plan for one file: the fields each row sends, the date formats the node applies
// per canonical date column, and the columns left out.
struct MappedHeader {
  std::vector<MappedField> fields;
  std::map<std::string, std::string> dateFormats;
  std::vector<std::string> ignored;
  std::vector<std::string> targets() const;
  // The value sent for `raw` of this field (the rule's translation, or `raw`).
  static std::string valueOf(const MappedField& field, const std::string& raw);
};

// What one kind of import (customers, history events) reads.
struct ImportKind {
  std::vector<std::string> columns;      // its canonical columns
  std::vector<std::string> dateColumns;  // those holding dates
  bool consentColumns;                   // consent_<purpose> and the consent_* details
  bool attributes;                       // other targets are attributes (else refused)
  static const ImportKind& customers();
  static const ImportKind& history();
  bool isColumn(const std::string& target) const;
};

// Checks the header against the mapping: every target once, a customer_id, no column
// named twice. `dateFormat` is `--date-format` (overrides the mapping's). Throws
// CliError (exit 2) naming the file and the column.
MappedHeader mapHeader(const std::vector<std::string>& header, const ImportMapping& mapping,
                       const std::string& dateFormat, const ImportKind& kind, const std::string& file);

// The columns a rejects file adds to a row (tools/import-command.c++); a mapping
// leaves them out, so a fixed rejects file imports as it is.
inline constexpr const char* kRejectedLineColumn = "entente_rejected_line";
inline constexpr const char* kRejectedReasonColumn = "entente_rejected_reason";

}  // namespace entente::tools
