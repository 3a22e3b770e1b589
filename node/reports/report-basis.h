// What every report shares: the facts that tie it to its node and audit log, the
// period, the customer a subject report is about, and how times are written.
#pragma once

#include "node/reports/report-document.h"
#include "node/reports/report-request.h"
#include "storage/environment.h"

#include <optional>
#include <string>

namespace entente::node {

struct AuditHead {
  uint64_t entry = 0;
  std::string hash;  // hex, empty for an empty log
};

AuditHead auditHead(const NodeContext& context);
// Node, fingerprint, period, generation time and audit head.
Facts reportMeta(const NodeContext& context, const ReportRequest& request, const AuditHead& head);
// ISO 8601 with its zone ("2026-12-05T03:10:00Z"); "" for 0 when `zeroIsNone`.
std::string isoTime(int64_t unixSeconds, bool zeroIsNone = false);

// Who a subject request names: the customer's key, or when it was erased.
struct FoundSubject {
  std::optional<uint64_t> key;
  std::optional<int64_t> erasedAtUnix;
};
// Throws a user-facing error when nothing matches (nothing held, no erasure) or when
// several customers hold the identifier (it names their customer_ids to choose from).
FoundSubject findSubject(const NodeContext& context, const storage::Transaction& txn, const SubjectLookup& subject);

// The attribute columns and canonical fields, for the record of processing.
std::string fieldLabel(const std::string& canonical);

}  // namespace entente::node
