#pragma once
// The `train:` and `eval:` sections of a model experiment: their schemas (every default here) and the
// structs the trainer reads them into.
#include "genlab/nn/optim.hpp"
#include "genlab/params.hpp"
#include "genlab/schema.hpp"

namespace genlab {

struct TrainConfig {
  nn::OptimizerConfig optimizer;
  nn::Schedule schedule;
  std::int64_t batch_size = 100, epochs = 10;
  double clip_norm = 0;               ///< 0: no clipping
  std::int64_t patience = 0;          ///< early stopping after this many epochs without improvement; 0: off
  std::int64_t valid_every = 1;       ///< validate after every this many epochs (and after the last)
  double max_wall_time = 0;           ///< seconds of training before a clean, budget-limited stop; 0: none
  std::int64_t checkpoint_every = 0;  ///< steps; 0: never
  std::int64_t log_test_every = 0;    ///< epochs between test-split learning-curve points; 0: never
};

struct EvalConfig {
  std::int64_t batch_size = 1000;
  std::int64_t samples = 0;  ///< samples stored in /arrays/samples (models that can sample)
};

const Schema& train_schema();
const Schema& eval_schema();
TrainConfig read_train_config(const Params& p);
EvalConfig read_eval_config(const Params& p);

}  // namespace genlab
