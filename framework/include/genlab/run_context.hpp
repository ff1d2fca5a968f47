#pragma once
// RunContext: everything a component may touch while it runs. The runner makes one per run; nothing
// about a run lives in globals or thread_locals (TBB may run another run's task on the same thread).
//
// requires: methods are called from the run's own task (or tasks it spawns and joins) only.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "genlab/error.hpp"
#include "genlab/export.hpp"
#include "genlab/rng.hpp"

namespace genlab {

/// A named row-major matrix of doubles.
struct NamedArray {
  std::string name;
  std::int64_t rows = 0, cols = 0;
  std::vector<double> data;
};

/// A component's resumable state at some step. The runtime adds what the run has logged so far.
struct Checkpoint {
  std::int64_t step = 0;
  std::vector<NamedArray> arrays;
};

class GENLAB_EXPORT RunContext {
 public:
  virtual ~RunContext();

  /// SHA-256 (hex) of the run's canonical resolved config.
  virtual const std::string& run_id() const = 0;
  virtual std::int64_t seed() const = 0;
  /// A stream for one purpose ("data", "init", "noise"), keyed by (seed, run id, purpose): the same
  /// numbers whatever --jobs, shard or resume.
  virtual Rng rng(std::string_view purpose) const = 0;

  /// Appends (step, wall time, value) to the time series `metric`.
  /// ensures: a NaN/Inf value throws NumericalError naming the metric and step (the run fails).
  virtual void log(const std::string& metric, std::int64_t step, double value) = 0;
  /// Sets a final metric (a column of the runs table). Same NaN/Inf rule as log().
  virtual void set_final(const std::string& metric, double value) = 0;
  /// Stores a row-major rows x cols array under /arrays/<name> of the run file.
  virtual void save_array(const std::string& name, std::int64_t rows, std::int64_t cols, const double* data) = 0;
  /// A line for the run's log (stored with the run).
  virtual void note(const std::string& text) = 0;
  /// The model's export description (JSON), stored as the run file's attribute `model_export`.
  virtual void set_model_export(const std::string& json) = 0;

  /// Saves (replaces) the run's checkpoint: `c` plus every metric, final and note logged so far, written
  /// atomically to its own file. Kept if the run is interrupted or killed; removed once the run ends.
  virtual void save_checkpoint(const Checkpoint& c) = 0;
  /// The checkpoint an interrupted earlier attempt of this run left, if any. Restoring it also restores what
  /// that attempt had logged, so the finished run's series read as if it had never stopped.
  virtual std::optional<Checkpoint> restore_checkpoint() = 0;

  /// Progress in [0, 1] for the live display. Cheap: call it as often as convenient.
  virtual void set_progress(double fraction) = 0;
  /// True once the user asked to stop (Ctrl-C). Long loops should call check_stop() now and then.
  virtual bool stop_requested() const = 0;
  void check_stop() const {
    if (stop_requested()) throw Cancelled("stopped on request");
  }
};

}  // namespace genlab
