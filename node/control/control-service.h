// The control interface a node serves to the `entente` command line on the Unix
// socket in its folder. A client logs in with a token and gets a session limited to
// the token's role (admin, marketer, compliance); each action passes the gate
// (node/audit/action-gate.h) and is recorded in the audit log under the token's name
// (who asked, what it did, how it ended).
#pragma once

#include "node/server/node-context.h"
#include "protocol/control.capnp.h"

namespace entente::node {

kj::Own<protocol::control::Control::Server> makeControlService(NodeContext& context);

}  // namespace entente::node
