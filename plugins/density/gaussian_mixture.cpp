// A mixture of K diagonal Gaussians: log p(x) = logsumexp_k [log pi_k + sum_d log N(x_d; mu_dk, sigma_dk^2)].
// The tutorial model plugin: its math and nothing else; the framework trains, evaluates and samples it.
#include <genlab/ad/ops.hpp>
#include <genlab/nn/init.hpp>
#include <genlab/plugin.hpp>

#include <cmath>

namespace genlab::density {

using V = ad::Var<float>;

class GaussianMixture final : public Model {
 public:
  GaussianMixture(const Params& p, const ModelSetup& s) : k_(p.get_int("components")), d_(s.dim) {
    // Column k holds component k. Means start at random points of the unit box, variances at 1.
    logits_ = &params_.add("logits", Matrix::Zero(1, k_));
    means_ = &params_.add("means", nn::uniform<float>(d_, k_, -1.0f, 1.0f, *s.rng));
    log_vars_ = &params_.add("log_vars", Matrix::Zero(d_, k_));
  }

  nn::ParamSet<float>& params() override { return params_; }
  bool has_log_prob() const override { return true; }
  bool can_sample() const override { return true; }

  // All components at once, as matrix products: with precisions P = exp(-log_vars) [D x K],
  //   -2 log N(x; mu_k, diag) = x^2 P_k - 2 x (mu P)_k + sum_d (mu^2 P + log_vars)_dk + D log 2 pi.
  V log_prob(ad::Graph<float>& g, const Matrix& batch) override {
    const V x = g.constant(batch), mu = means_->var(g), lv = log_vars_->var(g);
    const V prec = ad::exp(ad::neg(lv));
    const V quad = ad::sub(ad::matmul(ad::square(x), prec), ad::scale(ad::matmul(x, ad::mul(mu, prec)), 2.0f));
    const V offset = ad::sum_rows(ad::add(ad::mul(ad::square(mu), prec), lv));  // [1 x K]
    const float log_2pi = static_cast<float>(d_) * std::log(2.0f * static_cast<float>(M_PI));
    const V per_component = ad::scale(ad::add_scalar(ad::add(quad, offset), log_2pi), -0.5f);  // [batch x K]
    return ad::logsumexp_cols(ad::add(per_component, ad::log_softmax_cols(logits_->var(g))));
  }

  V loss(ad::Graph<float>& g, const Matrix& batch, Rng&) override { return ad::neg(ad::mean(log_prob(g, batch))); }

  Matrix sample(Index n, Rng& rng) override {
    const Matrix& lw = logits_->value;
    const Eigen::ArrayXf w = (lw.array() - lw.maxCoeff()).exp().transpose();
    Matrix out(n, d_);
    for (Index i = 0; i < n; ++i) {
      double u = rng.uniform() * w.sum();
      Index k = 0;
      while (k + 1 < k_ && (u -= w(k)) > 0) ++k;
      for (Index j = 0; j < d_; ++j)
        out(i, j) = means_->value(j, k) + std::exp(0.5f * log_vars_->value(j, k)) * static_cast<float>(rng.normal());
    }
    return out;
  }

  static Schema schema() {
    return Schema().integer("components", 8, {.min = 1, .max = 10000}, "number of Gaussians K");
  }

 private:
  Index k_, d_;
  nn::ParamSet<float> params_;
  nn::Parameter<float>*logits_, *means_, *log_vars_;
};

}  // namespace genlab::density

static void register_density(genlab::Registrar& r) {
  r.add_model<genlab::density::GaussianMixture>("gaussian_mixture",
                                                "mixture of K diagonal Gaussians (exact density, sampling)",
                                                genlab::density::GaussianMixture::schema());
}
GENLAB_PLUGIN(density, "0.1.0", register_density)
