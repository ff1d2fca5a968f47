#pragma once
// Transforms applied to every batch on its way to the model (training and evaluation alike): the stochastic
// ones (uniform dequantization, dynamic binarization) draw fresh randomness per batch, and the invertible
// ones (rescaling, the logit transform) report their log-determinant so that likelihoods are reported for
// the data as the dataset defines it, not for the model's transformed space.
#include <cstdint>
#include <memory>
#include <string>

#include "genlab/ad/tensor.hpp"
#include "genlab/export.hpp"
#include "genlab/rng.hpp"

namespace genlab {

class GENLAB_EXPORT BatchTransform {
 public:
  virtual ~BatchTransform();
  /// Transforms `batch` in place (one example per row). `rng` is this batch's own stream: the trainer keys
  /// it by step (training) or by split and batch (evaluation), so every run is reproducible.
  /// If `log_det` is non-null it is resized to rows x 1 and receives log |det d(out)/d(in)| per row, the term
  /// that turns the model's log-density of the output into the log-density of the input:
  ///   log p_data(x) = log p_model(t(x)) + log |det dt/dx|.
  virtual void apply(Matrix& batch, Rng& rng, Matrix* log_det) const = 0;
  /// Maps model-space rows (e.g. samples) back to the dataset's value space, as far as the transform is
  /// invertible (dequantization noise is not removed).
  virtual void invert(Matrix& batch) const = 0;
  /// One line for run logs, e.g. "dequantize (v + U[0,1)) / 256, logit with lambda 1e-06".
  virtual std::string describe() const = 0;
};

/// Transforms for images whose values are integer levels 0 .. levels-1 (8-bit pixels: levels = 256).
struct PixelTransformConfig {
  enum class Binarize { None, Fixed, Dynamic };
  /// Dynamic: each pixel ~ Bernoulli(v / (levels - 1)), resampled every time a batch is drawn (so every
  /// epoch sees a new binarization). Fixed binarization is done once at load time, not here.
  Binarize binarize = Binarize::None;
  /// true: x = (v + u) / levels with u ~ U[0, 1) per pixel and batch, a density on [0, 1)^D whose
  /// likelihood lower-bounds the discrete one. false: x = v / (levels - 1) in [0, 1].
  bool dequantize = false;
  /// > 0: then y = logit(lambda + (1 - 2 lambda) x) (RealNVP / MAF preprocessing), keeping y finite.
  double logit_lambda = 0;
  double levels = 256;
};

/// The transform for `cfg`; nullptr when it is the identity on [0, 1] intensities (no dequantization,
/// logit or dynamic binarization), so that datasets can store intensities directly. Throws ConfigError for
/// contradictory settings (dynamic binarization with dequantization or logit; lambda outside [0, 0.5)).
/// Input rows hold the raw levels 0 .. levels-1 when the transform is not null.
GENLAB_EXPORT std::shared_ptr<const BatchTransform> make_pixel_transform(const PixelTransformConfig& cfg);

}  // namespace genlab
