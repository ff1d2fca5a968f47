#pragma once
// What one run leaves behind; written to runs/<id>.h5 and read back by `show` and the index rebuild.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace genlab {

struct Series {
  std::vector<std::int64_t> step;
  std::vector<double> wall_time;  ///< seconds since the run started
  std::vector<double> value;
};

struct ArrayData {
  std::int64_t rows = 0, cols = 0;
  std::vector<double> data;  ///< row-major
};

struct RunRecord {
  std::string id;          ///< 64 hex digits
  std::int64_t index = 0;  ///< position in the sweep
  std::string status;      ///< "ok" | "failed" | "interrupted"
  std::string error;       ///< message chain when not ok
  std::string experiment;
  std::string component, plugin, plugin_version;
  std::int64_t seed = 0;
  double start_time = 0, end_time = 0;  ///< Unix seconds
  std::string config_yaml, config_json, swept_json;
  std::string host;
  std::string log;  ///< notes the run made, one per line
  std::string model_export;  ///< the model's export description (JSON; empty for algorithms)
  std::vector<std::pair<std::string, Series>> metrics;
  std::vector<std::pair<std::string, double>> finals;
  std::vector<std::pair<std::string, ArrayData>> arrays;
};

/// What a checkpoint file holds: the component's state and the run's log so far.
struct CheckpointRecord {
  std::string run_id;
  std::int64_t step = 0;
  std::vector<std::pair<std::string, ArrayData>> state;
  std::vector<std::pair<std::string, Series>> metrics;
  std::vector<std::pair<std::string, double>> finals;
  std::vector<std::pair<std::string, ArrayData>> arrays;
  std::string log;
  /// The run's configuration, as its run file will hold it, so that a run that has never stopped can be
  /// described from its checkpoint alone (empty in files written before 2026-12-07).
  std::string config_yaml, config_json;
  /// The component's progress (0..1, as set_progress last had it) and the run's running time in seconds
  /// over all its sessions, when the checkpoint was written; -1 where unknown (files older than these).
  double progress = -1, elapsed_s = -1;
  /// The same two at the start of the attempt (session) that wrote the checkpoint: 0 and 0 for a run that
  /// never stopped, -1 where unknown. A run's speed changes between attempts (another build, another load),
  /// and the current attempt's rate predicts the rest better than the average.
  double attempt_start_progress = -1, attempt_start_elapsed_s = -1;
};

/// The experiment-level facts stored in experiment.h5 besides the runs table.
struct ExperimentInfo {
  std::string name, source_path, yaml_text, overrides_json, swept_keys_json, plugins_text, git_commit;
  std::int64_t planned_runs = 0;
};

}  // namespace genlab
