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
  uint64_t shared = 0;
  for (bool done = false; !done;) {
    auto step = gate.change("store.index", actor, {{"reason", std::string(reason)}},
                            [](storage::Transaction& txn, Details& details) {
                              auto step = storage::CustomerStore::indexPending(txn, kCustomersIndexedPerTransaction);
                              details.emplace_back("customers", std::to_string(step.customers));
                              details.emplace_back("shared_identifiers", std::to_string(step.sharedIdentifiers));
                              return step;
                            });
    shared += step.sharedIdentifiers;
    done = step.done;
  }
  return shared;
}

}  // namespace entente::node
