#include "storage/key-list.h"

#include "storage/environment.h"

#include <stdexcept>

namespace entente::storage {
namespace {

// Calls visit(key) for each key in order; returns false as soon as visit does.
template <typename Visit>
void walk(std::span<const uint8_t> bytes, Visit&& visit) {
  uint64_t key = 0;
  size_t i = 0;
  bool first = true;
  while (i < bytes.size()) {
    uint64_t delta = 0;
    unsigned shift = 0;
    while (true) {
      if (i >= bytes.size() || shift > 63) {
        throw StoreError("a participation record's customer list is torn: the store is damaged; restore it from a "
                         "backup");
      }
      uint8_t b = bytes[i++];
      delta |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80u) == 0) break;
      shift += 7;
    }
    key = first ? delta : key + delta;
    first = false;
    if (!visit(key)) return;
  }
}

}  // namespace

std::string encodeKeyList(std::span<const uint64_t> keys) {
  std::string out;
  out.reserve(keys.size() + 8);
  uint64_t previous = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0 && keys[i] <= previous) throw std::invalid_argument("encodeKeyList: keys not sorted or repeated");
    uint64_t delta = i == 0 ? keys[i] : keys[i] - previous;
    previous = keys[i];
    do {
      uint8_t b = delta & 0x7f;
      delta >>= 7;
      out.push_back(static_cast<char>(delta ? (b | 0x80) : b));
    } while (delta);
  }
  return out;
}

std::vector<uint64_t> decodeKeyList(std::span<const uint8_t> bytes) {
  std::vector<uint64_t> keys;
  keys.reserve(bytes.size());
  walk(bytes, [&](uint64_t k) {
    keys.push_back(k);
    return true;
  });
  return keys;
}

bool keyListContains(std::span<const uint8_t> bytes, uint64_t key) {
  bool found = false;
  walk(bytes, [&](uint64_t k) {
    if (k >= key) {
      found = k == key;
      return false;
    }
    return true;
  });
  return found;
}

}  // namespace entente::storage
