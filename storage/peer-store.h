// The partners this node knows: where to reach each, the identity key it is pinned
// to, whether it is revoked, and the policy that bounds what it may ask. Callers
// reach peers only through this store.
#pragma once

#include "storage/environment.h"
#include "storage/records.capnp.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace entente::storage {

struct PeerPolicy {
  std::vector<std::string> purposes;
  std::vector<std::string> modes = {"count", "ids"};
  uint64_t minQueryCustomers = 10;
  uint64_t maxQueryCustomers = 10'000'000;
  uint32_t sessionsPerDay = 100;
  uint64_t customersPerDay = 100'000'000;
  uint64_t minReportableOverlap = 10;
  // Enrich mode: what the partner may learn about its matched customers. Never a
  // special-category attribute, whatever this list says (node/match/match-selection.h).
  std::vector<std::string> offeredAttributes;
  bool requireNoise = false;
  // Differential privacy budget (epsilon) per purpose and calendar month: spent by our
  // noisy queries to the partner, and granted to the partner's noisy queries to us.
  double monthlyEpsilon = 1.0;
};

struct PeerEntry {
  std::string name;
  std::string address;
  int64_t addedAtUnix = 0;
  std::array<uint8_t, 32> publicKey{};
  bool revoked = false;
  int64_t revokedAtUnix = 0;
  PeerPolicy policy{};
  std::vector<std::string> offeredPurposes{};
  // Which side issued the invitation that paired us, and so offered those purposes.
  enum class Inviter { UNKNOWN, THIS_NODE, PARTNER };
  Inviter invitedBy = Inviter::UNKNOWN;
};

struct DailyUsage {
  uint32_t sessions = 0;
  uint64_t customers = 0;
};

class PeerStore {
 public:
  // Adds or replaces (same name) a peer.
  static void put(Transaction& txn, const PeerEntry& peer);
  static bool remove(Transaction& txn, std::string_view name);
  static std::optional<PeerEntry> find(const Transaction& txn, std::string_view name);
  // The peer pinned to this identity key, revoked or not.
  static std::optional<PeerEntry> findByKey(const Transaction& txn, const std::array<uint8_t, 32>& publicKey);
  static std::vector<PeerEntry> list(const Transaction& txn);

  // Budget use of one peer on one UTC day ("YYYYMMDD").
  static DailyUsage usage(const Transaction& txn, std::string_view name, std::string_view day);
  static void addUsage(Transaction& txn, std::string_view name, std::string_view day, uint64_t customers);
};

}  // namespace entente::storage
