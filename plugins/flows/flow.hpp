#pragma once
// A normalizing flow: z = f(x) through a YAML list of invertible layers (layers.hpp), a standard logistic or
// Gaussian prior on z, and log p(x) = log p(z) + sum of the layers' log |det|. NICE (Dinh et al. 2014),
// RealNVP-style affine couplings and Glow-style actnorm / LU layers are all instances.
#include <genlab/ad/graph_pool.hpp>
#include <genlab/model.hpp>
#include <genlab/params.hpp>
#include <genlab/schema.hpp>

#include "layers.hpp"

namespace genlab::flows {

class Flow final : public Model {
 public:
  Flow(const Params& p, const ModelSetup& s);
  static Schema schema();

  nn::ParamSet<float>& params() override { return params_; }
  V loss(ad::Graph<float>& g, const Matrix& batch, Rng& rng) override;
  bool has_log_prob() const override { return true; }
  V log_prob(ad::Graph<float>& g, const Matrix& batch) override;
  bool can_sample() const override { return true; }
  Matrix sample(Index n, Rng& rng) override;
  bool can_inpaint() const override { return true; }
  /// The NICE paper's inpainting: the missing entries start at uniform noise over the range of the row's
  /// observed entries and climb log p by gradient ascent with the observed entries clamped (a step that
  /// would lower a row's log p is refused and its step size halved, so log p never falls below the start).
  Matrix inpaint(const Matrix& x, const Matrix& observed, Rng& rng) override;
  std::string inpaint_method() const override;
  void initialize(const Matrix& batch) override;
  /// Image data (square dimension): samples and bottom-half inpaintings. 2D data: the density on a grid and
  /// a sample scatter.
  std::vector<Figure> figures(const Matrix& examples, Rng& rng) const override;
  /// {"prior": gaussian|logistic, "layers": [the flattened list, see export_layers]} and the layers' constants.
  ModelExport export_model() const override;

  /// log p(x) per row ([rows x 1]) on g, for any x node (a variable when optimizing inputs).
  V log_prob_of(ad::Graph<float>& g, const V& x) const;
  /// z = f(x) and x = f^-1(z), outside any training graph.
  Matrix to_latent(const Matrix& x) const;
  Matrix from_latent(const Matrix& z) const;
  /// log p(x) per row, outside any training graph.
  Matrix log_density(const Matrix& x) const;
  const Layers& layers() const { return layers_; }

 private:
  Matrix sample_prior(Index n, Rng& rng) const;
  Matrix complete(const Matrix& x, const Matrix& observed, Rng& rng) const;  // inpaint()'s work
  // log p per row and its gradient with respect to x.
  Matrix log_density_and_grad(const Matrix& x, Matrix& grad) const;

  Index dim_ = 0;
  bool logistic_ = true;
  std::int64_t inpaint_steps_ = 0;
  double inpaint_step_ = 0;
  std::vector<double> inpaint_range_;
  nn::ParamSet<float> params_;
  Layers layers_;
  mutable ad::GraphPool<float> graphs_;  // reused by inverse passes and inpainting: no re-allocation per call
};

}  // namespace genlab::flows
