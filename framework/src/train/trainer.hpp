#pragma once
// The one training loop every model uses.
#include "genlab/registrar.hpp"
#include "genlab/run_context.hpp"
#include "genlab/value.hpp"

namespace genlab {

/// Trains `model` on `dataset` as the resolved run config says ({seed, dataset, model, train, eval}):
/// shuffled minibatches, per-epoch validation, early stopping that restores the best parameters, a
/// checkpoint every train.checkpoint_every updates (resumed exactly after a kill), NaN/Inf detection naming
/// the step and the tensor, and test metrics (loss; NLL in nats and bits/dim for models with log_prob).
void train_model(const ComponentInfo& model, const ComponentInfo& dataset, const Value& config, RunContext& ctx);

}  // namespace genlab
