// Saved match queries on the control socket (`entente query save|list|run|history|
// remove`): a marketer saves a match's options under a name, so that a monthly overlap
// is one command; each run is kept with its session id and the overlap as shown
// (storage/saved-queries.h). Saving and removing pass the gate as `query.save` and
// `query.remove`; a run is recorded with its `match.request` entry.
#pragma once

#include "node/server/node-context.h"
#include "protocol/control.capnp.h"

#include <string>

namespace entente::node {

namespace query_calls {
using Session = protocol::control::ControlSession;
using Save = capnp::CallContext<Session::SaveQueryParams, Session::SaveQueryResults>;
using List = capnp::CallContext<Session::ListQueriesParams, Session::ListQueriesResults>;
using Get = capnp::CallContext<Session::GetQueryParams, Session::GetQueryResults>;
using History = capnp::CallContext<Session::QueryHistoryParams, Session::QueryHistoryResults>;
using Remove = capnp::CallContext<Session::RemoveQueryParams, Session::RemoveQueryResults>;
}  // namespace query_calls

void saveQuery(NodeContext& context, const std::string& actor, query_calls::Save call);
void listQueries(NodeContext& context, query_calls::List call);
void getQuery(NodeContext& context, query_calls::Get call);
void queryHistory(NodeContext& context, query_calls::History call);
void removeQuery(NodeContext& context, const std::string& actor, query_calls::Remove call);

}  // namespace entente::node
