#pragma once
// Layers: Linear, MaskedLinear and an MLP builder. A layer owns no storage of its own: its parameters live
// in the model's ParamSet under "<name>.W" (fan_in x fan_out) and "<name>.b" (1 x fan_out).
#include <string>
#include <vector>

#include "genlab/ad/ops.hpp"
#include "genlab/nn/params.hpp"
#include "genlab/rng.hpp"

namespace genlab::nn {

enum class Init { Glorot, He, Orthogonal, Zero };
enum class Activation { None, Relu, Tanh, Sigmoid, Elu, LeakyRelu, Softplus };

/// Parses "relu", "tanh", ... (for schemas); throws Error naming the unknown value.
Activation activation_from_name(const std::string& name);
template <class T>
ad::Var<T> activate(const ad::Var<T>& x, Activation a);
/// a(x w + b) with the bias, and a ReLU, fused into the product (ad::affine_relu); other activations
/// follow as their own op.
template <class T>
ad::Var<T> affine_activate(const ad::Var<T>& x, const ad::Var<T>& w, const ad::Var<T>& b, Activation a);

template <class T>
class Linear {
 public:
  Linear() = default;
  Linear(ParamSet<T>& params, const std::string& name, Index in, Index out, Rng& rng, Init init = Init::Glorot);
  /// x [batch x in] -> [batch x out], then the activation (fused where it can be: see affine_activate)
  ad::Var<T> operator()(ad::Graph<T>& g, const ad::Var<T>& x, Activation a = Activation::None) const;
  Parameter<T>& weight() const { return *w_; }
  Parameter<T>& bias() const { return *b_; }

 private:
  Parameter<T>* w_ = nullptr;
  Parameter<T>* b_ = nullptr;
};

/// Linear with a constant 0/1 mask on the weight (MADE's autoregressive connectivity): y = x (W * M) + b.
/// The mask is either an array or degrees (ad::Degrees: W(i, j) used iff in[i] <= out[j], or <); degrees
/// cost no memory of the weight's size and nothing to switch, which is what a model that changes its mask
/// every minibatch (connectivity-agnostic MADE) wants. The layer starts fully connected.
///
/// Mask-conditioned (`conditioned`): the pre-activations also get (U * M)^T 1 / sqrt(in), a bias that
/// depends on the mask through a second weight U ("<name>.U", shaped like W, starting at zero). A network
/// trained under many masks can then tell which one it runs under (the MADE authors' release offers it,
/// summed rather than scaled, as use_cond_mask; bias_var says why the scale).
template <class T>
class MaskedLinear {
 public:
  MaskedLinear() = default;
  MaskedLinear(ParamSet<T>& params, const std::string& name, Index in, Index out, Rng& rng, Init init = Init::Glorot,
               bool conditioned = false);
  /// Sets the mask (in x out, entries 0 or 1), replacing any degrees.
  void set_mask(const Tensor<T>& mask);
  /// Takes `mask` (same shape rule) without copying it: `mask` gets the previous mask's storage back.
  void swap_mask(Tensor<T>& mask);
  /// The mask as degrees (in: one per input, out: one per output), replacing any array. Copied into
  /// storage the layer keeps, so switching between masks of the same shape does not allocate.
  void set_degrees(const std::vector<Index>& in, const std::vector<Index>& out, bool strict);
  /// The array mask; empty when the layer is fully connected or masked by degrees.
  const Tensor<T>& mask() const { return mask_; }
  /// The 0/1 array the layer applies, whichever way its mask is given (ones when fully connected): for
  /// tests and inspection, not for the forward pass.
  Tensor<T> effective_mask() const;
  Parameter<T>& weight() const { return linear_.weight(); }
  Parameter<T>& bias() const { return linear_.bias(); }
  /// The bias the pre-activations get under the current mask: b, plus (U * M)^T 1 / sqrt(in) when
  /// mask-conditioned (for code that computes the layer outside a graph: MADE's incremental sampler).
  Tensor<T> effective_bias() const;
  ad::Var<T> operator()(ad::Graph<T>& g, const ad::Var<T>& x, Activation a = Activation::None) const;

 private:
  void check_mask(const char* who, const Tensor<T>& mask) const;  // throws ShapeError unless shaped like W
  ad::Var<T> bias_var(ad::Graph<T>& g) const;  // b, or b + (U * M)^T 1 / sqrt(in)
  Linear<T> linear_;
  Parameter<T>* cond_ = nullptr;  // U, when mask-conditioned
  Tensor<T> cond_row_;            // 1 x in, every entry 1/sqrt(in): the row the conditioned bias multiplies
  Tensor<T> mask_;
  std::vector<Index> in_degrees_, out_degrees_;  // empty unless masked by degrees
  bool strict_ = false;
};

/// A multilayer perceptron sizes[0] -> sizes[1] -> ... -> sizes.back(), `hidden` activation between
/// layers and none after the last; `zero_last` zero-initializes the last layer (flows start at identity).
template <class T>
class Mlp {
 public:
  Mlp() = default;
  Mlp(ParamSet<T>& params, const std::string& name, const std::vector<Index>& sizes, Activation hidden, Rng& rng,
      bool zero_last = false);
  ad::Var<T> operator()(ad::Graph<T>& g, const ad::Var<T>& x) const;
  const std::vector<Linear<T>>& layers() const { return layers_; }

 private:
  std::vector<Linear<T>> layers_;
  Activation hidden_ = Activation::Relu;
};

}  // namespace genlab::nn
