#include "storage/saved-queries.h"

#include "storage/record-codec.h"
#include "storage/records.capnp.h"

namespace entente::storage {
namespace {

// Runs are never deleted, so their count numbers them in the order they were
// recorded: two runs in the same second keep their order.
std::string runKey(const QueryRunEntry& run, uint64_t sequence) {
  auto time = encodeKey(static_cast<uint64_t>(run.atUnix) ^ (uint64_t{1} << 63));
  auto number = encodeKey(sequence);
  std::string key = run.name;
  key.push_back('\0');
  key.append(reinterpret_cast<const char*>(time.data()), time.size());
  key.append(reinterpret_cast<const char*>(number.data()), number.size());
  return key + run.sessionId;
}

SavedQueryEntry decodeQuery(Bytes value) {
  StoredRecord<schema::SavedQuery> reader(value);
  auto q = reader.get();
  SavedQueryEntry entry{q.getName(), {}, q.getSavedBy(), q.getSavedAtUnix()};
  for (auto a : q.getArguments()) entry.arguments.emplace_back(a);
  return entry;
}

}  // namespace

void SavedQueries::put(Transaction& txn, const SavedQueryEntry& query) {
  capnp::MallocMessageBuilder message;
  auto q = message.initRoot<schema::SavedQuery>();
  q.setName(query.name);
  auto args = q.initArguments(static_cast<unsigned>(query.arguments.size()));
  for (unsigned i = 0; i < query.arguments.size(); ++i) args.set(i, query.arguments[i]);
  q.setSavedBy(query.savedBy);
  q.setSavedAtUnix(query.savedAtUnix);
  auto encoded = encodeRecord(q.asReader());
  txn.put(Table::SAVED_QUERIES, bytesOf(query.name), bytesOf(encoded));
}

std::optional<SavedQueryEntry> SavedQueries::find(const Transaction& txn, std::string_view name) {
  Bytes value;
  if (!txn.get(Table::SAVED_QUERIES, bytesOf(name), value)) return std::nullopt;
  return decodeQuery(value);
}

std::vector<SavedQueryEntry> SavedQueries::list(const Transaction& txn) {
  std::vector<SavedQueryEntry> out;
  Cursor cursor(txn, Table::SAVED_QUERIES);
  for (bool ok = cursor.first(); ok; ok = cursor.next()) out.push_back(decodeQuery(cursor.value()));
  return out;
}

bool SavedQueries::remove(Transaction& txn, std::string_view name) { return txn.erase(Table::SAVED_QUERIES, bytesOf(name)); }

void SavedQueries::recordRun(Transaction& txn, const QueryRunEntry& run) {
  capnp::MallocMessageBuilder message;
  auto r = message.initRoot<schema::QueryRun>();
  r.setAtUnix(run.atUnix);
  r.setActor(run.actor);
  r.setSessionId(run.sessionId);
  r.setOutcome(run.outcome);
  r.setShown(run.shown);
  r.setPeer(run.peer);
  auto encoded = encodeRecord(r.asReader());
  auto key = runKey(run, txn.entries(Table::QUERY_RUNS));
  txn.put(Table::QUERY_RUNS, bytesOf(key), bytesOf(encoded));
}

std::vector<QueryRunEntry> SavedQueries::runs(const Transaction& txn, std::string_view name) {
  std::vector<QueryRunEntry> out;
  std::string prefix(name);
  if (!name.empty()) prefix.push_back('\0');
  Cursor cursor(txn, Table::QUERY_RUNS);
  for (bool ok = prefix.empty() ? cursor.first() : cursor.seek(bytesOf(prefix)); ok; ok = cursor.next()) {
    auto key = textOf(cursor.key());
    if (key.substr(0, prefix.size()) != prefix) break;
    StoredRecord<schema::QueryRun> reader(cursor.value());
    auto r = reader.get();
    out.push_back({std::string(key.substr(0, key.find('\0'))), r.getAtUnix(), r.getActor(), r.getSessionId(),
                   r.getOutcome(), r.getShown(), r.getPeer()});
  }
  return out;
}

}  // namespace entente::storage
