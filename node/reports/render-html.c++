// One self-contained HTML file per report: no external asset and no script, so it
// opens offline, can be filed as is, and prints to PDF. Accessible by construction:
// one h1, h2 per section, tables with caption and th scope, charts as inline SVG with
// role="img", a <title> and a <desc> (their text alternative), followed by the same
// numbers in a table.
#include "node/reports/report-document.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace entente::node {
namespace {

std::string esc(const std::string& s) { return escapeHtml(s); }

constexpr const char* kStyle = R"(
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:2em auto;max-width:62em;color:#111;line-height:1.4}
h1{font-size:1.6em;border-bottom:2px solid #234;padding-bottom:.2em}
h2{font-size:1.25em;margin-top:1.6em;color:#234}
dl.meta,dl.facts{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}
dt{font-weight:bold}dd{margin:0}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.9em}
caption{text-align:left;font-style:italic;padding-bottom:.3em}
th,td{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#e8edf2}
td.n{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1em 0}figcaption{font-style:italic}
.legend span{margin-right:1.2em}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,figure{break-inside:avoid}}
)";

const char* kColours[] = {"#1f5f8b", "#c0392b", "#27ae60", "#8e44ad", "#d68910", "#2c3e50"};

bool numeric(const std::string& s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == ','; });
}

void table(std::ostringstream& out, const ReportTable& t) {
  if (t.rows.empty()) {
    out << "<p><em>" << esc(t.caption) << "</em>: " << esc(t.whenEmpty) << "</p>\n";
    return;
  }
  out << "<table id=\"" << esc(t.id) << "\"><caption>" << esc(t.caption) << "</caption>\n<thead><tr>";
  for (auto& c : t.columns) out << "<th scope=\"col\">" << esc(c) << "</th>";
  out << "</tr></thead>\n<tbody>\n";
  for (auto& row : t.rows) {
    out << "<tr>";
    for (size_t c = 0; c < t.columns.size(); ++c) {
      std::string cell = c < row.size() ? row[c] : "";
      out << (numeric(cell) ? "<td class=\"n\">" : "<td>") << esc(cell) << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</tbody></table>\n";
}

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

void chart(std::ostringstream& out, const ReportChart& c) {
  constexpr double W = 720, H = 240, left = 50, right = 20, top = 15, bottom = 40;
  double maxValue = 1;
  for (auto& s : c.series) for (double v : s.values) maxValue = std::max(maxValue, v);
  size_t n = c.labels.size();
  auto x = [&](size_t i) { return left + (n <= 1 ? 0 : (W - left - right) * static_cast<double>(i) / static_cast<double>(n - 1)); };
  auto y = [&](double v) { return top + (H - top - bottom) * (1 - v / maxValue); };
  out << "<figure id=\"" << esc(c.id) << "\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
      << "\" viewBox=\"0 0 " << W << ' ' << H << "\" role=\"img\" aria-labelledby=\"" << esc(c.id) << "-t " << esc(c.id)
      << "-d\">\n<title id=\"" << esc(c.id) << "-t\">" << esc(c.title) << "</title>\n<desc id=\"" << esc(c.id) << "-d\">"
      << esc(c.summary) << "</desc>\n";
  out << "<line x1=\"" << left << "\" y1=\"" << y(0) << "\" x2=\"" << W - right << "\" y2=\"" << y(0)
      << "\" stroke=\"#555\"/>\n<line x1=\"" << left << "\" y1=\"" << top << "\" x2=\"" << left << "\" y2=\"" << y(0)
      << "\" stroke=\"#555\"/>\n";
  out << "<text x=\"" << left - 6 << "\" y=\"" << top + 4 << "\" font-size=\"11\" text-anchor=\"end\">" << number(maxValue)
      << "</text>\n<text x=\"" << left - 6 << "\" y=\"" << y(0) << "\" font-size=\"11\" text-anchor=\"end\">0</text>\n";
  if (n > 0) {
    out << "<text x=\"" << x(0) << "\" y=\"" << H - bottom + 16 << "\" font-size=\"11\">" << esc(c.labels.front())
        << "</text>\n<text x=\"" << x(n - 1) << "\" y=\"" << H - bottom + 16 << "\" font-size=\"11\" text-anchor=\"end\">"
        << esc(c.labels.back()) << "</text>\n";
  }
  for (size_t s = 0; s < c.series.size(); ++s) {
    const char* colour = kColours[s % std::size(kColours)];
    out << "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" << colour << "\" points=\"";
    for (size_t i = 0; i < n; ++i) out << x(i) << ',' << y(c.series[s].values[i]) << ' ';
    out << "\"/>\n";
    for (size_t i = 0; i < n && n <= 40; ++i) {
      out << "<circle r=\"2.5\" fill=\"" << colour << "\" cx=\"" << x(i) << "\" cy=\"" << y(c.series[s].values[i]) << "\"/>\n";
    }
  }
  out << "</svg>\n<figcaption>" << esc(c.title) << ". <span class=\"legend\">";
  for (size_t s = 0; s < c.series.size(); ++s) {
    out << "<span style=\"color:" << kColours[s % std::size(kColours)] << "\">&#9632;</span> " << esc(c.series[s].name)
        << ' ';
  }
  out << "</span></figcaption>\n</figure>\n";
  ReportTable numbers = chartNumbers(c, c.title + ": the numbers");
  numbers.id = c.id + "-data";
  table(out, numbers);
}

void facts(std::ostringstream& out, const Facts& list, const char* cls) {
  out << "<dl class=\"" << cls << "\">\n";
  for (auto& [k, v] : list) out << "<dt>" << esc(k) << "</dt><dd>" << esc(v) << "</dd>\n";
  out << "</dl>\n";
}

}  // namespace

std::string escapeHtml(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string renderHtml(const ReportDocument& d) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" << esc(d.title)
      << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n<main>\n<h1>" << esc(d.title) << "</h1>\n";
  facts(out, d.meta, "meta");
  for (auto& s : d.sections) {
    out << "<section>\n<h2>" << esc(s.heading) << "</h2>\n";
    for (auto& p : s.paragraphs) out << "<p>" << esc(p) << "</p>\n";
    if (!s.facts.empty()) facts(out, s.facts, "facts");
    for (auto& c : s.charts) chart(out, c);
    for (auto& t : s.tables) table(out, t);
    out << "</section>\n";
  }
  out << "</main>\n</body>\n</html>\n";
  return out.str();
}

}  // namespace entente::node
