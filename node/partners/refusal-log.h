// Refused partner connections, on record without letting anyone who can reach the
// port grow the audit log at will. The first refusal of a (source address, reason) in
// a minute is recorded at once; the repeats within that minute are counted and
// recorded as one entry with the count when the minute is over (flush(), called on a
// timer and at stop). At most `maxNewPerMinute` sources get an immediate entry each
// minute; refusals past that are counted together in one entry. So unauthenticated
// connections add at most 2 * maxNewPerMinute + 1 entries a minute, however many
// there are (docs/security.md, section on connection limits).
#pragma once

#include "node/audit/action-gate.h"

#include <functional>
#include <map>
#include <string>
#include <utility>

namespace entente::node {

class RefusalLog {
 public:
  RefusalLog(ActionGate& gate, std::function<int64_t()> clock, size_t maxNewPerMinute = 30)
      : gate_(gate), clock_(std::move(clock)), maxNewPerMinute_(maxNewPerMinute) {}

  // A connection turned away: `who` the peer's local name when its key is known
  // ("unknown" otherwise), `remote` its address (host:port), `reason` why.
  void refused(const std::string& who, const std::string& remote, const std::string& reason,
               const Details& extra = {}) noexcept;
  // Records the counts of the minutes that are over (all of them when `everything`).
  void flush(bool everything = false) noexcept;

 private:
  struct Window {
    int64_t startedAt = 0;
    uint64_t repeats = 0;  // refusals after the first, not yet recorded
    std::string who;
  };
  void recordRepeats(const std::string& source, const std::string& reason, const Window& window) noexcept;

  ActionGate& gate_;
  std::function<int64_t()> clock_;
  size_t maxNewPerMinute_;
  std::map<std::pair<std::string, std::string>, Window> windows_;  // (source address, reason)
  int64_t minuteStartedAt_ = 0;
  size_t newThisMinute_ = 0;
  uint64_t overLimit_ = 0;  // refusals past maxNewPerMinute_ in this minute
};

}  // namespace entente::node
