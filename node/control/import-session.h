// An import session on the control socket (`entente import`, `entente consent
// import`): the CLI streams batches of checked rows; each batch is stored with its
// audit entry in one commit (`import.batch`), and the session ends with `import` (or
// `consent.import`) ok, or interrupted when the CLI goes away first.
#pragma once

#include "node/server/node-context.h"
#include "protocol/control.capnp.h"

#include <string>

namespace entente::node {

kj::Own<protocol::control::CustomerImport::Server> makeImportSession(NodeContext& context, std::string actor,
                                                                      std::string source, bool consentOnly);

}  // namespace entente::node
