// A customer's purchase and contact history on the control socket (`entente history
// show`): the events as imported, and the facts derived from them now
// (node/import/history-facts.h), for the firm's own users. Read-only; logged as
// `history.show` under the customer's internal key, never its customer_id.
#pragma once

#include "node/server/node-context.h"
#include "protocol/control.capnp.h"

#include <string>

namespace entente::node {

using CustomerHistoryCall = capnp::CallContext<protocol::control::ControlSession::CustomerHistoryParams,
                                               protocol::control::ControlSession::CustomerHistoryResults>;

void customerHistory(NodeContext& context, const std::string& actor, CustomerHistoryCall call);

}  // namespace entente::node
