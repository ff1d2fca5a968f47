#pragma once
// RunContext: everything a component may touch while it runs. The runner makes one per run; nothing
// about a run lives in globals or thread_locals (TBB may run another run's task on the same thread).
//
// requires: methods are called from the run's own task (or tasks it spawns and joins) only.
#include <cstdint>
#include <string>
#include <string_view>

#include "genlab/error.hpp"
#include "genlab/export.hpp"
#include "genlab/rng.hpp"

namespace genlab {

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

  /// Progress in [0, 1] for the live display. Cheap: call it as often as convenient.
  virtual void set_progress(double fraction) = 0;
  /// True once the user asked to stop (Ctrl-C). Long loops should call check_stop() now and then.
  virtual bool stop_requested() const = 0;
  void check_stop() const {
    if (stop_requested()) throw Cancelled("stopped on request");
  }
};

}  // namespace genlab
