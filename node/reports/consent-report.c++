// The consent report: per purpose, how many customers granted, withdrew, were never
// asked or let a grant expire; how the grants moved over the period (a chart); the
// purposes' descriptions and legal bases; and where the period's changes came from.
#include "node/reports/report-kinds.h"

#include "storage/consent-store.h"
#include "storage/customer-store.h"
#include "text/utc-time.h"

#include <algorithm>
#include <map>

namespace entente::node {
namespace {

// The source of a change without its line: "import crm.csv:17" -> "import crm.csv".
std::string sourceFile(const std::string& source) {
  auto colon = source.rfind(':');
  if (colon != std::string::npos && colon + 1 < source.size() &&
      std::all_of(source.begin() + static_cast<long>(colon) + 1, source.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    return source.substr(0, colon);
  }
  return source;
}

bool grantedAt(const std::vector<storage::ConsentChange>& history, int64_t t) {
  const storage::ConsentChange* last = nullptr;
  for (auto& c : history) {
    if (c.atUnix <= t) last = &c;
  }
  return last && last->granted && (last->expiresAtUnix == 0 || last->expiresAtUnix > t);
}

}  // namespace

ReportDocument consentReport(NodeContext& context, const storage::Transaction& txn, const ReportRequest& request,
                             const AuditHead& head) {
  ReportDocument d{"consent", "Consent report", reportMeta(context, request, head), {}};
  int64_t now = context.clock();
  int64_t until = std::min(request.untilUnix, now);
  int64_t since = request.sinceUnix == std::numeric_limits<int64_t>::min() ? until - 365 * 86400 : request.sinceUnix;
  if (since > until) since = until;
  for (auto& [name, value] : d.meta) {
    if (name == "Period") value = isoTime(since) + " to " + isoTime(until);
  }
  constexpr int kPoints = 13;
  std::vector<int64_t> times;
  for (int i = 0; i < kPoints; ++i) times.push_back(since + (until - since) * i / (kPoints - 1));

  const auto& purposes = context.config.purposes;
  std::map<std::string, std::array<uint64_t, 4>> counts;
  std::map<std::string, std::vector<double>> grantedOverTime;
  std::map<std::string, std::pair<uint64_t, uint64_t>> changesInPeriod;  // purpose -> grants, withdrawals
  std::map<std::string, std::map<std::string, uint64_t>> bases;          // purpose -> basis -> customers
  std::map<std::string, uint64_t> sources;
  uint64_t customers = 0;
  for (auto& p : purposes) grantedOverTime[p.name].assign(times.size(), 0);
  storage::CustomerStore::forEach(txn, [&](uint64_t key, storage::schema::Customer::Reader) {
    ++customers;
    for (auto& p : purposes) {
      counts[p.name][static_cast<size_t>(storage::ConsentStore::state(txn, key, p.name, until))]++;
      auto history = storage::ConsentStore::history(txn, key, p.name);
      if (!history.empty()) bases[p.name][history.back().basis]++;
      for (size_t i = 0; i < times.size(); ++i) grantedOverTime[p.name][i] += grantedAt(history, times[i]);
      for (auto& c : history) {
        if (c.recordedAtUnix < since || c.recordedAtUnix > until) continue;
        (c.granted ? changesInPeriod[p.name].first : changesInPeriod[p.name].second)++;
        sources[sourceFile(c.source)]++;
      }
    }
  });

  ReportSection now_{"Consent per purpose", {}, {}, {}, {}};
  now_.paragraphs.push_back("The state of each customer's consent at the end of the period. \"Expired\" is a grant "
                            "whose expiry date has passed: it counts as withdrawn.");
  now_.facts.emplace_back("Customers", std::to_string(customers));
  ReportTable t{"consent-by-purpose", "Customers per purpose and consent state",
                {"purpose", "granted", "withdrawn", "expired", "never asked"}, {}, "No purposes."};
  for (auto& p : purposes) {
    auto& c = counts[p.name];
    using S = storage::ConsentState;
    t.rows.push_back({p.name, std::to_string(c[size_t(S::GRANTED)]), std::to_string(c[size_t(S::WITHDRAWN)]),
                      std::to_string(c[size_t(S::EXPIRED)]), std::to_string(c[size_t(S::NEVER_ASKED)])});
  }
  now_.tables.push_back(std::move(t));
  d.sections.push_back(std::move(now_));

  ReportSection change{"Change over the period", {}, {}, {}, {}};
  ReportChart chart{"granted-over-time", "Customers with consent granted, per purpose", "", {}, {}};
  for (auto t0 : times) chart.labels.push_back(text::utcDate(t0));
  for (auto& p : purposes) {
    auto& series = grantedOverTime[p.name];
    chart.series.push_back({p.name, series});
    chart.summary += (chart.summary.empty() ? "" : "; ") + p.name + " from " +
                     std::to_string(static_cast<uint64_t>(series.front())) + " to " +
                     std::to_string(static_cast<uint64_t>(series.back()));
  }
  chart.summary = "Granted consents " + chart.summary;
  change.charts.push_back(std::move(chart));
  ReportTable changes{"changes-in-period", "Consent changes recorded in the period",
                      {"purpose", "grants", "withdrawals"}, {}, "None."};
  for (auto& p : purposes) {
    auto& c = changesInPeriod[p.name];
    changes.rows.push_back({p.name, std::to_string(c.first), std::to_string(c.second)});
  }
  change.tables.push_back(std::move(changes));
  d.sections.push_back(std::move(change));

  ReportSection defs{"Purposes and legal bases", {}, {}, {}, {}};
  ReportTable def{"purposes", "What each purpose means, and the legal bases its records give",
                  {"purpose", "description", "legal bases (customers)"}, {}, "No purposes."};
  for (auto& p : purposes) {
    std::string list;
    for (auto& [basis, n] : bases[p.name]) list += (list.empty() ? "" : ", ") + basis + " (" + std::to_string(n) + ")";
    def.rows.push_back({p.name, p.description, list.empty() ? "none recorded" : list});
  }
  defs.tables.push_back(std::move(def));
  d.sections.push_back(std::move(defs));

  ReportSection from{"Sources of the changes", {}, {}, {}, {}};
  from.paragraphs.push_back("Imports name their file; changes made on the command line name the token (\"cli:NAME\").");
  ReportTable src{"change-sources", "Consent changes in the period, per source", {"source", "changes"}, {}, "None."};
  for (auto& [name, n] : sources) src.rows.push_back({name, std::to_string(n)});
  from.tables.push_back(std::move(src));
  d.sections.push_back(std::move(from));
  return d;
}

}  // namespace entente::node
