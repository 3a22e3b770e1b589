#include "protocol/source-limits.h"

namespace entente::protocol {

std::optional<std::string> SourceLimits::enter(const std::string& source, Clock::time_point now) {
  // Now and then forget the sources that went quiet, so that many addresses passing
  // by (an IPv6 range, say) cannot grow the map without end.
  if (++calls_ % 1024 == 0) {
    for (auto it = sources_.begin(); it != sources_.end();) {
      bool quiet = it->second.open == 0 && (it->second.recent.empty() || now - it->second.recent.back() >= settings_.window);
      it = quiet ? sources_.erase(it) : std::next(it);
    }
  }
  auto& s = sources_[source];
  while (!s.recent.empty() && now - s.recent.front() >= settings_.window) s.recent.pop_front();
  if (s.open >= settings_.maxConcurrent) {
    return "too many connections open from this address at once (limit " + std::to_string(settings_.maxConcurrent) +
           ")";
  }
  if (s.recent.size() >= settings_.maxPerWindow) {
    return "too many connections from this address (limit " + std::to_string(settings_.maxPerWindow) + " per " +
           std::to_string(settings_.window.count()) + " s)";
  }
  s.recent.push_back(now);
  ++s.open;
  return std::nullopt;
}

void SourceLimits::leave(const std::string& source) {
  auto it = sources_.find(source);
  if (it == sources_.end()) return;
  if (it->second.open > 0) --it->second.open;
  // Forget a quiet source, so that the map holds only sources active in the window.
  if (it->second.open == 0 && it->second.recent.empty()) sources_.erase(it);
}

std::string hostOf(const std::string& remote) {
  if (!remote.empty() && remote.front() == '[') {
    auto close = remote.find(']');
    return close == std::string::npos ? remote : remote.substr(1, close - 1);
  }
  auto colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

}  // namespace entente::protocol
