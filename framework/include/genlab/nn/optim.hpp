#pragma once
// Optimizers and learning-rate schedules. An optimizer updates a ParamSet from its gradients; its state
// (moments, step count) is exported as named arrays so checkpoints can save and restore it exactly.
#include <memory>
#include <string>
#include <vector>

#include "genlab/nn/params.hpp"
#include "genlab/run_context.hpp"

namespace genlab::nn {

struct OptimizerConfig {
  std::string name = "adam";  ///< sgd | adam | adamw | adamax | adagrad | rmsprop
  double lr = 1e-3;
  double momentum = 0.0;              ///< sgd, rmsprop
  double beta1 = 0.9, beta2 = 0.999;  ///< adam, adamw, adamax
  double eps = 1e-8;                  ///< adam, adamw, adamax, adagrad, rmsprop
  double decay = 0.95;                ///< rmsprop: moving average of squared gradients
  double weight_decay = 0.0;          ///< L2 penalty added to the gradient (wd * param); adamw: decoupled,
                                      ///< every weight shrinks by lr * wd per step
};

template <class T>
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  /// One update with learning rate `lr` (the schedule's value for this step).
  virtual void step(ParamSet<T>& params, double lr) = 0;
  /// State for checkpoints: named arrays (e.g. "m:coupling0.W") and the number of steps taken.
  virtual std::vector<NamedArray> state() const = 0;
  virtual void load_state(const std::vector<NamedArray>& state) = 0;
  std::int64_t steps() const { return steps_; }

 protected:
  std::int64_t steps_ = 0;
};

/// Makes the optimizer `cfg.name` for `params`; throws Error for an unknown name.
template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerConfig& cfg, const ParamSet<T>& params);

/// Scales all gradients so that their global L2 norm is at most max_norm; returns the norm before.
template <class T>
double clip_grad_norm(ParamSet<T>& params, double max_norm);

/// Learning rate as a function of the update step (0-based) and epoch.
struct Schedule {
  std::string name = "constant";  ///< constant | step | cosine | exponential | iwae | piecewise
  double base_lr = 1e-3;
  std::int64_t warmup_steps = 0;  ///< linear warm-up from 0 over these steps, then the schedule
  // step: lr * gamma^(epoch / step_epochs); exponential: max(lr * gamma^step, min_lr) (per update);
  // cosine: min_lr + (lr - min_lr) (1 + cos(pi step / total_steps)) / 2;
  // iwae: stage i = 0, 1, ... lasts step_epochs * 3^i epochs at lr * gamma^i (Burda et al. 2015);
  // piecewise: lr * factors[i] from epoch boundaries[i] on (boundaries ascending).
  double gamma = 0.1;
  std::int64_t step_epochs = 1;
  double min_lr = 0.0;
  std::int64_t total_steps = 1;
  std::vector<std::int64_t> boundaries;
  std::vector<double> factors;
  double lr(std::int64_t step, std::int64_t epoch) const;
};

}  // namespace genlab::nn
