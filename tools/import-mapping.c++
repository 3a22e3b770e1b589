#include "tools/import-mapping.h"

#include "tools/control-client.h"
#include "tools/preset-files.h"
#include "text/date-reading.h"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace entente::tools {
namespace {

std::string lowerTrimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Levenshtein distance, to catch a mistyped target ("emial") before it silently
// becomes an attribute.
size_t distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t next = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = row[j];
      row[j] = next;
    }
  }
  return row[b.size()];
}

[[noreturn]] void fail(const std::string& where, const std::string& what) { throw CliError(where + ": " + what, 2); }

std::vector<std::string> targetsOf(const toml::node& node, const std::string& where) {
  std::vector<std::string> targets;
  if (auto text = node.value<std::string>()) {
    if (!text->empty()) targets.push_back(*text);
  } else if (auto* list = node.as_array()) {
    for (auto& item : *list) {
      auto text = item.value<std::string>();
      if (!text || text->empty()) fail(where, "`to` must list column names as strings");
      targets.push_back(*text);
    }
  } else {
    fail(where, "a column's target must be a name or a list of names");
  }
  return targets;
}

std::string located(const std::string& name, const toml::node& node) {
  return name + ":" + std::to_string(node.source().begin.line);
}

}  // namespace

const ImportKind& ImportKind::customers() {
  static const ImportKind kind{{"customer_id", "email", "phone", "first_name", "last_name", "birth_date",
                                "postal_code", "country"},
                               {"birth_date", "consent_date", "consent_expires"},
                               true,
                               true};
  return kind;
}

const ImportKind& ImportKind::history() {
  static const ImportKind kind{
      {"customer_id", "event_id", "date", "type", "category", "amount", "currency", "channel"}, {"date"}, false, false};
  return kind;
}

bool ImportKind::isColumn(const std::string& target) const {
  if (consentColumns && target.rfind("consent_", 0) == 0 && target.size() > 8) return true;
  return std::find(columns.begin(), columns.end(), target) != columns.end();
}

ImportMapping ImportMapping::parse(const std::string& text, const std::string& name) {
  toml::table table;
  try {
    table = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    fail(name + ":" + std::to_string(e.source().begin.line), std::string(e.description()));
  }
  ImportMapping mapping;
  mapping.name = name;
  for (auto& [key, node] : table) {
    std::string k(key.str());
    if (k != "mapping" && k != "columns") {
      fail(located(name, node), "unknown section [" + k + "]; a mapping has [mapping] and [columns]");
    }
  }
  if (auto* head = table["mapping"].as_table()) {
    for (auto& [key, node] : *head) {
      std::string k(key.str());
      if (k == "description" && node.is_string()) {
        mapping.description = *node.value<std::string>();
      } else if (k == "date_format" && node.is_string()) {
        mapping.dateFormat = *node.value<std::string>();
      } else if (k == "ignore" && node.is_array()) {
        for (auto& item : *node.as_array()) {
          auto column = item.value<std::string>();
          if (!column) fail(located(name, item), "`ignore` lists column names as strings");
          mapping.columns[*column].ignored = true;
        }
      } else {
        fail(located(name, node), "unknown or mistyped key `" + k +
                                      "` in [mapping]; it takes description, date_format and ignore (a list)");
      }
    }
  }
  if (auto* columns = table["columns"].as_table()) {
    for (auto& [key, node] : *columns) {
      std::string column(key.str());
      std::string where = located(name, node);
      auto& rule = mapping.columns[column];
      if (!node.is_table()) {
        rule.targets = targetsOf(node, where);
        rule.targetsGiven = true;
        continue;
      }
      for (auto& [ruleKey, value] : *node.as_table()) {
        std::string k(ruleKey.str());
        std::string at = located(name, value);
        if (k == "to") {
          rule.targets = targetsOf(value, at);
          rule.targetsGiven = true;
        } else if (k == "date_format" && value.is_string()) {
          rule.dateFormat = *value.value<std::string>();
        } else if (k == "ignore" && value.is_boolean()) {
          rule.ignored = *value.value<bool>();
        } else if (k == "values" && value.is_table()) {
          for (auto& [from, to] : *value.as_table()) {
            auto replacement = to.value<std::string>();
            if (!replacement) fail(located(name, to), "each value of `values` must be a string");
            rule.values[lowerTrimmed(from.str())] = *replacement;
          }
        } else {
          fail(at, "unknown or mistyped key `" + k + "` for column \"" + column +
                       "\"; a column takes to, values (a table), date_format and ignore");
        }
      }
    }
  }
  return mapping;
}

ImportMapping ImportMapping::fromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw CliError("cannot read the mapping file " + path + "; check the path", 2);
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

std::vector<std::string> ImportMapping::presetNames() {
  std::vector<std::string> names;
  for (auto& preset : presetFiles()) names.push_back(preset.name);
  return names;
}

ImportMapping ImportMapping::preset(const std::string& name) {
  std::string known;
  for (auto& preset : presetFiles()) {
    if (preset.name == name) return parse(preset.toml, "preset " + name);
    known += (known.empty() ? "" : ", ") + std::string(preset.name);
  }
  throw CliError("no preset named '" + name + "'; presets: " + known +
                     " (or write your own mapping and pass it with --map-file)",
                 2);
}

void ImportMapping::applyMap(const std::string& map) {
  auto eq = map.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw CliError("--map takes THEIR_COLUMN=TARGET[,TARGET...], e.g. --map 'E-mail Address=email' or "
                   "--map 'Newsletter=consent_cross-selling,consent_enrichment'",
                   2);
  }
  commandLineColumns.push_back(map.substr(0, eq));
  auto& rule = columns[map.substr(0, eq)];
  rule.targets.clear();
  rule.targetsGiven = true;
  rule.ignored = false;
  std::stringstream list(map.substr(eq + 1));
  for (std::string target; std::getline(list, target, ',');) {
    if (!target.empty()) rule.targets.push_back(target);
  }
  if (rule.targets.empty()) rule.ignored = true;
}

void ImportMapping::ignore(const std::string& column) {
  commandLineColumns.push_back(column);
  columns[column].ignored = true;
}

std::vector<std::string> MappedHeader::targets() const {
  std::vector<std::string> out;
  for (auto& f : fields) out.push_back(f.target);
  return out;
}

std::string MappedHeader::valueOf(const MappedField& field, const std::string& raw) {
  if (!field.rule || field.rule->values.empty()) return raw;
  auto it = field.rule->values.find(lowerTrimmed(raw));
  return it == field.rule->values.end() ? raw : it->second;
}

MappedHeader mapHeader(const std::vector<std::string>& header, const ImportMapping& mapping,
                       const std::string& dateFormat, const ImportKind& kind, const std::string& file) {
  MappedHeader out;
  std::set<std::string> sources, targets;
  auto checkTarget = [&](const std::string& target, const std::string& column) {
    if (kind.isColumn(target)) return;
    std::string closest;
    for (auto& c : kind.columns) {
      if (distance(c, target) <= 2) closest = c;
    }
    if (!kind.attributes || !closest.empty()) {
      std::string known;
      for (auto& c : kind.columns) known += (known.empty() ? "" : ", ") + c;
      throw CliError("column \"" + column + "\" is mapped to '" + target + "', which is not a column of this import" +
                         (closest.empty() ? "" : " (did you mean " + closest + "?)") + "; columns: " + known +
                         (kind.consentColumns ? ", consent_<purpose>" : "") +
                         (kind.attributes ? "; any other name keeps the column as an attribute" : ""),
                     2);
    }
  };
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string& column = header[i];
    if (column.empty()) throw CliError(file + ":1: column " + std::to_string(i + 1) + " has no name; name it or remove it", 2);
    if (!sources.insert(column).second) {
      throw CliError(file + ":1: column \"" + column + "\" appears twice; each column needs its own name", 2);
    }
    if (column == kRejectedLineColumn || column == kRejectedReasonColumn) continue;
    auto it = mapping.columns.find(column);
    const ColumnRule* rule = it == mapping.columns.end() ? nullptr : &it->second;
    std::vector<std::string> to{column};
    if (rule && rule->ignored) {
      out.ignored.push_back(column);
      continue;
    }
    if (rule && rule->targetsGiven) to = rule->targets;
    if (to.empty()) {
      out.ignored.push_back(column);
      continue;
    }
    // A column the mapping does not rename keeps its name: canonical when it is one.
    if (!kind.attributes && (!rule || !rule->targetsGiven) && !kind.isColumn(column)) {
      out.ignored.push_back(column);
      continue;
    }
    for (auto& target : to) {
      if (rule && rule->targetsGiven) checkTarget(target, column);
      if (!targets.insert(target).second) {
        throw CliError(file + ":1: two columns go to '" + target + "' (the last is \"" + column +
                           "\"); map only one of them there, or --ignore the other",
                       2);
      }
      out.fields.push_back({target, i, rule});
      bool dated = std::find(kind.dateColumns.begin(), kind.dateColumns.end(), target) != kind.dateColumns.end();
      std::string format = !dateFormat.empty() ? dateFormat
                           : rule && !rule->dateFormat.empty() ? rule->dateFormat
                                                               : mapping.dateFormat;
      if (dated && !format.empty()) {
        if (auto problem = text::dateFormatProblem(format)) {
          throw CliError("the date format '" + format + "' for column \"" + column + "\" cannot read dates: " +
                             *problem + " (e.g. '%d/%m/%Y')",
                         2);
        }
        out.dateFormats[target] = format;
      }
    }
  }
  // --map names a column the file must have; a preset may name columns an export
  // leaves out.
  for (auto& column : mapping.commandLineColumns) {
    if (!sources.count(column)) {
      throw CliError("--map or --ignore names column \"" + column + "\", which " + file + " does not have", 2);
    }
  }
  if (!targets.count("customer_id")) {
    throw CliError(file + " has no customer_id column; name the column holding your customer ids with "
                          "--map 'YOUR COLUMN=customer_id'",
                   2);
  }
  return out;
}

}  // namespace entente::tools
