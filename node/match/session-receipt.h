// Signed receipts of match sessions. At the end of a session each node signs a short
// statement (session id, both identities, purpose, mode, sizes, time) and hands it to
// the other, which checks it against the partner's pinned key and stores it. A node
// that later removed a session from its own audit log is contradicted by the receipt
// its partner holds; `entente audit verify` also checks that each receipt held here
// has its session in this node's audit log.
#pragma once

#include "crypto/node-identity.h"
#include "storage/environment.h"

#include <cstdint>
#include <string>
#include <vector>

namespace entente::node {

struct ReceiptFields {
  std::string sessionId;
  std::string requesterFingerprint;
  std::string responderFingerprint;
  std::string purpose;
  std::string mode;
  uint64_t requestCustomers = 0;
  uint64_t responderValues = 0;
  int64_t completedAtUnix = 0;
};

struct SignedReceipt {
  std::string text;
  crypto::Signature signature{};
};

std::string receiptText(const ReceiptFields& fields, const std::string& signerRole);
SignedReceipt signReceipt(const ReceiptFields& fields, const std::string& signerRole,
                          const crypto::NodeIdentity& identity);
// Checks the signature with `signerKey` and that the text states `expected` (all but
// the time, which is the signer's). Throws with a message saying what differs.
void checkReceipt(const SignedReceipt& receipt, const ReceiptFields& expected, const std::string& signerRole,
                  const crypto::PublicKey& signerKey);
// Stores a partner's receipt under "<session id>/<role>".
void storeReceipt(storage::Transaction& txn, const std::string& sessionId, const std::string& signerRole,
                  const SignedReceipt& receipt);
// Session ids of every stored receipt.
std::vector<std::string> receiptSessions(const storage::Transaction& txn);

}  // namespace entente::node
