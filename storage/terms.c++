#include "storage/terms.h"

#include <limits>
#include <string>

namespace entente::storage {
namespace {

constexpr std::string_view kNextTerm = "next_term";
// LMDB keys are at most 511 bytes; "t" and the text must fit.
constexpr size_t kLongestTerm = 400;

std::string textKey(std::string_view text) {
  std::string key = "t";
  key.append(text);
  return key;
}

std::string numberKey(uint32_t number) {
  std::string key = "n";
  for (int shift = 24; shift >= 0; shift -= 8) key.push_back(static_cast<char>((number >> shift) & 0xFF));
  return key;
}

uint32_t decodeNumber(Bytes b) {
  if (b.size() != 4) throw StoreError("a stored term number is damaged: restore the store from a backup");
  return static_cast<uint32_t>(b[0]) << 24 | static_cast<uint32_t>(b[1]) << 16 | static_cast<uint32_t>(b[2]) << 8 |
         b[3];
}

}  // namespace

uint32_t Terms::numberOf(Transaction& txn, std::string_view text) {
  if (text.size() > kLongestTerm) return 0;
  auto& memo = txn.termMemo().numbers;
  if (auto it = memo.find(std::string(text)); it != memo.end()) return it->second;
  auto key = textKey(text);
  Bytes stored;
  if (txn.get(Table::TERMS, bytesOf(key), stored)) return memo[std::string(text)] = decodeNumber(stored);
  uint32_t number = 1;
  if (txn.get(Table::META, bytesOf(kNextTerm), stored)) number = decodeNumber(stored);
  if (number == std::numeric_limits<uint32_t>::max()) return 0;
  auto encoded = numberKey(number);  // "n" and the four bytes
  auto next = numberKey(number + 1);
  txn.put(Table::TERMS, bytesOf(key), bytesOf(std::string_view(encoded).substr(1)));
  txn.put(Table::TERMS, bytesOf(encoded), bytesOf(text));
  txn.put(Table::META, bytesOf(kNextTerm), bytesOf(std::string_view(next).substr(1)));
  return memo[std::string(text)] = number;
}

std::optional<uint32_t> Terms::find(const Transaction& txn, std::string_view text) {
  if (text.size() > kLongestTerm) return std::nullopt;
  auto& memo = txn.termMemo().numbers;
  if (auto it = memo.find(std::string(text)); it != memo.end()) return it->second;
  Bytes stored;
  if (!txn.get(Table::TERMS, bytesOf(textKey(text)), stored)) return std::nullopt;
  return memo[std::string(text)] = decodeNumber(stored);
}

std::string_view Terms::textOf(const Transaction& txn, uint32_t number) {
  auto& memo = txn.termMemo().texts;
  if (auto it = memo.find(number); it != memo.end()) return it->second;
  Bytes stored;
  if (!txn.get(Table::TERMS, bytesOf(numberKey(number)), stored)) {
    throw StoreError("a record names term " + std::to_string(number) +
                     ", which the store does not have: the store is damaged; restore it from a backup");
  }
  return memo[number] = std::string(storage::textOf(stored));
}

void writeTerm(Transaction& txn, CompactWriter& w, std::string_view text) {
  uint32_t number = Terms::numberOf(txn, text);
  w.unsignedNumber(number);
  if (number == 0) w.text(text);
}

std::string_view readTerm(const Transaction& txn, CompactReader& r) {
  uint64_t number = r.unsignedNumber();
  if (number == 0) return r.text();
  if (number > std::numeric_limits<uint32_t>::max()) r.damaged();
  return Terms::textOf(txn, static_cast<uint32_t>(number));
}

}  // namespace entente::storage
