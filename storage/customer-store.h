// The firm's customers and the index of their normalised identifiers.
//
// A customer is found by the firm's own customer_id (so that a re-import updates
// instead of duplicating) and stored under an internal 8-byte key, in the compact form
// of customer-record.h. Every normalised identifier
// points back to the customers holding it; two customers holding the same identifier
// are duplicates that the import summary reports.
//
// All functions take the transaction: the caller chooses what one atomic batch is.
#pragma once

#include "storage/environment.h"
#include "storage/customer-record.h"
#include "storage/records.capnp.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace entente::storage {

enum class UpsertOutcome { INSERTED, UPDATED, UNCHANGED };

// When a new customer's identifiers go into the index. LATER is for a bulk load: one
// random insert per identifier into a large index costs more than all the rest of
// storing a customer, while the same entries sorted and inserted together afterwards
// (indexPending) cost little. A customer stored LATER, and every customer stored after
// it, is outside the index until indexPending reaches it; holdersOf still finds it.
enum class IndexTiming { NOW, LATER };

// What one indexPending call did.
struct IndexCatchUp {
  uint64_t customers = 0;          // customers whose identifiers went into the index
  uint64_t sharedIdentifiers = 0;  // of their identifiers, those another customer also holds
  uint64_t runs = 0;               // sorted runs (identifier-runs.h): more than one were spilled to disk
};

struct UpsertResult {
  UpsertOutcome outcome;
  uint64_t key;
  // How many of the customer's identifiers another customer also holds.
  uint32_t sharedIdentifiers = 0;
};

class CustomerStore {
 public:
  // Inserts the customer, or replaces the one with the same customer_id, keeping the
  // identifier index in step. A record equal to the stored one is left untouched.
  // With IndexTiming::LATER a new customer's identifiers wait for indexPending, and
  // the result's sharedIdentifiers is 0 (indexPending counts them).
  static UpsertResult upsert(Transaction& txn, schema::Customer::Reader customer,
                             IndexTiming timing = IndexTiming::NOW);
  // Puts the identifiers of every customer left outside the index into it, sorted so
  // that each index page is written once, in order. They are sorted in runs of
  // `customersPerRun` customers, which bounds the memory held; when there are more
  // customers than that, the runs are written to a file in `spillDir` (the store's
  // directory: about 40 bytes per identifier) and merged back (identifier-runs.h).
  // One transaction, however many customers: a crash leaves them all outside the
  // index, to be indexed again, and a first load appends every page of the index full.
  static IndexCatchUp indexPending(Transaction& txn, uint64_t customersPerRun,
                                   const std::filesystem::path& spillDir);
  // Whether some customers are outside the identifier index.
  static bool indexIsPending(const Transaction& txn);

  static std::optional<uint64_t> keyOf(const Transaction& txn, std::string_view customerId);
  // Throws StoreError when the key is unknown.
  static CustomerRecord read(const Transaction& txn, uint64_t key);
  static uint64_t count(const Transaction& txn);
  // Keys of the customers holding this normalised identifier, in key order. Customers
  // outside the index (IndexTiming::LATER) are found by reading them all.
  static std::vector<uint64_t> holdersOf(const Transaction& txn, uint8_t kind, std::string_view value);
  // Number of distinct identifiers held by more than one customer, among the indexed ones.
  static uint64_t sharedIdentifierCount(const Transaction& txn);

  // Deletes the customer, its customer_id entry and its identifiers from the index.
  // Returns the number of identifiers removed, or nullopt when there is no such customer.
  static std::optional<uint32_t> erase(Transaction& txn, std::string_view customerId);

  // Visits customers in key order, reading each in place.
  static void forEach(const Transaction& txn,
                      const std::function<void(uint64_t key, schema::Customer::Reader)>& visit);
};

// Customers in key order, a few at a time: a session reads its customers in batches
// across event-loop turns from one snapshot. Valid while its transaction is.
class CustomerCursor {
 public:
  explicit CustomerCursor(const Transaction& txn) : txn_(txn), cursor_(txn, Table::CUSTOMERS) {}

  // Moves to the first customer, then to each next one; false when there is none.
  bool next() { return started_ ? cursor_.next() : (started_ = true, cursor_.first()); }
  uint64_t key() const { return decodeKey(cursor_.key()); }
  // The record as stored: valid while the transaction is open, on any thread.
  Bytes stored() const { return cursor_.value(); }
  // The record in place: valid until the cursor moves.
  schema::Customer::Reader record() {
    record_.emplace(txn_, cursor_.value());
    return record_->get();
  }

 private:
  const Transaction& txn_;
  Cursor cursor_;
  bool started_ = false;
  std::optional<CustomerRecord> record_;
};

}  // namespace entente::storage
