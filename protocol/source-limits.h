// Per-source limits on partner connections, applied before the TLS handshake: anyone
// who can reach the partner port can open connections, and each costs a handshake and
// a refusal in the audit log. A source (an IP address, any port) may hold at most
// `maxConcurrent` connections at once and open at most `maxPerWindow` in any
// `window`; past either it is turned away without a handshake. docs/security.md
// states the bound this puts, together with node/partners/refusal-log.h, on how fast
// an unauthenticated party can grow the log.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

namespace entente::protocol {

struct SourceLimitSettings {
  uint32_t maxConcurrent = 16;
  uint32_t maxPerWindow = 120;
  std::chrono::seconds window{10};
};

class SourceLimits {
 public:
  using Clock = std::chrono::steady_clock;
  explicit SourceLimits(SourceLimitSettings settings = {}) : settings_(settings) {}

  // Admits a new connection from `source` at `now`, or says why not. An admitted
  // connection must be left with leave() when it ends.
  std::optional<std::string> enter(const std::string& source, Clock::time_point now);
  void leave(const std::string& source);

 private:
  struct Source {
    uint32_t open = 0;
    std::deque<Clock::time_point> recent;  // admissions within the window
  };
  SourceLimitSettings settings_;
  std::map<std::string, Source> sources_;
  uint64_t calls_ = 0;
};

// "203.0.113.7" of "203.0.113.7:51234", "2001:db8::1" of "[2001:db8::1]:51234".
std::string hostOf(const std::string& remote);

}  // namespace entente::protocol
