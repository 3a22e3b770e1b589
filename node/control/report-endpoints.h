// The control methods that serve the compliance reports (node/reports/): `entente report`,
// `entente customer show` and `entente consent receipt`.
#pragma once

#include "node/reports/report-request.h"
#include "protocol/control.capnp.h"

namespace entente::node {

using ControlApi = protocol::control::ControlSession;

// Reads a query from the wire (the period, the person).
ReportRequest reportRequestOf(protocol::control::ReportQuery::Reader query);
void serveReport(NodeContext& context, const std::string& actor,
                 capnp::CallContext<ControlApi::ReportParams, ControlApi::ReportResults> call);
void serveCustomer(NodeContext& context, const std::string& actor,
                   capnp::CallContext<ControlApi::ShowCustomerParams, ControlApi::ShowCustomerResults> call);
void serveConsentReceipt(NodeContext& context, const std::string& actor,
                         capnp::CallContext<ControlApi::ConsentReceiptParams, ControlApi::ConsentReceiptResults> call);

}  // namespace entente::node
