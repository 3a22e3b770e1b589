// Building the compliance reports of a running node (docs/compliance.md, "Reports"):
// the subject access report, the consent report, the audit report, the record of
// processing activities, and a person's consent receipt. The control interface
// (node/control/report-endpoints.h) and the web pages (report-pages.h) both call here,
// so a report reads the same on the command line, in a file and in a browser.
//
// Every report states the node, its period, when it was generated and the audit head
// (entry number and hash) it was read at; its generation is itself an audit entry
// (`report.generate`) naming the kind and that head, never the person.
#pragma once

#include "node/reports/report-document.h"
#include "node/server/node-context.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace entente::node {

// How a person is named: by one of these (the first given wins).
struct SubjectLookup {
  std::string customerId;
  std::string email;
  std::string phone;
  std::string firstName, lastName, birthDate, postalCode, country;  // name, date of birth and postal code
  bool empty() const { return customerId.empty() && email.empty() && phone.empty() && lastName.empty(); }
};

struct ReportRequest {
  std::string kind;  // "subject", "consent", "audit", "processing"
  int64_t sinceUnix = std::numeric_limits<int64_t>::min();
  int64_t untilUnix = std::numeric_limits<int64_t>::max();
  SubjectLookup subject;
  bool brief = false;  // `customer show`: the data held without the legal explanations
};

// Throws a user-facing error (unknown kind, no such person, ...).
ReportDocument buildReport(NodeContext& context, const std::string& actor, const ReportRequest& request);
// The person's consent records as JSON with the fields of ISO/IEC TS 27560.
std::string consentReceipt(NodeContext& context, const std::string& actor, const SubjectLookup& subject);

}  // namespace entente::node
