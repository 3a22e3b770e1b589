// What a compliance report is, apart from how it is shown: a title, the facts that
// tie it to the node and its audit log (node, period, generation time, audit head),
// and sections of paragraphs, facts, tables and charts. Each report kind
// (subject-report.h, ...) builds one; the renderers write the same document as text
// for a terminal, as one self-contained HTML file, as CSV, or as JSON, so the CSV and
// JSON hold exactly the rows of the HTML tables.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace entente::node {

using Facts = std::vector<std::pair<std::string, std::string>>;

struct ReportTable {
  std::string id;       // stable name for CSV and JSON ("sessions", "consent-changes")
  std::string caption;  // what the table holds, in a sentence
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  std::string whenEmpty = "None.";
};

struct ChartSeries {
  std::string name;
  std::vector<double> values;  // one per label
};

// A line chart over time (labels are dates), drawn as inline SVG in HTML and given as
// its numbers elsewhere; `summary` is its text alternative.
struct ReportChart {
  std::string id;
  std::string title;
  std::string summary;
  std::vector<std::string> labels;
  std::vector<ChartSeries> series;
};

struct ReportSection {
  std::string heading;
  std::vector<std::string> paragraphs;
  Facts facts;
  std::vector<ReportTable> tables;
  std::vector<ReportChart> charts;
};

struct ReportDocument {
  std::string kind;   // "subject", "consent", "audit", "processing"
  std::string title;
  Facts meta;         // node, period, generated, audit head: on every report
  std::vector<ReportSection> sections;
};

enum class ReportFormat { TEXT, HTML, CSV, JSON };

// "text", "html", "csv", "json"; throws std::invalid_argument naming the choices.
ReportFormat reportFormatFromName(const std::string& name);
const char* contentTypeOf(ReportFormat format);
std::string render(const ReportDocument& document, ReportFormat format);

// A chart's numbers as a table ("date" then one column per series): what text and CSV
// show for a chart, and what HTML shows under its SVG.
ReportTable chartNumbers(const ReportChart& chart, std::string caption);
// Text made safe inside HTML elements and attribute values.
std::string escapeHtml(const std::string& text);

std::string renderText(const ReportDocument& document);
std::string renderHtml(const ReportDocument& document);
std::string renderCsv(const ReportDocument& document);
std::string renderJson(const ReportDocument& document);

}  // namespace entente::node
