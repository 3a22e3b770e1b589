#include "node/import/identifier-index.h"

#include "storage/customer-store.h"

#include <string>

namespace entente::node {

uint64_t catchUpIdentifierIndex(ActionGate& gate, storage::Environment& store, std::string_view actor,
                                std::string_view reason) {
  {
    storage::Transaction txn(store, storage::Transaction::Mode::READ);
    if (!storage::CustomerStore::indexIsPending(txn)) return 0;
  }
  auto done = gate.change("store.index", actor, {{"reason", std::string(reason)}},
                          [&store](storage::Transaction& txn, Details& details) {
                            auto done = storage::CustomerStore::indexPending(txn, kCustomersPerSortedRun, store.dir());
                            details.emplace_back("customers", std::to_string(done.customers));
                            details.emplace_back("shared_identifiers", std::to_string(done.sharedIdentifiers));
                            details.emplace_back("sorted_runs", std::to_string(done.runs));
                            return done;
                          });
  return done.sharedIdentifiers;
}

}  // namespace entente::node
