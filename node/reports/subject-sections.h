// The sections of the subject access report that explain rather than list: what the
// report is, purposes with their legal bases and the consent history, the recipients
// (partners that received the person's blinded identifiers), retention and rights.
#pragma once

#include "node/reports/report-document.h"
#include "node/server/node-context.h"
#include "storage/participation-store.h"

#include <vector>

namespace entente::node {

ReportSection aboutThisReport(const NodeContext& context);
ReportSection purposesAndConsent(const NodeContext& context, const storage::Transaction& txn, uint64_t key,
                                 bool brief);
ReportSection recipients(const NodeContext& context, const std::vector<storage::CustomerSession>& sessions);
std::vector<ReportSection> rightsAndRetention(const NodeContext& context);
// "the firm" when the controller's name is not set.
std::string controllerName(const NodeContext& context);

}  // namespace entente::node
