// Which of the node's customers took part in which match session: the record a
// subject access request needs ("which partner received my blinded identifiers, when,
// for what?") and that the audit log, which names no customer, cannot give.
//
// One record per session and role, written in the same transaction as the session's
// audit entry (node/match/), so the two never disagree. As responder, the customers
// whose blinded identifiers were offered to the partner; as requester, the customers
// whose blinded identifiers were sent, and those found shared (ids mode). The lists
// are fixed at the session: later imports and consent changes do not touch them.
// Erasure removes the customer's key from every record and counts the removal, so a
// record keeps that someone was erased, not who.
//
// Keys: session end time (i64 big-endian) || session id || "/" || role, so a period
// is one key range. All functions take the caller's transaction.
#pragma once

#include "storage/environment.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace entente::storage {

struct ParticipationRecord {
  std::string sessionId;
  std::string partner;
  std::string role;     // "requester" or "responder"
  std::string purpose;
  std::string mode;     // "count", "ids"
  std::string outcome;  // "completed", "failed", "cancelled"
  int64_t atUnix = 0;
  std::vector<uint64_t> offered;  // sorted by put()
  std::vector<uint64_t> matched;
  std::vector<std::string> attributes;
  uint64_t erased = 0;
  // Requester: the overlap shown, and whether exactly (node/match's differencing guard
  // compares later counts against it).
  uint64_t released = 0;
  bool releasedExact = false;
  uint64_t offeredCount = 0;  // filled by reads (the lists themselves are not decoded)
  uint64_t matchedCount = 0;
  size_t storedBytes = 0;     // the record's size in the store, for measuring its cost
};

// One session a customer took part in, as a subject report lists it.
struct CustomerSession {
  ParticipationRecord session;  // without its key lists
  bool offered = false;
  bool matched = false;
};

class ParticipationStore {
 public:
  // Sorts and de-duplicates the lists, then stores the record (replacing one of the
  // same time, session and role).
  static void put(Transaction& txn, ParticipationRecord record);
  // Every record from `sinceUnix` to `untilUnix` (inclusive), oldest first, without
  // the key lists (counts only).
  static std::vector<ParticipationRecord> list(const Transaction& txn, int64_t sinceUnix, int64_t untilUnix);
  // Requester records of one partner and purpose from `sinceUnix` on whose overlap was
  // shown exactly, with their offered lists decoded: what a new count could be
  // subtracted from.
  static std::vector<ParticipationRecord> exactReleases(const Transaction& txn, int64_t sinceUnix,
                                                        const std::string& partner, const std::string& purpose);
  // The sessions in which this customer was offered or matched, oldest first.
  static std::vector<CustomerSession> involving(const Transaction& txn, uint64_t customerKey);
  // Removes the customer from every record; returns how many records changed.
  static uint64_t eraseCustomer(Transaction& txn, uint64_t customerKey);
};

}  // namespace entente::storage
