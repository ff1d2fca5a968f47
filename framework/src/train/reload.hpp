#pragma once
// A finished model run brought back to life: its config re-resolved against the loaded plugins, its data
// splits and model rebuilt from the run's own random streams (so a MADE mask pool, a binarization or a
// fixed permutation come out as they were), and its saved parameters (the best on validation) loaded.
// What `genlab sample` and `genlab inpaint` start from.
#include <memory>
#include <string>

#include "genlab/model.hpp"
#include "registry.hpp"
#include "run_record.hpp"

namespace genlab {

struct ReloadedRun {
  std::string path;  ///< the run file
  RunRecord record;  ///< everything the file holds
  const ComponentInfo* model_info = nullptr;
  const ComponentInfo* dataset_info = nullptr;
  DataSplits data;
  std::unique_ptr<Model> model;
};

/// Throws Error naming the run and the reason: not a model run, not finished ok, a component that is not
/// loaded, no saved parameters, or parameters whose names or shapes differ from the rebuilt model's.
ReloadedRun reload_run(const std::string& results_dir, const std::string& id_prefix, const Registry& registry);

/// Adds (or replaces) arrays in a finished run's file, rewriting it atomically.
void add_run_arrays(const std::string& results_dir, const ReloadedRun& run,
                    const std::vector<std::pair<std::string, Matrix>>& arrays);

}  // namespace genlab
