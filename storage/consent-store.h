// Consent per customer and purpose: the current state (granted, withdrawn or never
// asked) and the full history of changes, each with when, from what source, on which
// legal basis, under which notice, and until when. Matching reads the state at the
// moment a session starts (node/match/match-selection.h); erasure deletes it all.
// A customer's consent for all purposes is one compact record (consent-store.c++).
#pragma once

#include "storage/environment.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace entente::storage {

struct ConsentChange {
  bool granted = false;
  int64_t atUnix = 0;
  int64_t recordedAtUnix = 0;
  std::string source;
  std::string basis = "consent";
  std::string noticeVersion;
  int64_t expiresAtUnix = 0;
};

enum class ConsentState { NEVER_ASKED, GRANTED, WITHDRAWN, EXPIRED };

const char* consentStateName(ConsentState state);

// A customer's consent as stored: found on the transaction's thread, judged on any
// (ConsentQuery::judge reads no table). Valid while the transaction that found it is open.
struct StoredConsent {
  Bytes bytes;          // empty: the customer has no consent record
  bool legacy = false;  // one canonical record for the query's purpose (an earlier release)
};

// The state of one purpose at one moment, for many customers. A match judges the
// consent of every customer, on every core: the purpose's term is looked up once here,
// and judging a record reads no table and copies no text.
class ConsentQuery {
 public:
  ConsentQuery(const Transaction& txn, std::string_view purpose, int64_t nowUnix);
  // On the transaction's thread only.
  StoredConsent find(const Transaction& txn, uint64_t customerKey) const;
  // On any thread. Throws StoreError when the record is damaged.
  ConsentState judge(const StoredConsent& stored) const;

 private:
  std::string purpose_;
  std::optional<uint32_t> number_;
  int64_t nowUnix_;
};

// Finds the stored consent of customers taken in ascending key order by stepping one
// cursor through the table: a match reads every customer's, and searching the table
// from its root for each cost more than judging it. On the transaction's thread.
class ConsentWalk {
 public:
  ConsentWalk(const Transaction& txn, const ConsentQuery& query);
  // As ConsentQuery::find. Throws std::logic_error for a key not above the one before.
  StoredConsent find(uint64_t customerKey);

 private:
  const Transaction& txn_;
  const ConsentQuery& query_;
  Cursor cursor_;
  bool started_ = false;
  bool atEnd_ = false;
  uint64_t last_ = 0;
};

class ConsentStore {
 public:
  // Appends a change, unless it would not change the state or its terms (same grant
  // or withdrawal, same basis, notice and expiry): re-importing a file changes
  // nothing. Returns whether a change was recorded.
  static bool record(Transaction& txn, uint64_t customerKey, std::string_view purpose, const ConsentChange& change);
  // The same for several purposes of one customer, reading and writing its record once
  // (an import row grants or withdraws every purpose at once). Returns, for each
  // change, whether it was recorded.
  struct PurposeChange {
    std::string_view purpose;
    const ConsentChange* change;
  };
  static std::vector<bool> record(Transaction& txn, uint64_t customerKey, const std::vector<PurposeChange>& changes);
  static std::vector<ConsentChange> history(const Transaction& txn, uint64_t customerKey, std::string_view purpose);
  static ConsentState state(const Transaction& txn, uint64_t customerKey, std::string_view purpose, int64_t nowUnix);
  // The purposes this customer has any consent record for.
  static std::vector<std::string> purposesOf(const Transaction& txn, uint64_t customerKey);
  // Deletes every consent record of the customer; returns how many purposes it had.
  static size_t eraseCustomer(Transaction& txn, uint64_t customerKey);
  // Records of one customer and one purpose, over all customers (a scan of the table).
  static uint64_t recordCount(const Transaction& txn);
};

}  // namespace entente::storage
