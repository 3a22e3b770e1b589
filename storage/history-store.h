// A customer's purchase and contact history as the firm's ERP exports it: purchases,
// returns, complaints and their resolutions, contacts. The node derives facts a
// marketer can filter on from it (node/import/history-facts.h), and erasure deletes
// it with the customer (the history is part of what the node holds about a person).
//
// Each event is stored under its customer and date, so that one customer's history is
// one key range read in date order; a second table finds an event by the ERP's event
// id, so that a re-import of the same event is unchanged, updated in place, or moved
// to the customer or date the ERP now gives it, never duplicated.
//
// Keys of the history table are padded to a multiple of 8 bytes so that its records
// stay word-aligned in the map and are read in place (record-codec.h).
//
// All functions take the transaction: the caller chooses what one atomic batch is.
#pragma once

#include "storage/customer-store.h"
#include "storage/environment.h"
#include "storage/record-codec.h"
#include "storage/records.capnp.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace entente::storage {

// The stored values of HistoryEvent.type. Never renumber: they are in every store.
enum class HistoryEventType : uint8_t {
  PURCHASE = 1,
  RETURN = 2,
  COMPLAINT = 3,
  COMPLAINT_RESOLVED = 4,
  CONTACT = 5,
};

// "purchase", "return", "complaint", "complaint_resolved", "contact": the names the
// import reads and reports show.
const char* historyEventTypeName(HistoryEventType type);

// An event id is part of two keys (LMDB keys end at 511 bytes).
inline constexpr size_t kMaxEventIdBytes = 128;

struct HistoryEvent {
  std::string eventId;
  int32_t dateDays = 0;  // days since 1970-01-01 (UTC calendar date of the event)
  HistoryEventType type = HistoryEventType::PURCHASE;
  std::optional<int64_t> amountMinor;  // hundredths of the currency unit, >= 0
  std::string currency;                // ISO 4217, upper case; empty when not given
  std::string category;
  std::string channel;
  int64_t importedAtUnix = 0;
  std::string source;  // "history import erp.csv:17"
};

// Where an event id is stored.
struct HistoryEventPlace {
  uint64_t customerKey;
  int32_t dateDays;
};

class HistoryStore {
 public:
  // Stores the event for the customer. The same event id with the same content (every
  // field but importedAtUnix and source) is UNCHANGED and keeps when and from where it
  // was first imported; changed content, or a new customer or date for the event id,
  // is UPDATED (the old entry is removed). Throws StoreError for an event id that is
  // empty, longer than kMaxEventIdBytes or holds a NUL byte, or a negative amount.
  static UpsertOutcome upsert(Transaction& txn, uint64_t customerKey, const HistoryEvent& event);

  // Where the event with this id is, or nullopt.
  static std::optional<HistoryEventPlace> locate(const Transaction& txn, std::string_view eventId);

  // Visits the customer's events in date order (then event id order), each read in
  // place: the reader is valid during the call only.
  static void forCustomer(const Transaction& txn, uint64_t customerKey,
                          const std::function<void(schema::HistoryEvent::Reader)>& visit);

  // Deletes every event of the customer; returns how many there were.
  static uint64_t eraseCustomer(Transaction& txn, uint64_t customerKey);

  // Events of all customers.
  static uint64_t count(const Transaction& txn);
};

// The stored record as a HistoryEvent (for reports and tests; facts read in place).
HistoryEvent decodeHistoryEvent(schema::HistoryEvent::Reader record);

}  // namespace entente::storage
