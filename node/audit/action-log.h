// The one place every action of a node passes through: each control request (import,
// pairing, match, consent, erasure) and each partner session (opened, refused,
// completed, failed) is written here with who asked and what came of it: a line in
// the node's log, and an entry of the tamper-evident audit trail (node/audit-trail.h)
// once one is attached. If the audit entry cannot be written, record() throws: an
// action must not pass unaudited.
//
// Entries carry counts, names and reasons, never an identifier or a key.
#pragma once

#include <kj/exception.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace entente::node {

using Details = std::vector<std::pair<std::string, std::string>>;

class AuditTrail;

class ActionLog {
 public:
  // Appends to `file`; also echoes to stderr when `echo` (a node in the foreground).
  ActionLog(const std::filesystem::path& file, bool echo);
  ~ActionLog();
  ActionLog(const ActionLog&) = delete;
  ActionLog& operator=(const ActionLog&) = delete;

  // action: "import.batch", "peer.add", "match.request", "session.serve", ...
  // outcome: "ok", "refused", "failed", "completed", ...
  void record(std::string_view action, std::string_view actor, std::string_view outcome,
              const Details& details = {});

  // From now on every record also goes to `trail` (not owned; may be null).
  void attachAudit(AuditTrail* trail) { audit_ = trail; }

  // Runs `body` and records its outcome: "ok" with the details it returns, or
  // "failed" with the error's message (and rethrows).
  template <typename Body>
  auto perform(std::string_view action, std::string_view actor, Details details, Body&& body) {
    try {
      auto result = body(details);
      record(action, actor, "ok", details);
      return result;
    } catch (const kj::Exception& e) {
      details.emplace_back("error", e.getDescription().cStr());
      record(action, actor, "failed", details);
      throw;
    } catch (const std::exception& e) {
      details.emplace_back("error", e.what());
      record(action, actor, "failed", details);
      throw;
    }
  }

 private:
  std::FILE* file_;
  bool echo_;
  AuditTrail* audit_ = nullptr;
};

}  // namespace entente::node
