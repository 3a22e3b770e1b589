// entente bench floor: the cost of one group operation on this machine, measured now,
// which bench/match multiplies into the floor it compares a whole match against.
#include "crypto/batch-pool.h"
#include "crypto/group-cost.h"
#include "protocol/blinded-batch.h"
#include "tools/commands.h"

#include <fmt/core.h>

namespace entente::tools {

void addBenchCommands(CLI::App& app) {
  auto* group = app.add_subcommand("bench", "Measurements for the benchmarks in bench/");
  group->require_subcommand(1);
  group->footer("Example: entente bench floor --ops 4000   (bench/match runs it for you)");
  auto ops = std::make_shared<size_t>(2000);
  auto* floor = group->add_subcommand(
      "floor", "Measure hash-to-group and scalar multiplication costs (one core alone, then every core at once)");
  floor->add_option("--ops", *ops, "Operations to time")->capture_default_str()->check(CLI::Range(10, 1'000'000));
  floor->footer("Prints JSON. Example: entente bench floor --ops 4000");
  floor->callback([ops] {
    auto alone = crypto::measureGroupCost(*ops);
    auto busy = crypto::measureGroupCostAllBusy(*ops, crypto::parallelism());
    auto pooled = crypto::measurePooledScalarMultMicros(*ops, protocol::kBatchValues);
    // "allBusy": per operation and core while every core runs the same loop, the
    // floor's true ingredient (a core alone usually runs faster). "pooled": the same
    // multiplications in a session's batches through the worker pool, per operation
    // and core; over allBusy, it is what the pool's hand-offs cost.
    fmt::print(
        "{{\"hashToGroupMicros\":{:.2f},\"scalarMultMicros\":{:.2f},\"allBusyHashToGroupMicros\":{:.2f},"
        "\"allBusyScalarMultMicros\":{:.2f},\"pooledScalarMultMicros\":{:.2f},\"pooledBatch\":{},\"cores\":{}}}\n",
        alone.hashToGroupMicros, alone.scalarMultMicros, busy.hashToGroupMicros, busy.scalarMultMicros, pooled,
        protocol::kBatchValues, crypto::parallelism());
  });
}

}  // namespace entente::tools
