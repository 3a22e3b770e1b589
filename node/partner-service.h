// The responder: serves one partner connection. It checks who is asking and on what
// terms, then runs a ResponderSession against this node's selection of customers.
// Every session opened, refused, completed or failed goes to the action log.
#pragma once

#include "node/node-context.h"
#include "protocol/partner.capnp.h"

#include <string>

namespace entente::node {

// One per accepted connection; `remote` is the connection's peer address for logs.
kj::Own<protocol::wire::Partner::Server> makePartnerService(NodeContext& context, std::string remote);

}  // namespace entente::node
