#pragma once
// Runner: executes the runs of a plan on one oneTBB arena and records each in its own HDF5 file.
#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

#include "experiment.hpp"

namespace genlab {

struct RunOptions {
  int jobs = 0;  ///< concurrent runs; 0 = all cores
  std::string out_root = "results";
  int shard_index = 0, shard_count = 1;
  bool live = false;  ///< redraw a progress line (terminal); else plain lines
  std::string git_commit;
};

struct RunSummary {
  std::string dir;
  std::size_t planned = 0, selected = 0, skipped = 0, ok = 0, failed = 0, interrupted = 0, busy = 0;
};

/// Which runs of `n` belong to shard i of N: index % N == i (balanced by count, disjoint, covering).
bool in_shard(std::size_t index, int shard_index, int shard_count);

/// Runs the plan. `stop` is polled: once set, no new run starts and running ones are asked to stop.
RunSummary run_plan(const ExperimentPlan& plan, const Registry& registry, const RunOptions& opt,
                    std::atomic<bool>& stop);

/// Rebuilds <dir>/experiment.h5 from the run files there.
void rebuild_index(const std::string& dir, const ExperimentPlan& plan, const Registry& registry,
                   const std::string& git_commit);

}  // namespace genlab
