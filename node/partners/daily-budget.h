// A partner's daily budget: how many sessions and how many queried customers its
// policy allows per UTC day. The responder checks it when a session opens and charges
// it in the same commit as the session's opening entry. The day comes from the clock
// the caller passes (NodeContext::clock), so that "refused until the next day" is a
// rule tests can cross.
#pragma once

#include "storage/peer-store.h"

#include <optional>
#include <string>

namespace entente::node {

class DailyBudget {
 public:
  // Why a session of `customers` customers opened at `nowUnix` exceeds the budget of
  // `peer` (worded for the partner, naming `nodeName`), or nullopt when it fits.
  static std::optional<std::string> refusal(const storage::Transaction& txn, const storage::PeerEntry& peer,
                                            uint64_t customers, int64_t nowUnix, const std::string& nodeName);
  // Counts one session of `customers` customers on the day of `nowUnix`.
  static void charge(storage::Transaction& txn, const std::string& peer, uint64_t customers, int64_t nowUnix);
  // What the partner used on the day of `nowUnix`.
  static storage::DailyUsage usedOn(const storage::Transaction& txn, const std::string& peer, int64_t nowUnix);
};

}  // namespace entente::node
