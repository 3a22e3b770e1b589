// The partners' signed receipts of match sessions, one per session and signer role,
// kept as the partner sent them (text and signature). The node checks them against
// its own audit log (`entente audit verify`); their meaning is in
// node/match/session-receipt.h. Values are opaque here: no crypto in this layer.
#pragma once

#include "storage/environment.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace entente::storage {

struct StoredReceipt {
  std::string sessionId;
  std::string signerRole;  // "requester" or "responder"
  std::string text;
  std::string signature;  // raw bytes
};

class ReceiptStore {
 public:
  // Stores a receipt under "<session id>/<role>", replacing one already there.
  static void put(Transaction& txn, const StoredReceipt& receipt);
  static std::optional<StoredReceipt> find(const Transaction& txn, std::string_view sessionId,
                                           std::string_view signerRole);
  // Every receipt, in session order.
  static std::vector<StoredReceipt> list(const Transaction& txn);
};

}  // namespace entente::storage
