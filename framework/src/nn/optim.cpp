#include "genlab/nn/optim.hpp"

#include <cmath>

namespace genlab::nn {
namespace {

// Common machinery: per-parameter state slots ("m", "v", ...) and their export for checkpoints.
template <class T>
class SlotOptimizer : public Optimizer<T> {
 public:
  SlotOptimizer(const OptimizerConfig& cfg, const ParamSet<T>& params, std::vector<std::string> slot_names)
      : cfg_(cfg), slot_names_(std::move(slot_names)) {
    for (const auto& p : params.all()) {
      names_.push_back(p.name);
      for (std::size_t s = 0; s < slot_names_.size(); ++s)
        slots_.push_back(Tensor<T>::Zero(p.value.rows(), p.value.cols()));
    }
  }

  void step(ParamSet<T>& params, double lr) override {
    if (params.size() != names_.size()) throw Error("optimizer: the parameter set changed size since construction");
    ++this->steps_;
    std::size_t i = 0;
    for (auto& p : params.all()) {
      if (p.frozen) {
        ++i;
        continue;
      }
      if (cfg_.weight_decay != 0) p.grad += static_cast<T>(cfg_.weight_decay) * p.value;
      update(p, &slots_[i * slot_names_.size()], static_cast<T>(lr));
      ++i;
    }
  }

  std::vector<NamedArray> state() const override {
    std::vector<NamedArray> out;
    out.push_back(NamedArray{"steps", 1, 1, {static_cast<double>(this->steps_)}});
    for (std::size_t i = 0; i < names_.size(); ++i)
      for (std::size_t s = 0; s < slot_names_.size(); ++s) {
        const Tensor<T>& t = slots_[i * slot_names_.size() + s];
        NamedArray a{slot_names_[s] + ":" + names_[i], t.rows(), t.cols(), {}};
        a.data.assign(t.data(), t.data() + t.size());
        out.push_back(std::move(a));
      }
    return out;
  }

  void load_state(const std::vector<NamedArray>& state) override {
    std::size_t matched = 0;
    for (const auto& a : state) {
      if (a.name == "steps") {
        this->steps_ = static_cast<std::int64_t>(a.data.at(0));
        continue;
      }
      bool found = false;
      for (std::size_t i = 0; i < names_.size() && !found; ++i)
        for (std::size_t s = 0; s < slot_names_.size() && !found; ++s) {
          if (a.name != slot_names_[s] + ":" + names_[i]) continue;
          Tensor<T>& t = slots_[i * slot_names_.size() + s];
          if (a.rows != t.rows() || a.cols != t.cols())
            throw Error("optimizer state '" + a.name + "' has shape " + std::to_string(a.rows) + "x" +
                        std::to_string(a.cols) + ", the parameter " + std::to_string(t.rows()) + "x" +
                        std::to_string(t.cols()));
          for (Index k = 0; k < t.size(); ++k) t.data()[k] = static_cast<T>(a.data[static_cast<std::size_t>(k)]);
          found = true;
        }
      if (!found) throw Error("optimizer state '" + a.name + "' matches no parameter of this model");
      ++matched;
    }
    if (matched != slots_.size())
      throw Error("optimizer state has " + std::to_string(matched) + " arrays, expected " +
                  std::to_string(slots_.size()));
  }

 protected:
  virtual void update(Parameter<T>& p, Tensor<T>* slot, T lr) = 0;
  OptimizerConfig cfg_;

 private:
  std::vector<std::string> slot_names_;
  std::vector<std::string> names_;
  std::vector<Tensor<T>> slots_;
};

template <class T>
class Sgd final : public SlotOptimizer<T> {
 public:
  Sgd(const OptimizerConfig& c, const ParamSet<T>& p) : SlotOptimizer<T>(c, p, {"momentum"}) {}
  void update(Parameter<T>& p, Tensor<T>* s, T lr) override {
    if (this->cfg_.momentum == 0) {
      p.value -= lr * p.grad;
      return;
    }
    s[0] = static_cast<T>(this->cfg_.momentum) * s[0] + p.grad;
    p.value -= lr * s[0];
  }
};

template <class T>
class Adam final : public SlotOptimizer<T> {
 public:
  Adam(const OptimizerConfig& c, const ParamSet<T>& p) : SlotOptimizer<T>(c, p, {"m", "v"}) {}
  // One fused pass over parameter, gradient and both moments: the update is memory-bound, and three
  // separate Eigen assignments would stream the arrays three times.
  void update(Parameter<T>& p, Tensor<T>* s, T lr) override {
    const auto& c = this->cfg_;
    const T b1 = static_cast<T>(c.beta1), b2 = static_cast<T>(c.beta2), eps = static_cast<T>(c.eps);
    const double t = static_cast<double>(this->steps_);
    const T step = static_cast<T>(lr / (1 - std::pow(c.beta1, t)));
    const T v_corr = static_cast<T>(1.0 / std::sqrt(1 - std::pow(c.beta2, t)));
    T* __restrict w = p.value.data();
    const T* __restrict g = p.grad.data();
    T* __restrict m = s[0].data();
    T* __restrict v = s[1].data();
    for (Index i = 0, n = p.value.size(); i < n; ++i) {
      const T mi = b1 * m[i] + (T(1) - b1) * g[i];
      const T vi = b2 * v[i] + (T(1) - b2) * g[i] * g[i];
      m[i] = mi;
      v[i] = vi;
      w[i] -= step * mi / (std::sqrt(vi) * v_corr + eps);
    }
  }
};

template <class T>
class Adamax final : public SlotOptimizer<T> {
 public:
  Adamax(const OptimizerConfig& c, const ParamSet<T>& p) : SlotOptimizer<T>(c, p, {"m", "u"}) {}
  void update(Parameter<T>& p, Tensor<T>* s, T lr) override {
    const auto& c = this->cfg_;
    const T b1 = static_cast<T>(c.beta1), b2 = static_cast<T>(c.beta2);
    s[0] = b1 * s[0] + (T(1) - b1) * p.grad;
    s[1] = (b2 * s[1].array()).max(p.grad.array().abs()).matrix();
    const T step = static_cast<T>(lr / (1 - std::pow(c.beta1, static_cast<double>(this->steps_))));
    p.value.array() -= step * s[0].array() / (s[1].array() + static_cast<T>(c.eps));
  }
};

template <class T>
class Adagrad final : public SlotOptimizer<T> {
 public:
  Adagrad(const OptimizerConfig& c, const ParamSet<T>& p) : SlotOptimizer<T>(c, p, {"sum"}) {}
  void update(Parameter<T>& p, Tensor<T>* s, T lr) override {
    s[0].array() += p.grad.array().square();
    p.value.array() -= lr * p.grad.array() / (s[0].array().sqrt() + static_cast<T>(this->cfg_.eps));
  }
};

// RMSProp with momentum, as the NICE and MADE releases train: a running mean of squared gradients
// scales the step, and momentum accumulates the scaled steps.
template <class T>
class RmsProp final : public SlotOptimizer<T> {
 public:
  RmsProp(const OptimizerConfig& c, const ParamSet<T>& p) : SlotOptimizer<T>(c, p, {"square", "momentum"}) {}
  void update(Parameter<T>& p, Tensor<T>* s, T lr) override {
    const auto& c = this->cfg_;
    const T rho = static_cast<T>(c.decay);
    s[0] = (rho * s[0].array() + (T(1) - rho) * p.grad.array().square()).matrix();
    const auto scaled = (p.grad.array() / (s[0].array().sqrt() + static_cast<T>(c.eps))).matrix();
    if (c.momentum == 0) {
      p.value -= lr * scaled;
      return;
    }
    s[1] = static_cast<T>(c.momentum) * s[1] + scaled;
    p.value -= lr * s[1];
  }
};

}  // namespace

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerConfig& cfg, const ParamSet<T>& params) {
  if (cfg.name == "sgd") return std::make_unique<Sgd<T>>(cfg, params);
  if (cfg.name == "adam") return std::make_unique<Adam<T>>(cfg, params);
  if (cfg.name == "adamax") return std::make_unique<Adamax<T>>(cfg, params);
  if (cfg.name == "adagrad") return std::make_unique<Adagrad<T>>(cfg, params);
  if (cfg.name == "rmsprop") return std::make_unique<RmsProp<T>>(cfg, params);
  throw Error("unknown optimizer '" + cfg.name + "' (sgd, adam, adamax, adagrad, rmsprop)");
}

template <class T>
double clip_grad_norm(ParamSet<T>& params, double max_norm) {
  double sq = 0;
  for (const auto& p : params.all()) sq += static_cast<double>(p.grad.squaredNorm());
  const double norm = std::sqrt(sq);
  if (norm > max_norm && norm > 0) {
    const T f = static_cast<T>(max_norm / norm);
    for (auto& p : params.all()) p.grad *= f;
  }
  return norm;
}

double Schedule::lr(std::int64_t step, std::int64_t epoch) const {
  double v = base_lr;
  if (name == "constant") {
  } else if (name == "step") {
    v = base_lr * std::pow(gamma, static_cast<double>(epoch / std::max<std::int64_t>(1, step_epochs)));
  } else if (name == "exponential") {
    v = std::max(base_lr * std::pow(gamma, static_cast<double>(step)), min_lr);
  } else if (name == "cosine") {
    const double t =
        std::min(1.0, static_cast<double>(step) / static_cast<double>(std::max<std::int64_t>(1, total_steps)));
    v = min_lr + (base_lr - min_lr) * 0.5 * (1 + std::cos(M_PI * t));
  } else if (name == "iwae") {
    // Stage i covers epochs [e0 (3^i - 1) / 2, e0 (3^(i+1) - 1) / 2) with e0 = step_epochs.
    const std::int64_t e0 = std::max<std::int64_t>(1, step_epochs);
    std::int64_t stage = 0, end = e0, len = e0;
    while (epoch >= end) {
      len *= 3;
      end += len;
      ++stage;
    }
    v = base_lr * std::pow(gamma, static_cast<double>(stage));
  } else if (name == "piecewise") {
    for (std::size_t i = 0; i < boundaries.size() && i < factors.size(); ++i)
      if (epoch >= boundaries[i]) v = base_lr * factors[i];
  } else {
    throw Error("unknown learning-rate schedule '" + name + "' (constant, step, exponential, cosine, iwae, piecewise)");
  }
  if (warmup_steps > 0 && step < warmup_steps) v *= static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
  return v;
}

template std::unique_ptr<Optimizer<float>> make_optimizer<float>(const OptimizerConfig&, const ParamSet<float>&);
template std::unique_ptr<Optimizer<double>> make_optimizer<double>(const OptimizerConfig&, const ParamSet<double>&);
template double clip_grad_norm<float>(ParamSet<float>&, double);
template double clip_grad_norm<double>(ParamSet<double>&, double);

}  // namespace genlab::nn
