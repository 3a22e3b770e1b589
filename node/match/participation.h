// This node's record of which customers took part in a session (storage/participation-store.h),
// built from the session's selection and stored in the transaction of the session's
// closing audit entry, so that the log and the record never disagree.
#pragma once

#include "node/audit/audit-entry.h"
#include "protocol/session-terms.h"
#include "storage/environment.h"

#include <cstdint>
#include <string>
#include <vector>

namespace entente::node {

struct SessionParticipants {
  std::string sessionId;
  std::string partner;
  std::string role;  // "requester" or "responder"
  const protocol::SessionTerms* terms = nullptr;
  std::vector<uint64_t> offered;
  std::vector<uint64_t> matched;
  std::vector<std::string> attributes;  // received about matched customers (enrichment)
  uint64_t released = 0;                // requester: the overlap shown
  bool releasedExact = false;           // shown exactly: later counts are checked against it
};

// Stores the record with `outcome` at `atUnix`, and adds its size to the entry's
// details ("participants", "matched_customers").
void storeParticipation(storage::Transaction& txn, SessionParticipants participants, const std::string& outcome,
                        int64_t atUnix, Details& details);

}  // namespace entente::node
