#pragma once
// Variational autoencoder with a diagonal Gaussian q(z|x), a standard normal prior and a Bernoulli or
// Gaussian decoder, trained on the ELBO or the importance-weighted bound (IWAE, Burda et al. 2015).
#include <genlab/ad/graph_pool.hpp>
#include <genlab/model.hpp>
#include <genlab/nn/layers.hpp>
#include <genlab/params.hpp>
#include <genlab/schema.hpp>

namespace genlab::vae {

using V = ad::Var<float>;

class Vae final : public Model {
 public:
  Vae(const Params& p, const ModelSetup& s);
  static Schema schema();

  nn::ParamSet<float>& params() override { return params_; }
  V loss(ad::Graph<float>& g, const Matrix& batch, Rng& rng) override;
  bool can_sample() const override { return true; }
  Matrix sample(Index n, Rng& rng) override;
  std::vector<std::string> log_likelihood_estimates() const override;
  /// reconstructions (originals above, reconstructions below), interpolations between pairs of test images
  /// through the posterior means, and for a 2-D latent the decoded grid over the prior's quantiles.
  std::vector<Figure> figures(const Matrix& examples, Rng& rng) const override;
  Matrix log_likelihood_estimate(const std::string& name, const Matrix& batch, Rng& rng) const override;

  /// The ELBO with the closed-form KL and one sample of z per row ([rows x 1]). The graph reads x and eps in
  /// place: they must outlive its backward pass.
  V elbo(ad::Graph<float>& g, const Matrix& x, const Matrix& eps) const;
  /// The IWAE bound log (1/k) sum_s w_s per row from k samples, eps holding rows * k rows (row r*k+s is
  /// sample s of row r); with average_elbo, the mean of the k log-weights instead (the k-sample ELBO).
  V iwae(ad::Graph<float>& g, const Matrix& x, const Matrix& eps, Index k, bool average_elbo = false) const;
  /// Decoder mean (Bernoulli probabilities or Gaussian means) at the latent points z.
  Matrix decode(const Matrix& z) const;
  /// Posterior mean and log-variance of q(z|x).
  std::pair<Matrix, Matrix> encode(const Matrix& x) const;

  Index latent() const { return latent_; }
  Index dim() const { return dim_; }

 private:
  V log_px_given_z(ad::Graph<float>& g, const V& z, const V& x) const;  // [rows x 1]
  void encoder_out(ad::Graph<float>& g, const V& x, V& mu, V& log_var) const;
  // Running log-mean-exp of k importance weights per row of x, in passes of bounded size.
  Matrix importance_estimate(const Matrix& x, Index k, Rng& rng) const;

  Index dim_ = 0, latent_ = 0, k_ = 1;
  bool bernoulli_ = true, iwae_objective_ = false;
  std::vector<std::int64_t> eval_k_;
  std::int64_t nll_k_ = 0;
  nn::ParamSet<float> params_;
  nn::Mlp<float> encoder_, decoder_;
  nn::Parameter<float>* log_var_ = nullptr;  // learned Gaussian decoder variance, 1 x D
  Matrix fixed_log_var_;                     // or a fixed one
  mutable ad::GraphPool<float> graphs_;       // for the estimates, called concurrently
  Matrix noise_;                             // the training step's eps (the graph reads it in place)
};

}  // namespace genlab::vae
