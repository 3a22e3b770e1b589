// Consent and erasure on the control socket: setting one customer's consent for one
// purpose, showing a customer's consent with its history, a per-purpose report, and
// erasing a customer. Changes are logged under the token's name, with the customer's
// internal key (never its customer_id or an identifier), so that the log keeps that
// something happened without keeping who it happened to after an erasure.
#pragma once

#include "node/server/node-context.h"
#include "protocol/control.capnp.h"

#include <string>
#include <vector>

namespace entente::node {

using ControlSessionApi = protocol::control::ControlSession;
using SetConsentCall = capnp::CallContext<ControlSessionApi::SetConsentParams, ControlSessionApi::SetConsentResults>;
using ShowConsentCall = capnp::CallContext<ControlSessionApi::ShowConsentParams, ControlSessionApi::ShowConsentResults>;
using ConsentReportCall =
    capnp::CallContext<ControlSessionApi::ConsentReportParams, ControlSessionApi::ConsentReportResults>;
using EraseCustomerCall =
    capnp::CallContext<ControlSessionApi::EraseCustomerParams, ControlSessionApi::EraseCustomerResults>;

void setConsent(NodeContext& context, const std::string& actor, SetConsentCall call);
void showConsent(NodeContext& context, const std::string& actor, ShowConsentCall call);
void consentReport(NodeContext& context, ConsentReportCall call);
void eraseCustomer(NodeContext& context, const std::string& actor, EraseCustomerCall call);
// Erases each of these customers as `customer erase` does, each with its own
// `customer.erase` entry (with `reason`), then rewrites the store once. For an
// import's `--full --remove-missing`. Returns how many were erased.
uint64_t eraseCustomers(NodeContext& context, const std::string& actor, const std::vector<std::string>& customerIds,
                        const std::string& reason);

}  // namespace entente::node
