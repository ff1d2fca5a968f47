#include "genlab/nn/optim.hpp"

#include <cmath>
#include <type_traits>

#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

namespace genlab::nn {
namespace {

constexpr Index kChunk = Index{1} << 15;         // elements per parallel task (128 KiB of float)
constexpr Index kParallelFrom = Index{1} << 17;  // smaller models update serially: task overhead would dominate

// Elements [begin, end) of a tensor as a flat array (tensors are contiguous).
template <class T>
Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>> segment(Tensor<T>& t, Index begin, Index end) {
  return {t.data() + begin, end - begin};
}

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

  // Updates are elementwise, so parameters are cut into chunks updated in parallel on oneTBB: the result
  // is the same bitwise whatever the number of threads. NICE's 19M parameters make Adam's pass over
  // parameter, gradient and moments memory-bound (~0.5 GB per step): one core cannot saturate the memory.
  void step(ParamSet<T>& params, double lr) override {
    if (params.size() != names_.size()) throw Error("optimizer: the parameter set changed size since construction");
    ++this->steps_;
    if (chunks_for_ != &params) plan_chunks(params);  // once: a steady-state step allocates nothing
    const T wd = static_cast<T>(cfg_.weight_decay);
    const T lr_t = static_cast<T>(lr);
    auto run = [&](const Chunk& c) {
      if (wd != 0 && !fuses_weight_decay())
        segment(c.p->grad, c.begin, c.end) += wd * segment(c.p->value, c.begin, c.end);
      update(*c.p, c.slots, lr_t, c.begin, c.end);
    };
    if (total_ < kParallelFrom) {
      for (const Chunk& c : chunks_) run(c);
      return;
    }
    // Isolated, so that a thread waiting here never picks up another run of the sweep.
    tbb::this_task_arena::isolate([&] {
      tbb::parallel_for(std::size_t{0}, chunks_.size(), [&](std::size_t k) { run(chunks_[k]); });
    });
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
  struct Chunk {
    Parameter<T>* p;
    Tensor<T>* slots;
    Index begin, end;
  };

  // The chunks of every parameter that is not frozen (frozen flags are read here, at the first step).
  void plan_chunks(ParamSet<T>& params) {
    chunks_.clear();
    total_ = 0;
    std::size_t i = 0;
    for (auto& p : params.all()) {
      Tensor<T>* slots = slot_names_.empty() ? nullptr : &slots_[i * slot_names_.size()];
      ++i;
      if (p.frozen) continue;
      for (Index b = 0, n = p.value.size(); b < n; b += kChunk) chunks_.push_back({&p, slots, b, std::min(n, b + kChunk)});
      total_ += p.value.size();
    }
    chunks_for_ = &params;
  }

  /// Updates elements [begin, end) of p (and of its slots).
  virtual void update(Parameter<T>& p, Tensor<T>* slot, T lr, Index begin, Index end) = 0;
  /// True if update() adds weight_decay * w to the gradient itself, in its own pass (the gradient array is
  /// then left undecayed); otherwise step() adds it to the gradient first, in a pass of its own.
  virtual bool fuses_weight_decay() const { return false; }
  OptimizerConfig cfg_;

 private:
  std::vector<std::string> slot_names_;
  std::vector<std::string> names_;
  std::vector<Tensor<T>> slots_;
  std::vector<Chunk> chunks_;
  Index total_ = 0;
  const ParamSet<T>* chunks_for_ = nullptr;
};

template <class T>
class Sgd final : public SlotOptimizer<T> {
 public:
  Sgd(const OptimizerConfig& c, const ParamSet<T>& p) : SlotOptimizer<T>(c, p, {"momentum"}) {}
  void update(Parameter<T>& p, Tensor<T>* s, T lr, Index b, Index e) override {
    auto w = segment(p.value, b, e);
    const auto g = segment(p.grad, b, e);
    if (this->cfg_.momentum == 0) {
      w -= lr * g;
      return;
    }
    auto m = segment(s[0], b, e);
    m = static_cast<T>(this->cfg_.momentum) * m + g;
    w -= lr * m;
  }
};

// Adam, and AdamW (Loshchilov & Hutter 2019) when `decoupled`: there the weight decay does not pass
// through the moments (an L2 gradient is rescaled by 1 / sqrt(v) like any other, so weights with large
// gradients are barely decayed); it shrinks every weight by lr * wd per step instead, as PyTorch's AdamW
// does, so the decay follows the schedule.
template <class T>
class Adam final : public SlotOptimizer<T> {
 public:
  Adam(const OptimizerConfig& c, const ParamSet<T>& p, bool decoupled)
      : SlotOptimizer<T>(c, p, {"m", "v"}), decoupled_(decoupled) {}
  // One fused pass over parameter, gradient and both moments, the weight decay included: the update is
  // memory-bound, and separate Eigen assignments (or a weight-decay pass first) would stream the arrays
  // again. The L2 form computes the decayed gradient as step() would have stored it, so the numbers are
  // the same; the decoupled form shrinks w in the same pass, before the step reads it.
  void update(Parameter<T>& p, Tensor<T>* s, T lr, Index begin, Index end) override {
    const auto& c = this->cfg_;
    const T b1 = static_cast<T>(c.beta1), b2 = static_cast<T>(c.beta2), eps = static_cast<T>(c.eps);
    const T wd = static_cast<T>(c.weight_decay);
    const double t = static_cast<double>(this->steps_);
    const T step = static_cast<T>(lr / (1 - std::pow(c.beta1, t)));
    const T v_corr = static_cast<T>(1.0 / std::sqrt(1 - std::pow(c.beta2, t)));
    T* __restrict w = p.value.data();
    const T* __restrict g = p.grad.data();
    T* __restrict m = s[0].data();
    T* __restrict v = s[1].data();
    const T shrink = T(1) - lr * wd;  // AdamW: w <- (1 - lr wd) w before the Adam step
    enum Decay { kNone, kL2, kDecoupled };
    auto pass = [&](auto decay) {
      for (Index i = begin; i < end; ++i) {
        T gi = g[i];
        if constexpr (decltype(decay)::value == kL2) gi = gi + wd * w[i];
        if constexpr (decltype(decay)::value == kDecoupled) w[i] *= shrink;
        const T mi = b1 * m[i] + (T(1) - b1) * gi;
        const T vi = b2 * v[i] + (T(1) - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] -= step * mi / (std::sqrt(vi) * v_corr + eps);
      }
    };
    if (wd == 0)
      pass(std::integral_constant<Decay, kNone>{});
    else if (decoupled_)
      pass(std::integral_constant<Decay, kDecoupled>{});
    else
      pass(std::integral_constant<Decay, kL2>{});
  }
  bool fuses_weight_decay() const override { return true; }

 private:
  bool decoupled_;
};

template <class T>
class Adamax final : public SlotOptimizer<T> {
 public:
  Adamax(const OptimizerConfig& c, const ParamSet<T>& p) : SlotOptimizer<T>(c, p, {"m", "u"}) {}
  void update(Parameter<T>& p, Tensor<T>* s, T lr, Index b, Index e) override {
    const auto& c = this->cfg_;
    const T b1 = static_cast<T>(c.beta1), b2 = static_cast<T>(c.beta2);
    const auto g = segment(p.grad, b, e);
    auto m = segment(s[0], b, e), u = segment(s[1], b, e);
    m = b1 * m + (T(1) - b1) * g;
    u = (b2 * u).max(g.abs());
    const T step = static_cast<T>(lr / (1 - std::pow(c.beta1, static_cast<double>(this->steps_))));
    segment(p.value, b, e) -= step * m / (u + static_cast<T>(c.eps));
  }
};

template <class T>
class Adagrad final : public SlotOptimizer<T> {
 public:
  Adagrad(const OptimizerConfig& c, const ParamSet<T>& p) : SlotOptimizer<T>(c, p, {"sum"}) {}
  void update(Parameter<T>& p, Tensor<T>* s, T lr, Index b, Index e) override {
    const auto g = segment(p.grad, b, e);
    auto sum = segment(s[0], b, e);
    sum += g.square();
    segment(p.value, b, e) -= lr * g / (sum.sqrt() + static_cast<T>(this->cfg_.eps));
  }
};

// RMSProp with momentum, as the NICE and MADE releases train: a running mean of squared gradients
// scales the step, and momentum accumulates the scaled steps.
template <class T>
class RmsProp final : public SlotOptimizer<T> {
 public:
  RmsProp(const OptimizerConfig& c, const ParamSet<T>& p) : SlotOptimizer<T>(c, p, {"square", "momentum"}) {}
  void update(Parameter<T>& p, Tensor<T>* s, T lr, Index b, Index e) override {
    const auto& c = this->cfg_;
    const T rho = static_cast<T>(c.decay);
    const auto g = segment(p.grad, b, e);
    auto sq = segment(s[0], b, e);
    auto w = segment(p.value, b, e);
    sq = rho * sq + (T(1) - rho) * g.square();
    const auto scaled = g / (sq.sqrt() + static_cast<T>(c.eps));
    if (c.momentum == 0) {
      w -= lr * scaled;
      return;
    }
    auto mom = segment(s[1], b, e);
    mom = static_cast<T>(c.momentum) * mom + scaled;
    w -= lr * mom;
  }
};

}  // namespace

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerConfig& cfg, const ParamSet<T>& params) {
  if (cfg.name == "sgd") return std::make_unique<Sgd<T>>(cfg, params);
  if (cfg.name == "adam") return std::make_unique<Adam<T>>(cfg, params, false);
  if (cfg.name == "adamw") return std::make_unique<Adam<T>>(cfg, params, true);
  if (cfg.name == "adamax") return std::make_unique<Adamax<T>>(cfg, params);
  if (cfg.name == "adagrad") return std::make_unique<Adagrad<T>>(cfg, params);
  if (cfg.name == "rmsprop") return std::make_unique<RmsProp<T>>(cfg, params);
  throw Error("unknown optimizer '" + cfg.name + "' (sgd, adam, adamw, adamax, adagrad, rmsprop)");
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
