#include "vae.hpp"

#include <genlab/ad/ops.hpp>
#include <genlab/error.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace genlab::vae {
namespace {

Matrix normal_noise(Index rows, Index cols, Rng& rng) {
  Matrix m(rows, cols);
  rng.fill_normal(m.data(), static_cast<std::size_t>(m.size()));
  return m;
}

std::vector<Index> layer_sizes(Index in, const std::vector<std::int64_t>& hidden, Index out) {
  std::vector<Index> s{in};
  for (auto h : hidden) s.push_back(Index(h));
  s.push_back(out);
  return s;
}

// Rows of importance samples evaluated in one pass (bounds the memory of the k = 5000 estimate: 8192 x 784
// floats of decoder output, about 26 MB per pass and thread).
constexpr Index kRowsPerPass = 8192;

}  // namespace

Schema Vae::schema() {
  return Schema()
      .int_list("encoder", std::vector<std::int64_t>{200, 200}, {.min = 1}, "hidden layer sizes of q(z|x)")
      .int_list("decoder", std::vector<std::int64_t>{200, 200}, {.min = 1}, "hidden layer sizes of p(x|z)")
      .integer("latent", 50, {.min = 1, .max = 100000}, "latent dimensions")
      .choice("activation", "tanh", {"tanh", "relu", "softplus", "elu", "sigmoid"}, "hidden activation")
      .choice("likelihood", "bernoulli", {"bernoulli", "gaussian"},
              "p(x|z): Bernoulli logits (binary data) or a diagonal Gaussian (continuous data)")
      .choice("variance", "learned", {"learned", "fixed"},
              "Gaussian decoder: one learned log-variance per dimension, or the fixed `std`")
      .real("std", 0.1, {.min = 1e-6, .max = 1e6}, "Gaussian decoder standard deviation when variance: fixed")
      .choice("objective", "elbo", {"elbo", "iwae"},
              "elbo: mean over k samples of the ELBO (closed-form KL when k = 1); iwae: the k-sample IWAE bound")
      .integer("k", 1, {.min = 1, .max = 100000}, "samples of z per example in training")
      .int_list("eval_k", std::vector<std::int64_t>{1, 5, 50}, {.min = 1},
                "IWAE bounds reported on the test split (test_nll_iwae_k<k>)")
      .integer("nll_k", 5000, {.min = 0, .max = 10000000},
               "importance samples of the test NLL estimate (test_nll_iwae_k<nll_k>; 0: off)");
}

Vae::Vae(const Params& p, const ModelSetup& s)
    : dim_(s.dim),
      latent_(p.get_int("latent")),
      k_(p.get_int("k")),
      bernoulli_(p.get_string("likelihood") == "bernoulli"),
      iwae_objective_(p.get_string("objective") == "iwae"),
      eval_k_(p.get_int_list("eval_k")),
      nll_k_(p.get_int("nll_k")) {
  const nn::Activation act = nn::activation_from_name(p.get_string("activation"));
  encoder_ = nn::Mlp<float>(params_, "encoder", layer_sizes(dim_, p.get_int_list("encoder"), 2 * latent_), act, *s.rng);
  decoder_ = nn::Mlp<float>(params_, "decoder", layer_sizes(latent_, p.get_int_list("decoder"), dim_), act, *s.rng);
  if (!bernoulli_) {
    if (p.get_string("variance") == "learned")
      log_var_ = &params_.add("decoder.log_var", Matrix::Zero(1, dim_));
    else
      fixed_log_var_ = Matrix::Constant(1, dim_, float(2 * std::log(p.get_float("std"))));
  }
}

void Vae::encoder_out(ad::Graph<float>& g, const V& x, V& mu, V& log_var) const {
  const V h = encoder_(g, x);
  mu = ad::slice_cols(h, 0, latent_);
  log_var = ad::slice_cols(h, latent_, latent_);
}

V Vae::log_px_given_z(ad::Graph<float>& g, const V& z, const V& x) const {
  const V out = decoder_(g, z);
  if (bernoulli_) return ad::neg(ad::sum_cols(ad::bce_with_logits(out, x)));
  const V lv = log_var_ ? const_cast<nn::Parameter<float>*>(log_var_)->var(g) : g.constant_view(fixed_log_var_);
  return ad::sum_cols(ad::gaussian_log_prob(x, out, lv));
}

V Vae::elbo(ad::Graph<float>& g, const Matrix& x, const Matrix& eps) const {
  const V xv = g.constant_view(x);
  V mu, lv;
  encoder_out(g, xv, mu, lv);
  const V z = ad::add(mu, ad::mul(ad::exp(ad::scale(lv, 0.5f)), g.constant_view(eps)));
  // KL(N(mu, e^lv) || N(0, 1)) = 1/2 sum (mu^2 + e^lv - 1 - lv)
  const V kl = ad::scale(ad::sum_cols(ad::sub(ad::add(ad::square(mu), ad::exp(lv)), ad::add_scalar(lv, 1.0f))), 0.5f);
  return ad::sub(log_px_given_z(g, z, xv), kl);
}

V Vae::iwae(ad::Graph<float>& g, const Matrix& x, const Matrix& eps, Index k, bool average_elbo) const {
  if (eps.rows() != x.rows() * k || eps.cols() != latent_)
    throw ShapeError("vae: noise is " + std::to_string(eps.rows()) + "x" + std::to_string(eps.cols()) + " for " +
                     std::to_string(x.rows()) + " rows x " + std::to_string(k) + " samples of " +
                     std::to_string(latent_) + " latents");
  const V xv = g.constant_view(x);
  V mu, lv;
  encoder_out(g, xv, mu, lv);
  const V lv_k = ad::repeat_rows(lv, k), e = g.constant_view(eps);
  const V z = ad::add(ad::repeat_rows(mu, k), ad::mul(ad::exp(ad::scale(lv_k, 0.5f)), e));
  // log w = log p(x|z) + log p(z) - log q(z|x), with log q(z|x) = sum log N(eps; 0, 1) - 1/2 sum lv.
  const V log_q = ad::sub(ad::sum_cols(ad::std_normal_log_prob(e)), ad::scale(ad::sum_cols(lv_k), 0.5f));
  const V log_w = ad::sub(ad::add(log_px_given_z(g, z, ad::repeat_rows(xv, k)), ad::sum_cols(ad::std_normal_log_prob(z))),
                          log_q);
  const V w = ad::reshape(log_w, x.rows(), k);
  if (average_elbo) return ad::mean_cols(w);
  return ad::add_scalar(ad::logsumexp_cols(w), -float(std::log(double(k))));
}

V Vae::loss(ad::Graph<float>& g, const Matrix& batch, Rng& rng) {
  if (batch.cols() != dim_)
    throw ShapeError("vae: batch has " + std::to_string(batch.cols()) + " columns, the model " + std::to_string(dim_));
  // The graph reads the noise in place until backward: it lives in the model, not in a temporary.
  noise_ = normal_noise(batch.rows() * k_, latent_, rng);
  if (!iwae_objective_ && k_ == 1) return ad::neg(ad::mean(elbo(g, batch, noise_)));
  return ad::neg(ad::mean(iwae(g, batch, noise_, k_, !iwae_objective_)));
}

Matrix Vae::decode(const Matrix& z) const {
  ad::Graph<float> g;
  g.set_grad_enabled(false);
  const Matrix out = decoder_(g, g.constant_view(z)).value();
  if (!bernoulli_) return out;
  return (1.0f / (1.0f + (-out.array()).exp())).matrix();
}

std::pair<Matrix, Matrix> Vae::encode(const Matrix& x) const {
  ad::Graph<float> g;
  g.set_grad_enabled(false);
  V mu, lv;
  encoder_out(g, g.constant_view(x), mu, lv);
  return {mu.value(), lv.value()};
}

Matrix Vae::sample(Index n, Rng& rng) {
  const Matrix mean = decode(normal_noise(n, latent_, rng));
  Matrix x(n, dim_);
  if (bernoulli_) {
    for (Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform() < double(mean.data()[i]) ? 1.0f : 0.0f;
  } else {
    const Matrix lv = log_var_ ? log_var_->value : fixed_log_var_;
    for (Index r = 0; r < n; ++r)
      for (Index c = 0; c < dim_; ++c) x(r, c) = mean(r, c) + std::exp(0.5f * lv(0, c)) * float(rng.normal());
  }
  return x;
}

std::vector<std::string> Vae::log_likelihood_estimates() const {
  std::vector<std::string> names{"nll_elbo"};
  std::vector<std::int64_t> ks = eval_k_;
  if (nll_k_ > 0) ks.push_back(nll_k_);
  std::sort(ks.begin(), ks.end());
  ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
  for (auto k : ks) names.push_back("nll_iwae_k" + std::to_string(k));
  return names;
}

Matrix Vae::log_likelihood_estimate(const std::string& name, const Matrix& batch, Rng& rng) const {
  if (name == "nll_elbo") {
    const auto g = graphs_.lease();
    const Matrix eps = normal_noise(batch.rows(), latent_, rng);
    return elbo(*g, batch, eps).value();
  }
  const std::string prefix = "nll_iwae_k";
  if (name.rfind(prefix, 0) == 0) {
    const Index k = std::stoll(name.substr(prefix.size()));
    return importance_estimate(batch, k, rng);
  }
  return Model::log_likelihood_estimate(name, batch, rng);
}

namespace {

// The standard normal quantile, by bisection on the CDF (for the latent grid: a few hundred calls).
double normal_quantile(double p) {
  double lo = -10, hi = 10;
  for (int i = 0; i < 80; ++i) {
    const double mid = 0.5 * (lo + hi);
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

bool is_square(Index d) {
  const auto s = Index(std::llround(std::sqrt(double(d))));
  return s * s == d;
}

}  // namespace

std::vector<Figure> Vae::figures(const Matrix& examples, Rng&) const {
  std::vector<Figure> out;
  if (!is_square(dim_) || examples.rows() < 2) return out;  // pictures need square images
  const auto [mu, log_var] = encode(examples);
  const Index n = std::min<Index>(8, examples.rows());
  Figure rec{"reconstructions", Matrix(2 * n, dim_), n};
  rec.images.topRows(n) = examples.topRows(n);
  rec.images.bottomRows(n) = decode(mu.topRows(n));
  out.push_back(std::move(rec));
  const Index pairs = std::min<Index>(3, examples.rows() / 2), steps = 10;
  Matrix z(pairs * steps, latent_);
  for (Index p = 0; p < pairs; ++p)
    for (Index s = 0; s < steps; ++s) {
      const float t = float(s) / float(steps - 1);
      z.row(p * steps + s) = (1 - t) * mu.row(2 * p) + t * mu.row(2 * p + 1);
    }
  out.push_back({"interpolations", decode(z), steps});
  if (latent_ == 2) {
    const Index g = 15;
    Matrix grid(g * g, 2);
    for (Index i = 0; i < g; ++i)
      for (Index j = 0; j < g; ++j) {
        grid(i * g + j, 0) = float(normal_quantile((double(j) + 0.5) / double(g)));
        grid(i * g + j, 1) = float(normal_quantile(1.0 - (double(i) + 0.5) / double(g)));
      }
    out.push_back({"latent_grid", decode(grid), g});
  }
  return out;
}

Matrix Vae::importance_estimate(const Matrix& x, Index k, Rng& rng) const {
  // Passes of at most kRowsPerPass rows: several examples with all their samples, or one example's samples
  // in chunks, merged by a running log-sum-exp per example (in double).
  const Index rows_per_pass = std::max<Index>(1, kRowsPerPass / k), chunk = std::min(k, kRowsPerPass);
  Matrix out(x.rows(), 1), eps;
  const auto lease = graphs_.lease();
  ad::Graph<float>& g = *lease;
  for (Index r0 = 0; r0 < x.rows(); r0 += rows_per_pass) {
    const Index nr = std::min(rows_per_pass, x.rows() - r0);
    const Matrix xs = x.middleRows(r0, nr);
    std::vector<double> mx(std::size_t(nr), -std::numeric_limits<double>::infinity()), sum(std::size_t(nr), 0.0);
    for (Index done = 0; done < k; done += chunk) {
      const Index ks = std::min(chunk, k - done);
      g.reset();
      eps = normal_noise(nr * ks, latent_, rng);
      const V w = iwae(g, xs, eps, ks, false);
      // iwae() gives log mean_s w_s over this chunk; back to log sum_s w_s to merge chunks exactly.
      for (Index i = 0; i < nr; ++i) {
        const double lse = double(w.value()(i, 0)) + std::log(double(ks));
        const double m = std::max(mx[std::size_t(i)], lse);
        sum[std::size_t(i)] = sum[std::size_t(i)] * std::exp(mx[std::size_t(i)] - m) + std::exp(lse - m);
        mx[std::size_t(i)] = m;
      }
    }
    for (Index i = 0; i < nr; ++i)
      out(r0 + i, 0) = float(mx[std::size_t(i)] + std::log(sum[std::size_t(i)]) - std::log(double(k)));
  }
  return out;
}

}  // namespace genlab::vae
