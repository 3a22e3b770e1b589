#include "storage/identifier-runs.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

namespace entente::storage {
namespace {

// std::sort on every core: the parts sorted each on a thread, then merged. (The
// catch-up of a large import sorts millions of entries while nothing else runs.)
template <typename It, typename Less>
void sortOnAllCores(It begin, It end, Less less) {
  size_t parts = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 16);
  size_t count = static_cast<size_t>(end - begin);
  if (parts == 1 || count < 65536) {
    std::sort(begin, end, less);
    return;
  }
  std::vector<It> bounds;
  for (size_t i = 0; i <= parts; ++i) bounds.push_back(begin + static_cast<std::ptrdiff_t>(count * i / parts));
  {
    std::vector<std::jthread> threads;
    for (size_t i = 1; i < parts; ++i) threads.emplace_back([&, i] { std::sort(bounds[i], bounds[i + 1], less); });
    std::sort(bounds[0], bounds[1], less);
  }
  for (size_t width = 1; width < parts; width *= 2) {
    for (size_t i = 0; i + width < parts; i += 2 * width) {
      std::inplace_merge(bounds[i], bounds[i + width], bounds[std::min(i + 2 * width, parts)], less);
    }
  }
}

bool operator<(const IndexEntry& a, const IndexEntry& b) {
  return a.identifier != b.identifier ? a.identifier < b.identifier : a.customerKey < b.customerKey;
}

// An entry on file: its identifier's length (two bytes), the identifier, the key.
constexpr size_t kLengthBytes = 2;
constexpr size_t kKeyBytes = 8;
constexpr size_t kBufferBytes = 1 << 20;
constexpr size_t kReadBytes = 1 << 18;

// Reads one run back, a buffer at a time.
class RunReader {
 public:
  RunReader(int fd, uint64_t begin, uint64_t end) : fd_(fd), offset_(begin), end_(end), buffer_(kReadBytes) {}

  // Steps to the run's next entry; false after its last.
  bool next() {
    if (!fill(kLengthBytes)) {
      if (used_ != read_) damaged();
      return false;
    }
    uint16_t size;
    std::memcpy(&size, buffer_.data() + read_, kLengthBytes);
    if (!fill(kLengthBytes + size + kKeyBytes)) damaged();
    const char* at = buffer_.data() + read_ + kLengthBytes;
    current_.identifier = std::string_view(at, size);
    std::memcpy(&current_.customerKey, at + size, kKeyBytes);
    read_ += kLengthBytes + size + kKeyBytes;
    return true;
  }
  const IndexEntry& current() const { return current_; }

 private:
  // Makes `need` unread bytes available; false when the run ends sooner.
  bool fill(size_t need) {
    if (used_ - read_ >= need) return true;
    std::memmove(buffer_.data(), buffer_.data() + read_, used_ - read_);
    used_ -= read_;
    read_ = 0;
    while (used_ < need && offset_ < end_) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(buffer_.size() - used_, end_ - offset_));
      ssize_t got = ::pread(fd_, buffer_.data() + used_, want, static_cast<off_t>(offset_));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        throw StoreError(std::string("cannot read back the identifier index's sort file: ") +
                         (got < 0 ? std::strerror(errno) : "it ended early") +
                         "; the index is finished at the next start of the node");
      }
      used_ += static_cast<size_t>(got);
      offset_ += static_cast<uint64_t>(got);
    }
    return used_ - read_ >= need;
  }
  [[noreturn]] static void damaged() {
    throw StoreError("the identifier index's sort file ends inside an entry; the index is finished at the next start of the node");
  }

  int fd_;
  uint64_t offset_, end_;
  std::vector<char> buffer_;
  size_t read_ = 0, used_ = 0;
  IndexEntry current_{};
};

}  // namespace

void SortedRun::add(uint64_t customerKey, uint8_t kind, std::string_view value) {
  Entry e{{0, 0}, customerKey, static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(value.size() + 1)};
  arena_.push_back(static_cast<char>(kind));
  arena_.append(value);
  for (uint32_t i = 0; i < 16 && i < e.size; ++i) {
    e.head[i / 8] |= uint64_t{static_cast<uint8_t>(arena_[e.offset + i])} << (56 - 8 * (i % 8));
  }
  entries_.push_back(e);
}

void SortedRun::sort() {
  sortOnAllCores(entries_.begin(), entries_.end(), [this](const Entry& a, const Entry& b) {
    if (a.head[0] != b.head[0]) return a.head[0] < b.head[0];
    if (a.head[1] != b.head[1]) return a.head[1] < b.head[1];
    // Equal heads: the texts decide (a shorter one padded with zeros can tie).
    auto ta = text(a), tb = text(b);
    return ta != tb ? ta < tb : a.customerKey < b.customerKey;
  });
}

IndexEntry SortedRun::operator[](size_t i) const { return {text(entries_[i]), entries_[i].customerKey}; }

void SortedRun::clear() {
  arena_.clear();
  entries_.clear();
}

SpilledRuns::SpilledRuns(const std::filesystem::path& dir) : dir_(dir) {
  fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd_ < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    // A file system without O_TMPFILE: a named file, unlinked before anything is written.
    std::string name = (dir / "identifier-sort.XXXXXX").string();
    fd_ = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd_ >= 0) ::unlink(name.c_str());
  }
  if (fd_ < 0) {
    throw StoreError("cannot make a file in " + dir.string() + " to sort the identifier index: " +
                     std::strerror(errno) + "; check that the node's user may write there");
  }
}

SpilledRuns::~SpilledRuns() {
  if (fd_ >= 0) ::close(fd_);
}

void SpilledRuns::flush(std::string& buffer) {
  size_t done = 0;
  while (done < buffer.size()) {
    ssize_t wrote = ::pwrite(fd_, buffer.data() + done, buffer.size() - done, static_cast<off_t>(size_ + done));
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) {
      throw StoreError("cannot write the identifier index's sort file in " + dir_.string() + ": " +
                       std::strerror(errno) +
                       (errno == ENOSPC ? " (it needs about 40 bytes per identifier; free space there)" : "") +
                       "; the index is finished at the next start of the node");
    }
    done += static_cast<size_t>(wrote);
  }
  size_ += buffer.size();
  buffer.clear();
}

void SpilledRuns::write(const SortedRun& run) {
  uint64_t begin = size_;
  std::string buffer;
  buffer.reserve(kBufferBytes);
  for (size_t i = 0; i < run.size(); ++i) {
    IndexEntry e = run[i];
    // LMDB keys are at most 511 bytes, so that an identifier's length fits two bytes.
    auto size = static_cast<uint16_t>(e.identifier.size());
    if (buffer.size() + kLengthBytes + size + kKeyBytes > kBufferBytes) flush(buffer);
    buffer.append(reinterpret_cast<const char*>(&size), kLengthBytes);
    buffer.append(e.identifier);
    buffer.append(reinterpret_cast<const char*>(&e.customerKey), kKeyBytes);
  }
  flush(buffer);
  runs_.push_back({begin, size_});
}

void SpilledRuns::merge(const std::function<void(IndexEntry)>& visit) const {
  std::vector<RunReader> readers;
  readers.reserve(runs_.size());
  std::vector<RunReader*> heap;
  for (auto& run : runs_) {
    readers.emplace_back(fd_, run.begin, run.end);
    if (readers.back().next()) heap.push_back(&readers.back());
  }
  // A heap of the runs by their current entry, the smallest on top.
  auto later = [](const RunReader* a, const RunReader* b) { return b->current() < a->current(); };
  std::make_heap(heap.begin(), heap.end(), later);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    RunReader* smallest = heap.back();
    visit(smallest->current());
    if (smallest->next()) {
      std::push_heap(heap.begin(), heap.end(), later);
    } else {
      heap.pop_back();
    }
  }
}

}  // namespace entente::storage
