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
// Each batch ends with its last slices finishing one by one while the other threads
// wait, about half a slice per thread: with 4 slices per thread that was up to a
// tenth of a batch of multiplications on 2 busy cores (`entente bench floor`'s
// pooled cost 4 to 13% over the all-busy one), with 16 it is 0 to 4%.
constexpr size_t kSlicesPerThread = 16;
// Consumed in order, slices are smaller: the caller's first consume waits for the
// first slice only, and the last slice produced leaves little to consume after it.
constexpr size_t kOrderedSlicesPerThread = 16;

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
    // Several slices per thread, taken in turn: a worker that wakes late, or a slice
    // that runs slow, leaves the others less to wait for.
    size_t slices = std::min(threads_ * kSlicesPerThread, (count + kMinSlice - 1) / kMinSlice);
    if (slices <= 1) {
      if (count > 0) body(0, count);
      return;
    }
    // One batch at a time: callers from several threads take turns.
    std::lock_guard batchLock(batchMutex_);
    start(count, slices, body);
    runSlices();
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    body_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

  // The workers produce slices; the caller consumes each finished one in order and,
  // while the next in order is not finished, produces one itself rather than wait.
  void runInOrder(size_t count, const std::function<void(size_t, size_t)>& produce,
                  const std::function<void(size_t, size_t)>& consume,
                  const std::function<void(size_t, size_t)>& producedByCaller) {
    size_t slices = std::min(threads_ * kOrderedSlicesPerThread, (count + kMinSlice - 1) / kMinSlice);
    if (slices <= 1) {
      if (count > 0) {
        producedByCaller(0, count);
        consume(0, count);
      }
      return;
    }
    std::lock_guard batchLock(batchMutex_);
    start(count, slices, produce);
    std::exception_ptr consumeError;
    size_t consumed = 0;
    std::unique_lock lock(mutex_);
    for (;;) {
      bool consuming = !consumeError && !error_ && consumed < slices;
      if (consuming && finished_[consumed]) {
        size_t slice = consumed++;
        lock.unlock();
        try {
          consume(sliceBegin(slice), sliceBegin(slice + 1));
        } catch (...) {
          consumeError = std::current_exception();
        }
        lock.lock();
      } else if (nextSlice_ < slices_) {
        size_t slice = nextSlice_++;
        lock.unlock();
        runSlice(slice, producedByCaller);
        lock.lock();
      } else if (pending_ == 0) {
        // Nothing left to consume: all consumed, or a slice failed.
        break;
      } else {
        done_.wait(lock);
      }
    }
    body_ = nullptr;
    if (consumeError) std::rethrow_exception(consumeError);
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
      {
        std::lock_guard lock(mutex_);
        if (body_ == nullptr || nextSlice_ >= slices_) return;
        slice = nextSlice_++;
      }
      runSlice(slice, *body_);
    }
  }

  // Runs one claimed slice and marks it finished. body_ stays set until every
  // claimed slice is finished, so reading it without the lock is safe.
  void runSlice(size_t slice, const std::function<void(size_t, size_t)>& body) {
    std::exception_ptr error;
    try {
      body(sliceBegin(slice), sliceBegin(slice + 1));
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard lock(mutex_);
    if (error && !error_) error_ = error;
    finished_[slice] = 1;
    --pending_;
    // Every slice, not only the last: a caller of runInOrder waits for the next one.
    done_.notify_all();
  }

  size_t sliceBegin(size_t slice) const { return count_ * slice / slices_; }

  void start(size_t count, size_t slices, const std::function<void(size_t, size_t)>& body) {
    {
      std::lock_guard lock(mutex_);
      body_ = &body;
      count_ = count;
      slices_ = slices;
      nextSlice_ = 0;
      pending_ = slices;
      finished_.assign(slices, 0);
      error_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
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
  std::vector<uint8_t> finished_;  // per slice: produced
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

ThreadCpuTo::ThreadCpuTo(std::atomic<uint64_t>& total) : total_(total), before_(threadCpuNanos()) {}
ThreadCpuTo::~ThreadCpuTo() { total_ += threadCpuNanos() - before_; }

void parallelFor(size_t count, const std::function<void(size_t, size_t)>& body) {
  // The calling thread's CPU here is its share of the batch, counted apart so that
  // what it does outside batches (a node's event loop) is measured, not estimated.
  ThreadCpuTo counted(callerBatchNanos);
  pool().run(count, body);
}

void parallelForInOrder(size_t count, const std::function<void(size_t begin, size_t end)>& produce,
                        const std::function<void(size_t begin, size_t end)>& consume) {
  // Only the caller's share of producing counts as batch work: consuming is the
  // caller's own, serial work.
  auto producedByCaller = [&](size_t begin, size_t end) {
    ThreadCpuTo counted(callerBatchNanos);
    produce(begin, end);
  };
  pool().runInOrder(count, produce, consume, producedByCaller);
}

double callerBatchCpuSeconds() { return static_cast<double>(callerBatchNanos.load()) / 1e9; }

size_t parallelism() { return pool().threads(); }

}  // namespace entente::crypto
