// The partners this node knows: name and partner-endpoint address. Trust material
// (certificate fingerprints, policy) will join the Peer record; callers reach peers
// only through this store so that the change stays here.
#pragma once

#include "storage/environment.h"
#include "storage/records.capnp.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace entente::storage {

struct PeerEntry {
  std::string name;
  std::string address;
  int64_t addedAtUnix = 0;
};

class PeerStore {
 public:
  // Adds or replaces (same name) a peer.
  static void put(Transaction& txn, const PeerEntry& peer);
  static bool remove(Transaction& txn, std::string_view name);
  static std::optional<PeerEntry> find(const Transaction& txn, std::string_view name);
  static std::vector<PeerEntry> list(const Transaction& txn);
};

}  // namespace entente::storage
