// Spreads a batch of independent group operations over all cores.
//
// Scalar multiplications dominate a match (tens of microseconds each), so every batch
// is cut into contiguous slices and run on a pool of worker threads started once per
// process. The caller blocks until the batch is done: the node's event loop hands
// whole batches here, and batching keeps the hand-off cost negligible next to the
// arithmetic.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>

namespace entente::crypto {

// Runs body(begin, end) over disjoint slices covering [0, count) on all cores and
// returns when every slice is done. The first exception thrown by a slice is
// rethrown here after all slices have finished.
void parallelFor(size_t count, const std::function<void(size_t begin, size_t end)>& body);

// Runs produce(begin, end) over slices covering [0, count) on all cores, and
// consume(begin, end) on the calling thread for each produced slice, in order, as
// soon as it and every slice before it are produced: the caller's serial work on
// early slices overlaps the workers' producing of later ones. When the next slice
// in order is not ready, the caller produces one itself. If a call throws, no slice
// after it is consumed, every other slice is still produced (the caller may rely
// on that to redo the consuming another way), and the first error of consume, else of produce,
// is rethrown.
void parallelForInOrder(size_t count, const std::function<void(size_t begin, size_t end)>& produce,
                        const std::function<void(size_t begin, size_t end)>& consume);

// Number of worker threads (the number of cores, at least 1).
size_t parallelism();
// CPU seconds that threads calling parallelFor spent in it (their share of the
// batches) since the process started: a node's main thread minus this is its event
// loop's own work, the serial part of a match.
double callerBatchCpuSeconds();

// Adds the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID) between its
// construction and destruction to `total`: how the node counts its batches' CPU.
class ThreadCpuTo {
 public:
  explicit ThreadCpuTo(std::atomic<uint64_t>& total);
  ~ThreadCpuTo();
  ThreadCpuTo(const ThreadCpuTo&) = delete;
  ThreadCpuTo& operator=(const ThreadCpuTo&) = delete;

 private:
  std::atomic<uint64_t>& total_;
  uint64_t before_;
};

}  // namespace entente::crypto
