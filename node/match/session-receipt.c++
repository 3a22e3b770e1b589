#include "node/match/session-receipt.h"

#include "storage/receipt-store.h"

#include <stdexcept>

namespace entente::node {
namespace {

std::string withoutTime(const std::string& text) {
  auto at = text.find("completed=");
  if (at == std::string::npos) return text;
  auto end = text.find('\n', at);
  return text.substr(0, at) + text.substr(end == std::string::npos ? text.size() : end + 1);
}

}  // namespace

std::string receiptText(const ReceiptFields& f, const std::string& signerRole) {
  return "entente-receipt-v1\nsession=" + f.sessionId + "\nrequester=" + f.requesterFingerprint +
         "\nresponder=" + f.responderFingerprint + "\npurpose=" + f.purpose + "\nmode=" + f.mode +
         "\nrequest_customers=" + std::to_string(f.requestCustomers) +
         "\nresponder_values=" + std::to_string(f.responderValues) +
         "\ncompleted=" + std::to_string(f.completedAtUnix) + "\nsigner=" + signerRole + "\n";
}

SignedReceipt signReceipt(const ReceiptFields& fields, const std::string& signerRole,
                          const crypto::NodeIdentity& identity) {
  SignedReceipt receipt;
  receipt.text = receiptText(fields, signerRole);
  receipt.signature = identity.sign(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(receipt.text.data()), receipt.text.size()));
  return receipt;
}

void checkReceipt(const SignedReceipt& receipt, const ReceiptFields& expected, const std::string& signerRole,
                  const crypto::PublicKey& signerKey) {
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(receipt.text.data()), receipt.text.size());
  if (!crypto::verifySignature(signerKey, bytes, receipt.signature)) {
    throw std::runtime_error("the partner's receipt of the session is not signed by its paired identity");
  }
  if (withoutTime(receipt.text) != withoutTime(receiptText(expected, signerRole))) {
    throw std::runtime_error("the partner's receipt states other terms than the session had");
  }
}

void storeReceipt(storage::Transaction& txn, const std::string& sessionId, const std::string& signerRole,
                  const SignedReceipt& receipt) {
  storage::ReceiptStore::put(
      txn, {sessionId, signerRole, receipt.text,
            std::string(reinterpret_cast<const char*>(receipt.signature.data()), receipt.signature.size())});
}

std::vector<std::string> receiptSessions(const storage::Transaction& txn) {
  std::vector<std::string> sessions;
  for (auto& receipt : storage::ReceiptStore::list(txn)) sessions.push_back(receipt.sessionId);
  return sessions;
}

}  // namespace entente::node
