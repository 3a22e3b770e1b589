// Cap'n Proto records in the store: written in canonical form and read in place.
//
// A canonical message is one segment without a segment table, so the value LMDB
// hands back is the segment itself and can be read without a copy, as long as it is
// word-aligned. LMDB aligns a value to 8 bytes when every key and value of its table
// has a size that is a multiple of 8 (its node headers are 8 bytes and its pages are
// page-aligned): the customers table keeps to that (8-byte keys, word-sized records).
// A value that is nonetheless unaligned is copied once, never misread.
#pragma once

#include "storage/environment.h"

#include <capnp/message.h>

#include <kj/array.h>

#include <cstring>
#include <optional>

namespace entente::storage {

template <typename T>
class StoredRecord {
 public:
  explicit StoredRecord(Bytes bytes) {
    if (bytes.size() % sizeof(capnp::word) != 0 || bytes.empty()) {
      throw StoreError("a stored record has a torn length: the store is damaged; restore it from a backup");
    }
    const capnp::word* words = reinterpret_cast<const capnp::word*>(bytes.data());
    size_t count = bytes.size() / sizeof(capnp::word);
    if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(capnp::word) != 0) {
      copy_ = kj::heapArray<capnp::word>(count);
      memcpy(copy_.begin(), bytes.data(), bytes.size());
      words = copy_.begin();
    }
    segment_ = kj::arrayPtr(words, count);
    reader_.emplace(kj::arrayPtr(&segment_, 1));
  }
  StoredRecord(const StoredRecord&) = delete;
  StoredRecord& operator=(const StoredRecord&) = delete;

  typename T::Reader get() { return reader_->template getRoot<T>(); }
  bool readInPlace() const { return copy_.size() == 0; }

 private:
  kj::Array<capnp::word> copy_;
  kj::ArrayPtr<const capnp::word> segment_;
  std::optional<capnp::SegmentArrayMessageReader> reader_;
};

template <typename Reader>
kj::Array<capnp::word> encodeRecord(Reader record) {
  return capnp::canonicalize(record);
}

inline Bytes bytesOf(const kj::Array<capnp::word>& words) {
  return {reinterpret_cast<const uint8_t*>(words.begin()), words.size() * sizeof(capnp::word)};
}

}  // namespace entente::storage
