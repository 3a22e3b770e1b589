// The requester's driver: runs a RequesterSession against a partner over Cap'n Proto.
// It opens the session, keeps a few batches in flight (so that the network and both
// nodes' cores stay busy), receives the partner's tags and answers, and resolves to
// the outcome. Everything protocol-specific stays in protocol/requester-session.h.
#pragma once

#include <kj/timer.h>

#include "protocol/partner.capnp.h"
#include "node/match/session-receipt.h"
#include "protocol/requester-session.h"

#include <kj/async.h>

#include <functional>
#include <memory>
#include <string>

namespace entente::node {

struct SessionReport {
  std::string sessionId;
  uint64_t partnerValues = 0;
  size_t tagBytes = 0;
  // What the partner's offer demands of what this node releases (its policy for us).
  uint64_t partnerMinGroupSize = 0;
  bool partnerRequiresNoise = false;
  double partnerMonthlyEpsilon = 0;
  protocol::MatchOutcome outcome;
};

struct SessionOpening {
  std::string requesterNode;
  std::string consortium;
  // Set once the partner accepted the session, so that a dropped connection can be
  // told apart from a refused one.
  std::shared_ptr<bool> opened = std::make_shared<bool>(false);
  // Called once the partner's offer arrived (session id, partner's value count), before
  // any batch is sent: the requester records that the session began, so that a node
  // killed mid-session still has an entry naming it. Throws to fail the session.
  std::function<void(const std::string& sessionId, uint64_t partnerValues)> onOpened;
  // Called with the offer before onOpened: throws to refuse terms this node cannot
  // meet (a privacy budget the partner's offer leaves too small), before any batch.
  std::function<void(const SessionReport& offer)> checkOffer;
  // Signs this node's receipt of the session (session id, partner's value count), and
  // checks and keeps the partner's; both throw to fail the session.
  std::function<SignedReceipt(const std::string& sessionId, uint64_t partnerValues)> makeReceipt;
  std::function<void(const std::string& sessionId, uint64_t partnerValues, const SignedReceipt&)> takeReceipt;
  // Every step has a no-progress timeout: when the partner (named `partner` in the
  // error) sends nothing for `noProgress`, the run fails instead of waiting for ever.
  kj::Timer* timer = nullptr;
  kj::Duration noProgress = 60 * kj::SECONDS;
  std::string partner;
};

// What to tell the user when the partner closes the connection.
std::string droppedConnectionMessage(bool opened);

// Batches in flight at once in ids mode.
inline constexpr size_t kBatchesInFlight = 4;

// `session` must outlive the returned promise.
kj::Promise<SessionReport> runRequester(protocol::wire::Partner::Client partner, protocol::RequesterSession& session,
                                        const SessionOpening& opening);

}  // namespace entente::node
