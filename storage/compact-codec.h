// Compact records: the byte format of the records a node keeps one of per customer
// (the customer itself, its consent, its sources). Cap'n Proto's pointers, padding
// and repeated field names cost more than the data there (a sample customer takes 565
// bytes canonical, about 250 compact), and at ten million customers the store's size
// decides whether it fits its map (docs/scaling.md).
//
// A compact value starts with kCompactTag. A canonical Cap'n Proto message, which an
// earlier release wrote, starts with its root pointer, whose offset is zero, so its
// first byte is always 0: both are read, and a record is written compact when it next
// changes. Numbers are LEB128 varints (signed ones zigzag-coded), texts a varint
// length and the bytes.
#pragma once

#include "storage/environment.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace entente::storage {

constexpr uint8_t kCompactTag = 0xC5;

inline bool isCompact(Bytes stored) { return !stored.empty() && stored[0] == kCompactTag; }

class CompactWriter {
 public:
  CompactWriter() { out_.push_back(static_cast<char>(kCompactTag)); }

  void byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void unsignedNumber(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void signedNumber(int64_t v) {
    unsignedNumber((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void text(std::string_view s) {
    unsignedNumber(s.size());
    out_.append(s);
  }

  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

// Reads what CompactWriter wrote. Every read is bounds-checked: a torn or damaged
// value throws StoreError instead of reading past it.
class CompactReader {
 public:
  // `what` names the record in the error ("customer record").
  CompactReader(Bytes stored, const char* what) : data_(stored), what_(what) {
    if (!isCompact(stored)) damaged();
    pos_ = 1;
  }

  bool done() const { return pos_ == data_.size(); }
  uint8_t byte() {
    if (pos_ >= data_.size()) damaged();
    return data_[pos_++];
  }
  uint64_t unsignedNumber() {
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      uint8_t b = byte();
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
    }
    damaged();
  }
  int64_t signedNumber() {
    uint64_t z = unsignedNumber();
    return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  std::string_view text() {
    uint64_t size = unsignedNumber();
    if (size > data_.size() - pos_) damaged();
    std::string_view s(reinterpret_cast<const char*>(data_.data() + pos_), size);
    pos_ += size;
    return s;
  }
  // A count of items still to read, each at least `minBytes` long: checked against
  // what is left, so that a damaged count cannot make the caller reserve gigabytes.
  uint64_t count(size_t minBytes = 1) {
    uint64_t n = unsignedNumber();
    if (n > (data_.size() - pos_) / (minBytes == 0 ? 1 : minBytes)) damaged();
    return n;
  }

  [[noreturn]] void damaged() const {
    throw StoreError(std::string("a stored ") + what_ + " is damaged: restore the store from a backup");
  }

 private:
  Bytes data_;
  const char* what_;
  size_t pos_ = 0;
};

}  // namespace entente::storage
