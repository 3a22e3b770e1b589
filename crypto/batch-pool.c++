#include "crypto/batch-pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <ctime>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace entente::crypto {
namespace {

// Below this many elements per slice the hand-off costs more than it saves.
constexpr size_t kMinSlice = 8;
constexpr size_t kSlicesPerThread = 4;

class WorkerPool {
 public:
  WorkerPool() {
    size_t n = std::max<size_t>(1, std::thread::hardware_concurrency());
    // The calling thread works too, so start one fewer worker than there are cores.
    for (size_t i = 1; i < n; ++i) workers_.emplace_back([this] { work(); });
    threads_ = n;
  }
  ~WorkerPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }

  size_t threads() const { return threads_; }

  void run(size_t count, const std::function<void(size_t, size_t)>& body) {
    // A few slices per thread, taken in turn: a worker that wakes late, or a slice
    // that runs slow, leaves the others less to wait for.
    size_t slices = std::min(threads_ * kSlicesPerThread, (count + kMinSlice - 1) / kMinSlice);
    if (slices <= 1) {
      if (count > 0) body(0, count);
      return;
    }
    // One batch at a time: callers from several threads take turns.
    std::lock_guard batchLock(batchMutex_);
    {
      std::lock_guard lock(mutex_);
      body_ = &body;
      count_ = count;
      slices_ = slices;
      nextSlice_ = 0;
      pending_ = slices;
      error_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
    runSlices();
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    body_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void work() {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
      }
      runSlices();
    }
  }

  void runSlices() {
    for (;;) {
      size_t slice;
      const std::function<void(size_t, size_t)>* body;
      {
        std::lock_guard lock(mutex_);
        if (body_ == nullptr || nextSlice_ >= slices_) return;
        slice = nextSlice_++;
        body = body_;
      }
      size_t begin = count_ * slice / slices_;
      size_t end = count_ * (slice + 1) / slices_;
      std::exception_ptr error;
      try {
        (*body)(begin, end);
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard lock(mutex_);
      if (error && !error_) error_ = error;
      if (--pending_ == 0) done_.notify_all();
    }
  }

  std::vector<std::thread> workers_;
  size_t threads_ = 1;
  std::mutex batchMutex_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  bool stopping_ = false;
  uint64_t generation_ = 0;
  const std::function<void(size_t, size_t)>* body_ = nullptr;
  size_t count_ = 0, slices_ = 0, nextSlice_ = 0, pending_ = 0;
  std::exception_ptr error_;
};

WorkerPool& pool() {
  static WorkerPool instance;
  return instance;
}

}  // namespace

namespace {
std::atomic<uint64_t> callerBatchNanos{0};

uint64_t threadCpuNanos() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(t.tv_nsec);
}
}  // namespace

void parallelFor(size_t count, const std::function<void(size_t, size_t)>& body) {
  // The calling thread's CPU here is its share of the batch, counted apart so that
  // what it does outside batches (a node's event loop) is measured, not estimated.
  uint64_t before = threadCpuNanos();
  struct Count {
    uint64_t before;
    ~Count() { callerBatchNanos += threadCpuNanos() - before; }
  } count_{before};
  pool().run(count, body);
}

double callerBatchCpuSeconds() { return static_cast<double>(callerBatchNanos.load()) / 1e9; }

size_t parallelism() { return pool().threads(); }

}  // namespace entente::crypto
