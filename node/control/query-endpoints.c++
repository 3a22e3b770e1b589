#include "node/control/query-endpoints.h"

#include "storage/saved-queries.h"

namespace entente::node {
namespace {

void fill(const storage::SavedQueryEntry& q, protocol::control::SavedQueryInfo::Builder out) {
  out.setName(q.name);
  auto args = out.initArguments(static_cast<unsigned>(q.arguments.size()));
  for (unsigned i = 0; i < q.arguments.size(); ++i) args.set(i, q.arguments[i]);
  out.setSavedBy(q.savedBy);
  out.setSavedAtUnix(q.savedAtUnix);
}

void checkName(const std::string& name) {
  if (name.empty() || name.size() > 64 ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_.") != std::string::npos) {
    failWith("a query name has 1 to 64 characters of a-z, 0-9, '-', '_' and '.', e.g. monthly-boat-owners");
  }
}

storage::SavedQueryEntry require(const storage::Transaction& txn, const std::string& name) {
  auto found = storage::SavedQueries::find(txn, name);
  if (!found) failWith("no saved query named '" + name + "'; `entente query list` shows them");
  return *found;
}

}  // namespace

void saveQuery(NodeContext& context, const std::string& actor, query_calls::Save call) {
  auto q = call.getParams().getQuery();
  std::string name = q.getName();
  checkName(name);
  storage::SavedQueryEntry entry{name, {}, actor, context.clock()};
  for (auto a : q.getArguments()) entry.arguments.emplace_back(a.cStr());
  std::string joined;
  for (auto& a : entry.arguments) joined += (joined.empty() ? "" : " ") + a;
  bool replace = call.getParams().getReplace();
  context.gate.change("query.save", actor, {{"query", name}, {"options", joined}},
                      [&](storage::Transaction& txn, Details&) {
                        if (!replace && storage::SavedQueries::find(txn, name)) {
                          failWith("a query named '" + name + "' exists; add --force to replace it");
                        }
                        storage::SavedQueries::put(txn, entry);
                      });
}

void listQueries(NodeContext& context, query_calls::List call) {
  storage::Transaction txn(context.store, storage::Transaction::Mode::READ);
  auto queries = storage::SavedQueries::list(txn);
  auto list = call.getResults().initQueries(static_cast<unsigned>(queries.size()));
  for (unsigned i = 0; i < queries.size(); ++i) fill(queries[i], list[i]);
}

void getQuery(NodeContext& context, query_calls::Get call) {
  storage::Transaction txn(context.store, storage::Transaction::Mode::READ);
  fill(require(txn, call.getParams().getName()), call.getResults().initQuery());
}

void queryHistory(NodeContext& context, query_calls::History call) {
  storage::Transaction txn(context.store, storage::Transaction::Mode::READ);
  std::string name = call.getParams().getName();
  auto runs = storage::SavedQueries::runs(txn, name);
  if (runs.empty() && !name.empty() && !storage::SavedQueries::find(txn, name)) require(txn, name);
  auto list = call.getResults().initRuns(static_cast<unsigned>(runs.size()));
  for (unsigned i = 0; i < runs.size(); ++i) {
    list[i].setName(runs[i].name);
    list[i].setAtUnix(runs[i].atUnix);
    list[i].setActor(runs[i].actor);
    list[i].setSessionId(runs[i].sessionId);
    list[i].setOutcome(runs[i].outcome);
    list[i].setShown(runs[i].shown);
    list[i].setPeer(runs[i].peer);
  }
}

void removeQuery(NodeContext& context, const std::string& actor, query_calls::Remove call) {
  std::string name = call.getParams().getName();
  context.gate.change("query.remove", actor, {{"query", name}}, [&](storage::Transaction& txn, Details&) {
    require(txn, name);
    storage::SavedQueries::remove(txn, name);
  });
}

}  // namespace entente::node
