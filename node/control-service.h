// The control interface a node serves to the `entente` command line on the Unix
// socket in its folder. Each request is performed through the action log (who asked,
// what it did, how it ended). The socket's file mode (0600) limits it to the node's
// own user until local roles and tokens arrive.
#pragma once

#include "node/node-context.h"
#include "protocol/control.capnp.h"

namespace entente::node {

kj::Own<protocol::control::Control::Server> makeControlService(NodeContext& context);

}  // namespace entente::node
