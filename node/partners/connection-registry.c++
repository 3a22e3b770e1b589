#include "node/partners/connection-registry.h"

#include <vector>

namespace entente::node {
kj::Own<void> ConnectionRegistry::add(const std::string& peer, Abort abort) {
  uint64_t id = next_++;
  live_[id] = Entry{peer, std::move(abort)};
  class Handle {
   public:
    Handle(std::map<uint64_t, Entry>& live, uint64_t id) : live_(live), id_(id) {}
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() { live_.erase(id_); }

   private:
    std::map<uint64_t, Entry>& live_;
    uint64_t id_;
  };
  return kj::heap<Handle>(live_, id);
}

size_t ConnectionRegistry::abortAll(const std::string& peer) {
  std::vector<Abort> aborts;
  for (auto& [id, entry] : live_) {
    if (entry.peer == peer) aborts.push_back(entry.abort);
  }
  for (auto& abort : aborts) abort();
  return aborts.size();
}

size_t ConnectionRegistry::count(const std::string& peer) const {
  size_t n = 0;
  for (auto& [id, entry] : live_) n += entry.peer == peer;
  return n;
}

}  // namespace entente::node
