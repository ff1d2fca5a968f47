#pragma once
// The runner's RunContext: collects what a run logs, in memory, until the run file is written.
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>

#include "experiment.hpp"
#include "genlab/run_context.hpp"
#include "run_record.hpp"

namespace genlab {

/// The random stream `purpose` of a run: a function of (seed, run id, purpose) only, so that code outside
/// the run (reloading a finished run's model) gets the very streams the run had.
Rng run_stream(std::int64_t seed, const std::string& run_id, std::string_view purpose);

class RunContextImpl final : public RunContext {
 public:
  /// `checkpoint_path`: where save_checkpoint() writes and restore_checkpoint() looks.
  RunContextImpl(const RunSpec& spec, const std::atomic<bool>& stop, std::string checkpoint_path);

  const std::string& run_id() const override { return spec_.id; }
  std::int64_t seed() const override { return spec_.seed; }
  Rng rng(std::string_view purpose) const override;
  void log(const std::string& metric, std::int64_t step, double value) override;
  void set_final(const std::string& metric, double value) override;
  void save_array(const std::string& name, std::int64_t rows, std::int64_t cols, const double* data) override;
  void note(const std::string& text) override;
  void set_model_export(const std::string& json) override;
  void save_checkpoint(const Checkpoint& c) override;
  std::optional<Checkpoint> restore_checkpoint() override;
  void set_progress(double fraction) override { progress_.store(fraction, std::memory_order_relaxed); }
  bool stop_requested() const override { return stop_.load(std::memory_order_relaxed); }

  double progress() const { return progress_.load(std::memory_order_relaxed); }
  double elapsed() const;
  const RunSpec& spec() const { return spec_; }
  /// Moves what was collected into `r` (metrics, finals, arrays, log).
  void take_results(RunRecord& r);

 private:
  const RunSpec& spec_;
  const std::atomic<bool>& stop_;
  std::string checkpoint_path_;
  std::chrono::steady_clock::time_point start_;
  double time_offset_ = 0;  // wall time already spent by the attempt a checkpoint came from
  double attempt_start_progress_ = 0;  // progress when this attempt began (from the restored checkpoint)
  std::atomic<double> progress_{0.0};
  std::mutex mutex_;  // a run may log from tasks it spawns
  std::vector<std::pair<std::string, Series>> metrics_;
  std::map<std::string, std::size_t> metric_slot_;
  std::vector<std::pair<std::string, double>> finals_;
  std::vector<std::pair<std::string, ArrayData>> arrays_;
  std::string log_;
  std::string model_export_;
};

}  // namespace genlab
