// The partner connections a node has open, by peer name, so that revoking a peer
// closes its connections at once instead of at their next session.
#pragma once

#include <kj/async-io.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace entente::node {

class ConnectionRegistry {
 public:
  // Something that can be torn down (a TLS stream).
  using Abort = std::function<void()>;

  // Registers a live connection; it stays registered until the returned handle is
  // destroyed (attach it to the connection's lifetime).
  kj::Own<void> add(const std::string& peer, Abort abort);
  // Aborts every connection of the peer; returns how many.
  size_t abortAll(const std::string& peer);
  size_t count(const std::string& peer) const;

 private:
  struct Entry {
    std::string peer;
    Abort abort;
  };
  uint64_t next_ = 0;
  std::map<uint64_t, Entry> live_;
};

}  // namespace entente::node
