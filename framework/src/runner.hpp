#pragma once
// Runner: executes the runs of a plan on one oneTBB arena and records each in its own HDF5 file.
#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "experiment.hpp"

namespace genlab {

/// How one run ended, as the runner reports it ("busy": another process holds its claim).
struct RunOutcome {
  std::size_t index = 0;  ///< in the plan
  std::string status;     ///< "ok" | "failed" | "interrupted" | "busy"
  std::string detail;     ///< the error, or the claim's holder when busy
  double seconds = 0;
};

/// Where the runner's workers get their runs. Without one, run_plan walks its list of runs to do in sweep
/// order. The MPI launcher (cli/mpi_launch.cpp) supplies one per rank: rank 0 hands runs out to every rank
/// as workers free up, the others ask rank 0.
class RunFeed {
 public:
  virtual ~RunFeed() = default;
  /// Before any next(): the runs this process found still to do (plan indices, sweep order), and where to
  /// report runs done elsewhere (the coordinator reports them like its own; workers get no callback use).
  virtual void start(const std::vector<std::size_t>& pending, std::function<void(const RunOutcome&)> report_remote) = 0;
  /// The next run to do (a plan index), or nullopt when there is none left. May block; thread-safe.
  virtual std::optional<std::size_t> next(bool stopping) = 0;
  /// A run this process did has ended and its file is written. Thread-safe.
  virtual void done(const RunOutcome& o) = 0;
  /// After this process's workers are through: waits for the rest of the sweep (the coordinator, for every
  /// other rank to finish), so that the index rebuilt afterwards lists every run.
  virtual void finish() = 0;
  /// Whether this process prints the sweep's progress and keeps its index (rank 0, or a single process).
  virtual bool reports() const = 0;
  /// How many runs the whole sweep has to do (for the progress display), known after start().
  virtual std::size_t total() const = 0;
};

struct RunOptions {
  int jobs = 0;  ///< concurrent runs; 0 = all cores
  std::string out_root = "results";
  int shard_index = 0, shard_count = 1;
  bool live = false;  ///< redraw a progress line (terminal); else plain lines
  std::string git_commit;
  RunFeed* feed = nullptr;  ///< nullptr: this process runs its list alone
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
