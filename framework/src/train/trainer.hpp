#pragma once
// The one training loop every model uses.
#include "genlab/ad/graph.hpp"
#include "genlab/model.hpp"
#include "genlab/registrar.hpp"
#include "genlab/run_context.hpp"
#include "genlab/value.hpp"

namespace genlab {

/// Trains `model` on `dataset` as the resolved run config says ({seed, dataset, model, train, eval}):
/// shuffled minibatches, per-epoch validation, early stopping that restores the best parameters, a
/// checkpoint every train.checkpoint_every updates (resumed exactly after a kill), NaN/Inf detection naming
/// the step and the tensor, and test metrics (loss; NLL in nats and bits/dim for models with log_prob).
void train_model(const ComponentInfo& model, const ComponentInfo& dataset, const Value& config, RunContext& ctx);

/// The test-split metrics of a trained model, as finals (and arrays) of `ctx`: test_loss; test_nll and
/// test_bits_per_dim for models with a likelihood; accuracy, macro F1, cross-entropy and the confusion
/// matrix for classifiers; every log-likelihood estimate the model offers. The streams are ctx's "eval",
/// "eval_transform" and "estimates": the trainer and `genlab eval` draw the same numbers.
void report_test_metrics(Model& model, ad::Graph<float>& g, const DataSplits& data, Index eval_batch_size,
                         RunContext& ctx);

}  // namespace genlab
