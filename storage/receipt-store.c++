#include "storage/receipt-store.h"

namespace entente::storage {
namespace {

// The signature is the last 64 bytes of the value; the text comes before it.
constexpr size_t kSignatureBytes = 64;

StoredReceipt decode(std::string_view key, std::string_view value) {
  auto slash = key.find('/');
  if (slash == std::string_view::npos || value.size() < kSignatureBytes) {
    throw StoreError("a stored session receipt is damaged: the store is damaged; restore it from a backup");
  }
  return {std::string(key.substr(0, slash)), std::string(key.substr(slash + 1)),
          std::string(value.substr(0, value.size() - kSignatureBytes)),
          std::string(value.substr(value.size() - kSignatureBytes))};
}

}  // namespace

void ReceiptStore::put(Transaction& txn, const StoredReceipt& receipt) {
  if (receipt.signature.size() != kSignatureBytes || receipt.sessionId.find('/') != std::string::npos) {
    throw StoreError("a session receipt must have a 64-byte signature and a session id without '/'");
  }
  txn.put(Table::RECEIPTS, bytesOf(receipt.sessionId + "/" + receipt.signerRole),
          bytesOf(receipt.text + receipt.signature));
}

std::optional<StoredReceipt> ReceiptStore::find(const Transaction& txn, std::string_view sessionId,
                                                std::string_view signerRole) {
  std::string key = std::string(sessionId) + "/" + std::string(signerRole);
  Bytes value;
  if (!txn.get(Table::RECEIPTS, bytesOf(key), value)) return std::nullopt;
  return decode(key, textOf(value));
}

std::vector<StoredReceipt> ReceiptStore::list(const Transaction& txn) {
  std::vector<StoredReceipt> out;
  Cursor cursor(txn, Table::RECEIPTS);
  for (bool ok = cursor.first(); ok; ok = cursor.next()) out.push_back(decode(textOf(cursor.key()), textOf(cursor.value())));
  return out;
}

}  // namespace entente::storage
