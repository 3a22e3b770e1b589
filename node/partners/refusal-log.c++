#include "node/partners/refusal-log.h"

#include "protocol/source-limits.h"

namespace entente::node {
namespace {
constexpr int64_t kMinute = 60;
}  // namespace

void RefusalLog::refused(const std::string& who, const std::string& remote, const std::string& reason,
                         const Details& extra) noexcept {
  try {
    int64_t now = clock_();
    flush();
    if (now - minuteStartedAt_ >= kMinute) {
      minuteStartedAt_ = now;
      newThisMinute_ = 0;
    }
    auto key = std::make_pair(protocol::hostOf(remote), reason);
    if (auto it = windows_.find(key); it != windows_.end()) {
      ++it->second.repeats;
      return;
    }
    if (newThisMinute_ >= maxNewPerMinute_) {
      ++overLimit_;
      return;
    }
    ++newThisMinute_;
    windows_[key] = Window{now, 0, who};
    Details details = {{"remote", remote}, {"reason", reason}};
    details.insert(details.end(), extra.begin(), extra.end());
    gate_.recordNoThrow("connection", who, "refused", details);
  } catch (...) {
    // Out of memory while counting: the refusal itself has happened regardless.
  }
}

void RefusalLog::recordRepeats(const std::string& source, const std::string& reason, const Window& window) noexcept {
  if (window.repeats == 0) return;
  gate_.recordNoThrow("connection", window.who, "refused",
                      {{"remote", source},
                       {"reason", reason},
                       {"repeated", std::to_string(window.repeats)},
                       {"within_seconds", std::to_string(kMinute)}});
}

void RefusalLog::flush(bool everything) noexcept {
  try {
    int64_t now = clock_();
    for (auto it = windows_.begin(); it != windows_.end();) {
      if (everything || now - it->second.startedAt >= kMinute) {
        recordRepeats(it->first.first, it->first.second, it->second);
        it = windows_.erase(it);
      } else {
        ++it;
      }
    }
    if (overLimit_ > 0 && (everything || now - minuteStartedAt_ >= kMinute)) {
      gate_.recordNoThrow("connection", "unknown", "refused",
                          {{"remote", "various"},
                           {"reason", "more sources refused than " + std::to_string(maxNewPerMinute_) +
                                          " a minute; counted together"},
                           {"repeated", std::to_string(overLimit_)}});
      overLimit_ = 0;
    }
  } catch (...) {
  }
}

}  // namespace entente::node
