// Pixel transforms: dynamic binarization, uniform dequantization, rescaling and the logit transform.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "genlab/data/transform.hpp"
#include "genlab/error.hpp"

namespace genlab {

BatchTransform::~BatchTransform() = default;

namespace {

class DynamicBinarization final : public BatchTransform {
 public:
  explicit DynamicBinarization(double levels) : top_(levels - 1) {}
  void apply(Matrix& batch, Rng& rng, Matrix* log_det) const override {
    // The same draws as rng.uniform() per pixel, generated in bulk (a tenth of a VAE step, one call per pixel).
    const double inv = 1.0 / top_;
    constexpr Index kChunk = 1024;
    std::uint64_t u[kChunk];
    float* x = batch.data();
    for (Index b = 0; b < batch.size(); b += kChunk) {
      const Index n = std::min(kChunk, batch.size() - b);
      rng.fill_u64(u, static_cast<std::size_t>(n));
      for (Index i = 0; i < n; ++i) x[b + i] = Rng::unit_double(u[i]) < double(x[b + i]) * inv ? 1.0f : 0.0f;
    }
    if (log_det) log_det->setZero(batch.rows(), 1);  // a discrete resampling, not a change of variables
  }
  void invert(Matrix&) const override {}
  std::string describe() const override { return "dynamic binarization: Bernoulli(v / 255) per pixel and batch"; }

 private:
  double top_;
};

// x = (v + u) / levels (dequantize) or v / (levels - 1); then optionally y = logit(lambda + (1 - 2 lambda) x).
class Continuous final : public BatchTransform {
 public:
  explicit Continuous(const PixelTransformConfig& c)
      : dequantize_(c.dequantize), lambda_(c.logit_lambda), levels_(c.levels) {}

  void apply(Matrix& batch, Rng& rng, Matrix* log_det) const override {
    const Index rows = batch.rows(), cols = batch.cols();
    const double divisor = dequantize_ ? levels_ : levels_ - 1;
    // Scaling every coordinate by 1/divisor: log det = -D log(divisor).
    const double scale_log_det = -double(cols) * std::log(divisor);
    if (log_det) log_det->setConstant(rows, 1, static_cast<float>(scale_log_det));
    for (Index r = 0; r < rows; ++r) {
      double row_log_det = 0;
      for (Index c = 0; c < cols; ++c) {
        float& v = batch(r, c);
        double x = dequantize_ ? (double(v) + rng.uniform()) / divisor : double(v) / divisor;
        if (lambda_ > 0) {
          // s = lambda + (1 - 2 lambda) x; y = log s - log(1 - s); dy/dx = (1 - 2 lambda) / (s (1 - s)).
          const double s = lambda_ + (1 - 2 * lambda_) * x;
          row_log_det += std::log1p(-2 * lambda_) - std::log(s) - std::log1p(-s);
          x = std::log(s) - std::log1p(-s);
        }
        v = static_cast<float>(x);
      }
      if (log_det) (*log_det)(r, 0) += static_cast<float>(row_log_det);
    }
  }

  void invert(Matrix& batch) const override {
    if (lambda_ <= 0) return;
    for (Index i = 0; i < batch.size(); ++i) {
      const double s = 1.0 / (1.0 + std::exp(-double(batch.data()[i])));
      batch.data()[i] = static_cast<float>((s - lambda_) / (1 - 2 * lambda_));
    }
  }

  std::string describe() const override {
    std::string d = dequantize_ ? "dequantize: (v + U[0,1)) / " + std::to_string(int(levels_))
                                : "rescale: v / " + std::to_string(int(levels_ - 1));
    if (lambda_ > 0) {
      char buf[64];
      std::snprintf(buf, sizeof buf, ", logit with lambda %g", lambda_);
      d += buf;
    }
    return d + "; likelihoods are reported for the " +
           (dequantize_ ? std::string("dequantized 8-bit values v + u") : std::string("values v")) +
           " (change of variables included)";
  }

 private:
  bool dequantize_;
  double lambda_, levels_;
};

}  // namespace

std::shared_ptr<const BatchTransform> make_pixel_transform(const PixelTransformConfig& c) {
  using B = PixelTransformConfig::Binarize;
  if (!(c.logit_lambda >= 0 && c.logit_lambda < 0.5))
    throw ConfigError("logit_lambda must be in [0, 0.5), got " + std::to_string(c.logit_lambda));
  if (!(c.levels >= 2)) throw ConfigError("pixel levels must be at least 2");
  if (c.binarize == B::Dynamic) {
    if (c.dequantize || c.logit_lambda > 0)
      throw ConfigError("dynamic binarization gives binary data: it cannot be combined with dequantize or logit");
    return std::make_shared<DynamicBinarization>(c.levels);
  }
  if (c.binarize == B::Fixed && (c.dequantize || c.logit_lambda > 0))
    throw ConfigError("fixed binarization gives binary data: it cannot be combined with dequantize or logit");
  if (c.binarize == B::Fixed || (!c.dequantize && c.logit_lambda == 0)) return nullptr;
  return std::make_shared<Continuous>(c);
}

}  // namespace genlab
