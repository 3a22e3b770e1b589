#include "storage/privacy-budget.h"

#include <cstring>
#include <ctime>

namespace entente::storage {
namespace {

std::string keyOf(std::string_view peer, std::string_view purpose, std::string_view month) {
  std::string key(peer);
  key.push_back('\0');
  key.append(purpose);
  key.push_back('\0');
  key.append(month);
  return key;
}

BudgetUse decode(Bytes value, std::string purpose, std::string month) {
  if (value.size() != 12) throw StoreError("a privacy budget record is torn: the store is damaged; restore it from a backup");
  BudgetUse use{std::move(purpose), std::move(month), 0, 0};
  std::memcpy(&use.spent, value.data(), 8);
  std::memcpy(&use.queries, value.data() + 8, 4);
  return use;
}

}  // namespace

std::string utcMonth(int64_t unixTime) {
  std::time_t t = static_cast<std::time_t>(unixTime);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m", &tm);
  return text;
}

BudgetUse PrivacyBudget::used(const Transaction& txn, std::string_view peer, std::string_view purpose,
                              std::string_view month) {
  Bytes value;
  if (!txn.get(Table::PRIVACY_BUDGET, bytesOf(keyOf(peer, purpose, month)), value)) {
    return {std::string(purpose), std::string(month), 0, 0};
  }
  return decode(value, std::string(purpose), std::string(month));
}

void PrivacyBudget::charge(Transaction& txn, std::string_view peer, std::string_view purpose, std::string_view month,
                           double epsilon) {
  auto use = used(txn, peer, purpose, month);
  use.spent += epsilon;
  use.queries += 1;
  uint8_t value[12];
  std::memcpy(value, &use.spent, 8);
  std::memcpy(value + 8, &use.queries, 4);
  auto key = keyOf(peer, purpose, month);
  txn.put(Table::PRIVACY_BUDGET, bytesOf(key), Bytes(value, sizeof value));
}

std::vector<BudgetUse> PrivacyBudget::month(const Transaction& txn, std::string_view peer, std::string_view month) {
  std::vector<BudgetUse> uses;
  std::string prefix(peer);
  prefix.push_back('\0');
  Cursor cursor(txn, Table::PRIVACY_BUDGET);
  for (bool ok = cursor.seek(bytesOf(prefix)); ok; ok = cursor.next()) {
    std::string key(reinterpret_cast<const char*>(cursor.key().data()), cursor.key().size());
    if (key.compare(0, prefix.size(), prefix) != 0) break;
    auto rest = key.substr(prefix.size());
    auto zero = rest.find('\0');
    if (zero == std::string::npos || rest.substr(zero + 1) != month) continue;
    uses.push_back(decode(cursor.value(), rest.substr(0, zero), std::string(month)));
  }
  return uses;
}

}  // namespace entente::storage
