#include "node/server/node-metrics.h"

#include "storage/audit-store.h"
#include "storage/customer-store.h"

#include <fmt/core.h>

namespace entente::node {
namespace {

// Sessions left open this long (a crash of the other side before its last message)
// are forgotten, so that the map of open sessions stays small.
constexpr auto kForgetOpenAfter = std::chrono::hours(24);

std::string detail(const AuditEntry& entry, std::string_view key) {
  for (auto& [k, v] : entry.details) {
    if (k == key) return v;
  }
  return {};
}

// A label value as the text format wants it: backslash, quote and line feed escaped.
std::string label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out.empty() ? "unknown" : out;
}

}  // namespace

NodeMetrics::NodeMetrics(storage::Environment& store, const AuditChain& chain) : store_(store), chain_(chain) {}

void NodeMetrics::sessionEnded(const std::string& role, const std::string& session) {
  auto it = open_.find({role, session});
  if (it == open_.end()) return;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - it->second).count();
  open_.erase(it);
  auto& h = durations_[role];
  ++h.count;
  h.sum += seconds;
  for (size_t i = 0; i < kDurationBuckets.size(); ++i) {
    if (seconds <= kDurationBuckets[i]) ++h.buckets[i];
  }
}

void NodeMetrics::observe(const AuditEntry& entry) noexcept {
  try {
    auto now = std::chrono::steady_clock::now();
    std::erase_if(open_, [&](auto& item) { return now - item.second > kForgetOpenAfter; });
    // This node asked (match.session, or match.request when it failed before a
    // session), or a partner asked it (session.serve).
    bool requester = entry.action == "match.session" || entry.action == "match.request";
    bool responder = entry.action == "session.serve";
    if (requester || responder) {
      std::string role = requester ? "requester" : "responder";
      std::string partner = requester ? detail(entry, "peer") : entry.actor;
      std::string session = detail(entry, "session");
      if (entry.outcome == "opened") {
        if (!session.empty()) open_[{role, session}] = now;
        return;
      }
      // A request that completed has had its session counted (match.session completed).
      if (entry.outcome == "started" || (entry.action == "match.request" && entry.outcome == "completed")) return;
      ++sessions_[{role, partner, detail(entry, "purpose"), detail(entry, "mode"), entry.outcome}];
      if (!session.empty()) sessionEnded(role, session);
      if (entry.outcome == "refused") ++refusals_[{"session", detail(entry, "reason")}];
      return;
    }
    if (entry.outcome != "refused") return;
    if (entry.action == "connection") {
      auto repeated = detail(entry, "repeated");
      refusals_[{"connection", detail(entry, "reason")}] += repeated.empty() ? 1 : std::stoull(repeated);
    } else if (entry.action == "access.denied" || entry.action == "access.login") {
      ++refusals_[{"control", entry.action == "access.login" ? "unknown or revoked token" : "role not allowed"}];
    }
  } catch (...) {
    // A metric missed is not worth failing the action that was just committed.
  }
}

std::string NodeMetrics::render(int64_t nowUnix) const {
  std::string out;
  auto head = [&](const char* name, const char* type, const char* help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  head("entente_sessions_total", "counter",
       "Match sessions ended since the node started, by role, partner, purpose, mode and outcome.");
  for (auto& [key, count] : sessions_) {
    auto& [role, partner, purpose, mode, outcome] = key;
    out += fmt::format(
        "entente_sessions_total{{role=\"{}\",partner=\"{}\",purpose=\"{}\",mode=\"{}\",outcome=\"{}\"}} {}\n",
        label(role), label(partner), label(purpose), label(mode), label(outcome), count);
  }
  head("entente_session_duration_seconds", "histogram", "Duration of the match sessions that ended, by role.");
  for (auto& [role, h] : durations_) {
    for (size_t i = 0; i < kDurationBuckets.size(); ++i) {
      out += fmt::format("entente_session_duration_seconds_bucket{{role=\"{}\",le=\"{}\"}} {}\n", label(role),
                         kDurationBuckets[i], h.buckets[i]);
    }
    out += fmt::format("entente_session_duration_seconds_bucket{{role=\"{}\",le=\"+Inf\"}} {}\n", label(role), h.count);
    out += fmt::format("entente_session_duration_seconds_sum{{role=\"{}\"}} {}\n", label(role), h.sum);
    out += fmt::format("entente_session_duration_seconds_count{{role=\"{}\"}} {}\n", label(role), h.count);
  }
  head("entente_refusals_total", "counter",
       "Refusals since the node started: partner connections and sessions, control requests; by reason.");
  for (auto& [key, count] : refusals_) {
    out += fmt::format("entente_refusals_total{{kind=\"{}\",reason=\"{}\"}} {}\n", label(key.first),
                       label(key.second), count);
  }
  storage::Transaction txn(store_, storage::Transaction::Mode::READ);
  head("entente_customers", "gauge", "Customers held in the store.");
  out += fmt::format("entente_customers {}\n", storage::CustomerStore::count(txn));
  head("entente_store_bytes", "gauge", "Size of the store's data file.");
  out += fmt::format("entente_store_bytes {}\n", store_.fileBytes());
  head("entente_audit_entries", "gauge", "Entries in the audit log.");
  out += fmt::format("entente_audit_entries {}\n", storage::AuditStore::count(txn));
  uint64_t seq = 0;
  storage::Bytes bytes;
  AuditCheckpoint checkpoint;
  head("entente_audit_checkpoint_age_seconds", "gauge",
       "Seconds since the last signed checkpoint of the audit log (absent when there is none).");
  if (storage::AuditStore::lastCheckpoint(txn, seq, bytes) && decodeCheckpoint(bytes, checkpoint)) {
    out += fmt::format("entente_audit_checkpoint_age_seconds {}\n", nowUnix - checkpoint.timeUnix);
    head("entente_audit_uncovered_entries", "gauge", "Audit entries after the last signed checkpoint.");
    out += fmt::format("entente_audit_uncovered_entries {}\n", storage::AuditStore::count(txn) - checkpoint.count);
  }
  return out;
}

}  // namespace entente::node
