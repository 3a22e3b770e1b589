#include "crypto/group-cost.h"

#include "crypto/batch-pool.h"
#include "crypto/group.h"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <latch>
#include <span>
#include <thread>
#include <string>
#include <vector>

namespace entente::crypto {
namespace {

// Distinct e-mail-like values to hash, in the probe's own domain.
const HashDomain kProbeDomain("cost-probe");
std::string probeValue(size_t i) { return "customer" + std::to_string(i) + "@example.org"; }

}  // namespace

GroupCost measureGroupCost(size_t operations) {
  using Clock = std::chrono::steady_clock;
  const auto& domain = kProbeDomain;
  std::vector<std::string> values;
  for (size_t i = 0; i < operations; ++i) values.push_back(probeValue(i));
  std::vector<Point> points(operations);

  auto start = Clock::now();
  for (size_t i = 0; i < operations; ++i) points[i] = hashToGroup(domain, IdentifierKind::EMAIL, values[i]);
  auto hashed = Clock::now();

  uint8_t scalar[crypto_core_ristretto255_SCALARBYTES];
  crypto_core_ristretto255_scalar_random(scalar);
  Point out;
  uint8_t sink = 0;  // keeps the compiler from dropping the loop
  for (size_t i = 0; i < operations; ++i) {
    if (crypto_scalarmult_ristretto255(out.data(), scalar, points[i].data()) == 0) sink ^= out[0];
  }
  auto multiplied = Clock::now();
  sodium_memzero(scalar, sizeof scalar);
  points[0][0] ^= sink;

  GroupCost cost;
  cost.hashToGroupMicros = std::chrono::duration<double, std::micro>(hashed - start).count() / operations;
  cost.scalarMultMicros = std::chrono::duration<double, std::micro>(multiplied - hashed).count() / operations;
  return cost;
}

GroupCost measureGroupCostAllBusy(size_t operations, size_t threads) {
  if (threads < 1) threads = 1;
  std::vector<GroupCost> costs(threads);
  std::latch start(static_cast<std::ptrdiff_t>(threads));
  {
    std::vector<std::jthread> running;
    for (size_t t = 0; t < threads; ++t) {
      running.emplace_back([&, t] {
        start.arrive_and_wait();
        costs[t] = measureGroupCost(operations);
      });
    }
  }
  GroupCost mean;
  for (auto& c : costs) {
    mean.hashToGroupMicros += c.hashToGroupMicros / static_cast<double>(threads);
    mean.scalarMultMicros += c.scalarMultMicros / static_cast<double>(threads);
  }
  return mean;
}

double measurePooledScalarMultMicros(size_t operations, size_t batch) {
  using Clock = std::chrono::steady_clock;
  if (batch < 1) batch = 1;
  std::vector<Point> points(operations), out(operations);
  for (size_t i = 0; i < operations; ++i) points[i] = hashToGroup(kProbeDomain, IdentifierKind::EMAIL, probeValue(i));
  auto scalar = SessionScalar::random();
  auto start = Clock::now();
  for (size_t from = 0; from < operations; from += batch) {
    size_t n = std::min(batch, operations - from);
    scalar.blind(std::span<const Point>(points).subspan(from, n), std::span<Point>(out).subspan(from, n));
  }
  auto wall = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
  return wall * static_cast<double>(parallelism()) / static_cast<double>(operations);
}

}  // namespace entente::crypto
