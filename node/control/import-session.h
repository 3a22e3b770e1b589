// An import session on the control socket (`entente import`, `entente consent
// import`, `entente history import`): the CLI sends the file's mapped header with the import's options, then
// streams batches of rows; each batch is stored with its audit entry in one commit
// (`import.batch`), and the session ends with `import` (or `consent.import`) ok, or
// interrupted when the CLI goes away first.
//
// The header is checked once, before any row: an unknown purpose refuses the import;
// a file without a consent column, or with special-category columns, gets a note.
// A dry run stores nothing (each batch's transaction is aborted) and is logged as
// `import.dry-run`. A full import (`--full`) reports the stored customers the file no
// longer holds and, with `--remove-missing`, erases them as `customer erase` does.
#pragma once

#include "node/server/node-context.h"
#include "protocol/control.capnp.h"

#include <string>

namespace entente::node {

using BeginImportCall = capnp::CallContext<protocol::control::ControlSession::BeginImportParams,
                                           protocol::control::ControlSession::BeginImportResults>;

using BeginHistoryImportCall = capnp::CallContext<protocol::control::ControlSession::BeginHistoryImportParams,
                                                  protocol::control::ControlSession::BeginHistoryImportResults>;

// Checks the header, then answers the call with the session (or fails it).
void beginImport(NodeContext& context, const std::string& actor, BeginImportCall call);
// The same for `entente history import` (node/import/history-import.h), logged as
// `history.import`.
void beginHistoryImport(NodeContext& context, const std::string& actor, BeginHistoryImportCall call);

}  // namespace entente::node
