#include "node/match/participation.h"

#include "node/match/wire-terms.h"
#include "storage/participation-store.h"

namespace entente::node {

void storeParticipation(storage::Transaction& txn, SessionParticipants participants, const std::string& outcome,
                        int64_t atUnix, Details& details) {
  storage::ParticipationRecord record;
  record.sessionId = std::move(participants.sessionId);
  record.partner = std::move(participants.partner);
  record.role = std::move(participants.role);
  record.purpose = participants.terms->purpose;
  record.mode = modeName(participants.terms->mode);
  record.outcome = outcome;
  record.atUnix = atUnix;
  details.emplace_back("participants", std::to_string(participants.offered.size()));
  if (!participants.matched.empty()) {
    details.emplace_back("matched_customers", std::to_string(participants.matched.size()));
  }
  record.offered = std::move(participants.offered);
  record.matched = std::move(participants.matched);
  record.attributes = std::move(participants.attributes);
  record.released = participants.released;
  record.releasedExact = participants.releasedExact;
  storage::ParticipationStore::put(txn, std::move(record));
}

}  // namespace entente::node
