// The machine-readable forms of a report. CSV: the meta facts as comment lines, then
// each table (and each chart's numbers) as a block: a "# table: ID" line, the header,
// the rows, a blank line; cells quoted as RFC 4180 says. JSON: the whole document, the
// tables as arrays of objects keyed by column.
#include "node/reports/report-document.h"

#include <nlohmann/json.hpp>

#include <sstream>

namespace entente::node {
namespace {

std::string csvCell(const std::string& s) {
  // A cell starting with = + - @ would be a formula in a spreadsheet: quoted and
  // prefixed with ' (OWASP's advice for CSV injection), since names come from imports.
  bool formula = !s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '@' || (s[0] == '-' && s.size() > 1 &&
                                                                              !std::isdigit(static_cast<unsigned char>(s[1]))));
  if (!formula && s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  if (formula) out += '\'';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void csvLine(std::ostringstream& out, const std::vector<std::string>& cells) {
  for (size_t i = 0; i < cells.size(); ++i) out << (i ? "," : "") << csvCell(cells[i]);
  out << "\r\n";
}

nlohmann::ordered_json factsJson(const Facts& facts) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (auto& [k, v] : facts) j[k] = v;
  return j;
}

nlohmann::ordered_json tableJson(const ReportTable& t) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (auto& row : t.rows) {
    nlohmann::ordered_json r = nlohmann::ordered_json::object();
    for (size_t c = 0; c < t.columns.size(); ++c) r[t.columns[c]] = c < row.size() ? row[c] : "";
    rows.push_back(std::move(r));
  }
  return {{"id", t.id}, {"caption", t.caption}, {"columns", t.columns}, {"rows", std::move(rows)}};
}

}  // namespace

std::string renderCsv(const ReportDocument& d) {
  std::ostringstream out;
  out << "# " << d.title << "\r\n";
  for (auto& [k, v] : d.meta) out << "# " << k << ": " << v << "\r\n";
  for (auto& s : d.sections) {
    std::vector<ReportTable> tables;
    for (auto& c : s.charts) tables.push_back(chartNumbers(c, c.title));
    tables.insert(tables.end(), s.tables.begin(), s.tables.end());
    if (!s.facts.empty()) {
      ReportTable facts{"", s.heading, {"fact", "value"}, {}, ""};
      for (auto& [k, v] : s.facts) facts.rows.push_back({k, v});
      tables.insert(tables.begin(), facts);
    }
    for (auto& t : tables) {
      out << "\r\n# table: " << (t.id.empty() ? s.heading : t.id) << "\r\n";
      csvLine(out, t.columns);
      for (auto& row : t.rows) csvLine(out, row);
    }
  }
  return out.str();
}

std::string renderJson(const ReportDocument& d) {
  nlohmann::ordered_json sections = nlohmann::ordered_json::array();
  for (auto& s : d.sections) {
    nlohmann::ordered_json tables = nlohmann::ordered_json::array();
    for (auto& t : s.tables) tables.push_back(tableJson(t));
    nlohmann::ordered_json charts = nlohmann::ordered_json::array();
    for (auto& c : s.charts) {
      nlohmann::ordered_json series = nlohmann::ordered_json::array();
      for (auto& x : c.series) series.push_back({{"name", x.name}, {"values", x.values}});
      charts.push_back({{"id", c.id}, {"title", c.title}, {"summary", c.summary}, {"labels", c.labels},
                        {"series", std::move(series)}});
    }
    sections.push_back({{"heading", s.heading},
                        {"paragraphs", s.paragraphs},
                        {"facts", factsJson(s.facts)},
                        {"tables", std::move(tables)},
                        {"charts", std::move(charts)}});
  }
  nlohmann::ordered_json j = {
      {"kind", d.kind}, {"title", d.title}, {"meta", factsJson(d.meta)}, {"sections", std::move(sections)}};
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace entente::node
