#pragma once
// The invertible layers of a normalizing flow over vectors (one example per row): each maps x -> y and
// reports log |det dy/dx| per row. forward() builds on the autodiff graph (training, log p); inverse()
// works on plain matrices (sampling, inpainting). Layers are declared in YAML (see build_layers).
#include <memory>
#include <string>
#include <vector>

#include <genlab/ad/graph.hpp>
#include <genlab/nn/layers.hpp>
#include <genlab/value.hpp>

namespace genlab::flows {

using V = ad::Var<float>;

/// A layer's output: y, and log |det dy/dx| as [rows x 1], or [1 x 1] when it is the same for every row
/// (linear layers), or absent (volume-preserving layers: additive couplings, permutations).
struct Step {
  V y;
  V log_det;
  bool has_log_det = false;
};

class Layer {
 public:
  virtual ~Layer() = default;
  virtual Step forward(ad::Graph<float>& g, const V& x) const = 0;
  /// x such that forward(x) = y.
  virtual Matrix inverse(const Matrix& y) const = 0;
  /// Data-dependent initialization from the rows that reach this layer (actnorm); others ignore it.
  virtual void initialize(const Matrix& x) { (void)x; }
  /// One line for the run log ("affine_coupling odd_even parity 1, MLP 1-64-64-2 relu, clamp 2").
  virtual std::string describe() const = 0;
  /// The layer type as the YAML names it ("affine_coupling"); parameters are named "l<i>.<type>.*".
  virtual std::string type() const = 0;
  /// The layer's entry in the model's export (README "Export"): `entry` gets every setting with defaults
  /// filled in; constants that are not parameters (a random permutation, LU's P) go to `arrays`, named
  /// after `name` (the layer's parameter prefix, "l3.lu_linear").
  virtual void export_to(const std::string& name, Value& entry,
                         std::vector<std::pair<std::string, Matrix>>& arrays) const = 0;
};

using Layers = std::vector<std::unique_ptr<Layer>>;

/// The flattened layer list in the export's form: one map per layer with its type, its parameter prefix
/// ("params": "l0.additive_coupling") and its settings; constant arrays appended to `arrays`.
Value export_layers(const Layers& layers, std::vector<std::pair<std::string, Matrix>>& arrays);

/// The layers a YAML list declares, in order, their parameters added to `params` (names "l<i>.<type>...").
/// Each item is a layer map with a `type`:
///   additive_coupling  {split: odd_even|halves, parity: 0|1, hidden: [..], activation: relu}   (NICE)
///   affine_coupling    {split, parity, hidden, activation, clamp: 2}   y2 = x2 exp(s) + t, s = c tanh(s'/c)
///   scale              {}                                            y = x exp(s), NICE's last layer
///   actnorm            {}                       y = (x + b) exp(s), initialized from data (Glow)
///   lu_linear          {}                       y = x P L U, log |det| = sum log |diag U| (Glow)
///   permute            {order: reverse|random}
/// or a block {repeat: N, layers: [...]}: the list N times, coupling parities flipped on odd repetitions
/// (so that consecutive blocks transform alternate halves). Couplings condition on the `parity` half and
/// transform the other. Throws ConfigError naming the item's file position and path on any mistake.
Layers build_layers(const Value& spec, Index dim, nn::ParamSet<float>& params, Rng& rng, const std::string& where);

}  // namespace genlab::flows
