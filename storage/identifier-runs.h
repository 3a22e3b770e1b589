// The sort behind the identifier index's catch-up (customer-store.h, indexPending):
// the identifiers of every customer a bulk load put outside the index, sorted so that
// the index is written in key order.
//
// Why runs: ten million customers hold thirty million identifiers, too many to sort in
// memory at once (about 70 bytes each while sorting). A SortedRun holds the identifiers
// of a bounded number of customers, sorted on every core. When more than one run is
// needed, each is written to a SpilledRuns file and the runs are merged back in order,
// so that a first load of any size still appends every index page full. (Cutting the
// catch-up into one transaction per run instead merged each run into the whole index:
// pages split in two at each insert, and the index took half as many bytes again.)
#pragma once

#include "storage/environment.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace entente::storage {

// One index entry: the identifier as the index stores it (kind byte, then the value)
// and the key of the customer who holds it.
struct IndexEntry {
  std::string_view identifier;
  uint64_t customerKey;
};

// Entries collected in memory and sorted by (identifier, customer key).
class SortedRun {
 public:
  void add(uint64_t customerKey, uint8_t kind, std::string_view value);
  void sort();
  size_t size() const { return entries_.size(); }
  IndexEntry operator[](size_t i) const;
  void clear();

 private:
  // Each entry carries the first 16 bytes of its identifier, zero-padded and
  // big-endian, so that most comparisons of the sort are two integer compares
  // instead of a visit to the arena.
  struct Entry {
    uint64_t head[2];
    uint64_t customerKey;
    uint32_t offset, size;
  };
  std::string_view text(const Entry& e) const { return std::string_view(arena_).substr(e.offset, e.size); }

  std::string arena_;
  std::vector<Entry> entries_;
};

// Sorted runs written one after the other to a file that no other process can open:
// made in `dir` (the store's directory, so on the store's disk and under its
// permissions, 0600) without a name (O_TMPFILE), or unlinked at once where the file
// system cannot do that. Nothing is left behind, even by a crash. It holds about
// 40 bytes per entry while it lives.
class SpilledRuns {
 public:
  // Throws StoreError when the file cannot be made.
  explicit SpilledRuns(const std::filesystem::path& dir);
  ~SpilledRuns();
  SpilledRuns(const SpilledRuns&) = delete;
  SpilledRuns& operator=(const SpilledRuns&) = delete;

  // Appends a run, which must be sorted. Throws StoreError when the disk is full.
  void write(const SortedRun& run);
  size_t runs() const { return runs_.size(); }
  // Every entry of every run, in (identifier, customer key) order. An entry's
  // identifier is valid during the call only.
  void merge(const std::function<void(IndexEntry)>& visit) const;

 private:
  struct Extent {
    uint64_t begin, end;
  };
  void flush(std::string& buffer);

  std::filesystem::path dir_;
  int fd_ = -1;
  uint64_t size_ = 0;
  std::vector<Extent> runs_;
};

}  // namespace entente::storage
