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
  Value config;  ///< the resolved config the model was rebuilt from (overrides applied)
};

/// Throws Error naming the run and the reason: not a model run, not finished ok, a component that is not
/// loaded, no saved parameters, or parameters whose names or shapes differ from the rebuilt model's.
/// `overrides` ("model.nll_k=1000", "eval.batch_size=500") change the stored config before the model is
/// rebuilt; only model.* and eval.* keys may change (the data and the training are what they were), and a
/// change that alters the parameters' shapes fails with the parameter named.
ReloadedRun reload_run(const std::string& results_dir, const std::string& id_prefix, const Registry& registry,
                       const std::vector<std::string>& overrides = {});

/// Adds (or replaces) finals and arrays in a finished run's file and appends a line to its log, rewriting
/// the file atomically. Nothing else in the file changes.
void add_run_results(const std::string& results_dir, const ReloadedRun& run,
                     const std::vector<std::pair<std::string, double>>& finals,
                     const std::vector<std::pair<std::string, ArrayData>>& arrays, const std::string& log_line);

/// Adds (or replaces) arrays in a finished run's file, rewriting it atomically.
void add_run_arrays(const std::string& results_dir, const ReloadedRun& run,
                    const std::vector<std::pair<std::string, Matrix>>& arrays);

}  // namespace genlab
