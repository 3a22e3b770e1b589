// A sorted list of customer keys in a few bytes a key: each key is written as the
// difference from the one before it, in LEB128 varint form. Customer keys are given
// out in increasing order at import (customer-store.h), so the keys of one session are
// dense and most differences take one byte. Used by the participation records
// (participation-store.h), which must stay cheap at millions of customers a session.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace entente::storage {

// `keys` must be sorted and free of repeats (throws std::invalid_argument otherwise).
std::string encodeKeyList(std::span<const uint64_t> keys);
// Throws StoreError on a torn or overlong list.
std::vector<uint64_t> decodeKeyList(std::span<const uint8_t> bytes);
// Whether `key` is in the coded list, without building the vector.
bool keyListContains(std::span<const uint8_t> bytes, uint64_t key);

}  // namespace entente::storage
