// The terminal form of a report: headings underlined, facts aligned, tables with
// columns padded to their widest cell (in code points, so accented names align).
#include "node/reports/report-document.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace entente::node {
namespace {

size_t width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

void pad(std::ostringstream& out, const std::string& s, size_t to) {
  out << s;
  for (size_t i = width(s); i < to; ++i) out << ' ';
}

// Paragraphs wrapped at 88 columns, at spaces.
void paragraph(std::ostringstream& out, const std::string& text) {
  constexpr size_t kWidth = 88;
  size_t column = 0, at = 0;
  while (at < text.size()) {
    size_t end = text.find(' ', at);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(at, end - at);
    if (column > 0 && column + 1 + width(word) > kWidth) {
      out << '\n';
      column = 0;
    } else if (column > 0) {
      out << ' ';
      ++column;
    }
    out << word;
    column += width(word);
    at = end + 1;
  }
  out << "\n\n";
}

void facts(std::ostringstream& out, const Facts& list) {
  size_t w = 0;
  for (auto& [k, v] : list) w = std::max(w, width(k));
  for (auto& [k, v] : list) {
    pad(out, k + ":", w + 2);
    out << v << '\n';
  }
}

void table(std::ostringstream& out, const ReportTable& t) {
  out << t.caption << '\n';
  if (t.rows.empty()) {
    out << "  " << t.whenEmpty << "\n\n";
    return;
  }
  std::vector<size_t> w(t.columns.size());
  for (size_t c = 0; c < t.columns.size(); ++c) w[c] = width(t.columns[c]);
  for (auto& row : t.rows) {
    for (size_t c = 0; c < row.size() && c < w.size(); ++c) w[c] = std::max(w[c], width(row[c]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    out << ' ';
    for (size_t c = 0; c < w.size(); ++c) {
      out << ' ';
      pad(out, c < cells.size() ? cells[c] : "", c + 1 < w.size() ? w[c] + 1 : 0);
    }
    out << '\n';
  };
  line(t.columns);
  for (auto& row : t.rows) line(row);
  out << '\n';
}

}  // namespace

std::string renderText(const ReportDocument& d) {
  std::ostringstream out;
  out << d.title << '\n' << std::string(width(d.title), '=') << '\n';
  facts(out, d.meta);
  for (auto& s : d.sections) {
    out << '\n' << s.heading << '\n' << std::string(width(s.heading), '-') << '\n';
    for (auto& p : s.paragraphs) paragraph(out, p);
    if (!s.facts.empty()) {
      facts(out, s.facts);
      out << '\n';
    }
    for (auto& c : s.charts) table(out, chartNumbers(c, c.title + " (" + c.summary + ")"));
    for (auto& t : s.tables) table(out, t);
  }
  return out.str();
}

ReportTable chartNumbers(const ReportChart& c, std::string caption) {
  ReportTable t{c.id, std::move(caption), {"date"}, {}, "No data in the period."};
  for (auto& series : c.series) t.columns.push_back(series.name);
  for (size_t i = 0; i < c.labels.size(); ++i) {
    std::vector<std::string> row{c.labels[i]};
    for (auto& series : c.series) {
      std::ostringstream v;
      v << series.values[i];
      row.push_back(v.str());
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

ReportFormat reportFormatFromName(const std::string& name) {
  if (name == "text") return ReportFormat::TEXT;
  if (name == "html") return ReportFormat::HTML;
  if (name == "csv") return ReportFormat::CSV;
  if (name == "json") return ReportFormat::JSON;
  throw std::invalid_argument("unknown report format '" + name + "'; choose text, html, csv or json");
}

const char* contentTypeOf(ReportFormat format) {
  switch (format) {
    case ReportFormat::TEXT: return "text/plain; charset=utf-8";
    case ReportFormat::HTML: return "text/html; charset=utf-8";
    case ReportFormat::CSV: return "text/csv; charset=utf-8";
    case ReportFormat::JSON: return "application/json";
  }
  return "application/octet-stream";
}

std::string render(const ReportDocument& document, ReportFormat format) {
  switch (format) {
    case ReportFormat::TEXT: return renderText(document);
    case ReportFormat::HTML: return renderHtml(document);
    case ReportFormat::CSV: return renderCsv(document);
    case ReportFormat::JSON: return renderJson(document);
  }
  return {};
}

}  // namespace entente::node
