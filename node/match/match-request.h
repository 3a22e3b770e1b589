// A match asked for on the control socket: this node as the requester. Checks the
// request, connects to the partner (pinned to its identity key), runs the session
// through the driver, applies the partner's minimum reportable overlap, streams the
// matched customer ids to the CLI and fills the summary. Every outcome is logged.
#pragma once

#include "node/server/node-context.h"
#include "protocol/control.capnp.h"

#include <string>

namespace entente::node {

kj::Promise<void> requestMatch(NodeContext& context, const std::string& actor,
                               capnp::CallContext<protocol::control::ControlSession::MatchParams, protocol::control::ControlSession::MatchResults> call);

}  // namespace entente::node
