// Local tokens and pairing invitations: credentials that are shown once and kept
// only as a hash. The caller hashes the secret (crypto/), so the store never sees
// it; a copy of the store file therefore reveals no usable token or invitation.
#pragma once

#include "storage/environment.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace entente::storage {

struct TokenEntry {
  std::string name;
  std::string role;
  int64_t createdAtUnix = 0;
  bool revoked = false;
};

struct InvitationEntry {
  std::vector<std::string> purposes;
  int64_t createdAtUnix = 0;
  int64_t expiresAtUnix = 0;
  std::string usedBy;  // empty while unused
};

class TokenStore {
 public:
  static void put(Transaction& txn, Bytes secretHash, const TokenEntry& token);
  static std::optional<TokenEntry> find(const Transaction& txn, Bytes secretHash);
  static std::vector<TokenEntry> list(const Transaction& txn);
  // Revokes every token with this name; returns how many.
  static size_t revokeByName(Transaction& txn, std::string_view name);
};

class InvitationStore {
 public:
  static void put(Transaction& txn, Bytes secretHash, const InvitationEntry& invitation);
  static std::optional<InvitationEntry> find(const Transaction& txn, Bytes secretHash);
};

}  // namespace entente::storage
