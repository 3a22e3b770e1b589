// The builders of each report kind, called by report-request.c++ with a read
// transaction and the audit head taken before it.
#pragma once

#include "node/reports/report-basis.h"

namespace entente::node {

ReportDocument subjectReport(NodeContext& context, const storage::Transaction& txn, const FoundSubject& found,
                             const ReportRequest& request, const AuditHead& head);
ReportDocument consentReport(NodeContext& context, const storage::Transaction& txn, const ReportRequest& request,
                             const AuditHead& head);
ReportDocument auditReport(NodeContext& context, const storage::Transaction& txn, const ReportRequest& request,
                           const AuditHead& head);
ReportDocument processingReport(NodeContext& context, const storage::Transaction& txn,
                                const ReportRequest& request, const AuditHead& head);

}  // namespace entente::node
