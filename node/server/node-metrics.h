// The node's metrics in the Prometheus text format (version 0.0.4), for the
// monitoring a firm already runs: sessions by partner, purpose, mode and outcome,
// their durations, refusals by reason, and gauges of the store and the audit log
// (customers, store bytes, audit entries, the age of the last signed checkpoint).
//
// Counters are fed by the audit entries as the gate commits them (ActionGate::observe):
// what the metrics count is exactly what the log holds, and nothing is counted that
// the log does not record. They start at zero when the node starts, as Prometheus
// counters may. Gauges are read from the store at each scrape. No label ever holds a
// customer's data: partners, purposes, modes, outcomes and refusal reasons only.
#pragma once

#include "node/audit/audit-chain.h"
#include "storage/environment.h"

#include <array>
#include <chrono>
#include <map>
#include <string>
#include <tuple>

namespace entente::node {

class NodeMetrics {
 public:
  NodeMetrics(storage::Environment& store, const AuditChain& chain);

  // Counts what one committed entry says (sessions, refusals).
  void observe(const AuditEntry& entry) noexcept;
  // The exposition, read at `nowUnix`.
  std::string render(int64_t nowUnix) const;

  // Upper bounds of the session-duration histogram, in seconds.
  static constexpr std::array<double, 10> kDurationBuckets = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};

 private:
  struct Histogram {
    std::array<uint64_t, kDurationBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  void sessionEnded(const std::string& role, const std::string& session);

  storage::Environment& store_;
  const AuditChain& chain_;
  // role, partner, purpose, mode, outcome -> sessions
  std::map<std::tuple<std::string, std::string, std::string, std::string, std::string>, uint64_t> sessions_;
  // kind, reason -> refusals
  std::map<std::pair<std::string, std::string>, uint64_t> refusals_;
  std::map<std::string, Histogram> durations_;  // by role
  // Sessions opened and not yet ended, by role and session id: when they opened.
  std::map<std::pair<std::string, std::string>, std::chrono::steady_clock::time_point> open_;
};

}  // namespace entente::node
