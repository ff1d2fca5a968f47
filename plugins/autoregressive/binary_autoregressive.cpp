#include "binary_autoregressive.hpp"

#include <genlab/error.hpp>

#include <cmath>

namespace genlab::autoregressive {

V BinaryAutoregressive::log_prob_under(ad::Graph<float>& g, const Matrix& batch, int k, Rng* train_noise) {
  const V x = g.constant_view(batch);
  // log p(x_i | x_<i) = -BCE(logit_i, x_i); the batch outlives the pass, so it is read in place.
  return ad::neg(ad::sum_cols(ad::bce_with_logits(logits(g, x, k, train_noise), x)));
}

V BinaryAutoregressive::log_prob(ad::Graph<float>& g, const Matrix& batch) {
  const int e = eval_masks();
  if (e == 1) {
    select(0);
    return log_prob_under(g, batch, 0, nullptr);
  }
  // Each mask's pass is computed eagerly, so the masks may be rebuilt between them; a backward pass would
  // need all of them at once, and the mixture is an evaluation quantity only.
  if (g.grad_enabled()) throw Error("the mixture over masks is for evaluation: call log_prob without gradients");
  V all;
  for (int k = 0; k < e; ++k) {
    select(k);
    const V lp = log_prob_under(g, batch, k, nullptr);
    all = k == 0 ? lp : ad::concat_cols(all, lp);
  }
  return ad::add_scalar(ad::logsumexp_cols(all), -std::log(float(e)));
}

ModelExport BinaryAutoregressive::export_model() const {
  ModelExport ex;
  ex.description.set("masks", std::int64_t(mask_count()));
  ex.description.set("eval_masks", std::int64_t(eval_masks()));
  for (int k = 0; k < mask_count(); ++k) {
    const Ordering& o = ordering(k);
    Matrix m(1, o.size());
    for (Index s = 0; s < o.size(); ++s) m(0, s) = float(o.order[std::size_t(s)]);
    ex.arrays.emplace_back("order_" + std::to_string(k), std::move(m));
  }
  return ex;
}

V BinaryAutoregressive::loss(ad::Graph<float>& g, const Matrix& batch, Rng& rng) {
  const int k = mask_count() > 1 ? int(rng.below(std::uint64_t(mask_count()))) : 0;
  select(k);
  return ad::neg(ad::mean(log_prob_under(g, batch, k, &rng)));
}

void BinaryAutoregressive::ancestral(Matrix& x, const Matrix* keep, int k, Index from, Rng& rng) {
  ad::Graph<float>& g = sampling_graph_;
  g.set_grad_enabled(false);
  const Ordering& o = ordering(k);
  for (Index s = from; s < o.size(); ++s) {
    const Index d = o.order[std::size_t(s)];
    g.reset();
    const Matrix& logit = logits(g, g.constant_view(x), k, nullptr).value();
    for (Index r = 0; r < x.rows(); ++r) {
      if (keep && (*keep)(r, d) != 0.0f) continue;
      const double p = 1.0 / (1.0 + std::exp(-double(logit(r, d))));
      x(r, d) = rng.uniform() < p ? 1.0f : 0.0f;
    }
  }
  g.reset();
  g.set_grad_enabled(true);
}

Matrix BinaryAutoregressive::sample(Index n, Rng& rng) {
  const Index dim = ordering(0).size();
  const int e = eval_masks();
  // Mixture: the mask of each sample first, then one ancestral pass per mask over its samples.
  std::vector<int> mask_of(static_cast<std::size_t>(n));
  for (int& k : mask_of) k = e > 1 ? int(rng.below(std::uint64_t(e))) : 0;
  Matrix out(n, dim);
  for (int k = 0; k < e; ++k) {
    std::vector<Index> rows;
    for (Index r = 0; r < n; ++r)
      if (mask_of[std::size_t(r)] == k) rows.push_back(r);
    if (rows.empty()) continue;
    select(k);
    Matrix x = Matrix::Zero(Index(rows.size()), dim);
    ancestral(x, nullptr, k, 0, rng);
    for (std::size_t i = 0; i < rows.size(); ++i) out.row(rows[i]) = x.row(Index(i));
  }
  return out;
}

Matrix BinaryAutoregressive::inpaint(const Matrix& x, const Matrix& observed, Rng& rng) {
  const Index dim = ordering(0).size();
  if (x.cols() != dim || observed.rows() != x.rows() || observed.cols() != dim)
    throw ShapeError("inpaint: x is " + std::to_string(x.rows()) + "x" + std::to_string(x.cols()) + ", observed " +
                     std::to_string(observed.rows()) + "x" + std::to_string(observed.cols()) + ", the model has " +
                     std::to_string(dim) + " dimensions");
  // The model is the mixture over the E evaluation masks, p(x) = (1/E) sum_k p_k(x). Its exact conditional
  // is p(x_m | x_o) = sum_k w_k p_k(x_m | x_o) with w_k proportional to p_k(x_o): draw a mask from w, then
  // sample ancestrally under it. Both p_k(x_o) and p_k(x_m | x_o) are available only where every mask's
  // ordering lists the observed dimensions first.
  const int e = eval_masks();
  std::vector<Index> n_observed(static_cast<std::size_t>(x.rows()));
  for (Index r = 0; r < x.rows(); ++r) {
    const Index s = Index((observed.row(r).array() != 0.0f).count());
    for (int k = 0; k < e; ++k) {
      const Ordering& o = ordering(k);
      for (Index t = 0; t < s; ++t)
        if (observed(r, o.order[std::size_t(t)]) == 0.0f)
          throw NotSupported("inpaint: row " + std::to_string(r) + ": exact inpainting needs the observed dimensions "
                             "first in the ordering of every mask the model averages, and mask " + std::to_string(k) +
                             " of " + std::to_string(e) + " generates dimension " +
                             std::to_string(o.order[std::size_t(t)]) + " (missing) before some observed one");
    }
    n_observed[std::size_t(r)] = s;
  }
  // Posterior over masks per row: log w_k = log p_k(x_o) (the missing entries do not enter, since every
  // observed logit depends on observed dimensions only).
  std::vector<int> mask_of(static_cast<std::size_t>(x.rows()), 0);
  if (e > 1) {
    Matrix lw(x.rows(), e);
    ad::Graph<float>& g = sampling_graph_;
    g.set_grad_enabled(false);
    for (int k = 0; k < e; ++k) {
      select(k);
      g.reset();
      const Matrix& logit = logits(g, g.constant_view(x), k, nullptr).value();
      for (Index r = 0; r < x.rows(); ++r) {
        double l = 0;
        for (Index d = 0; d < dim; ++d)
          if (observed(r, d) != 0.0f) {
            const double z = logit(r, d);
            l += x(r, d) * z - (z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)));
          }
        lw(r, k) = float(l);
      }
    }
    g.reset();
    g.set_grad_enabled(true);
    for (Index r = 0; r < x.rows(); ++r) {
      const Eigen::ArrayXd w = (lw.row(r).cast<double>().array() - double(lw.row(r).maxCoeff())).exp().transpose();
      double u = rng.uniform() * w.sum();
      int k = 0;
      while (k + 1 < e && (u -= w(k)) >= 0) ++k;
      mask_of[std::size_t(r)] = k;
    }
  }
  // Rows that share the mask and the number of observed dimensions are sampled together.
  Matrix out = x;
  std::vector<bool> done(mask_of.size(), false);
  for (std::size_t r0 = 0; r0 < mask_of.size(); ++r0) {
    if (done[r0]) continue;
    std::vector<Index> rows;
    for (std::size_t r = r0; r < mask_of.size(); ++r)
      if (!done[r] && mask_of[r] == mask_of[r0] && n_observed[r] == n_observed[r0]) {
        rows.push_back(Index(r));
        done[r] = true;
      }
    Matrix group(Index(rows.size()), dim), keep(Index(rows.size()), dim);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      group.row(Index(i)) = x.row(rows[i]);
      keep.row(Index(i)) = observed.row(rows[i]);
    }
    select(mask_of[r0]);
    ancestral(group, &keep, mask_of[r0], n_observed[r0], rng);
    for (std::size_t i = 0; i < rows.size(); ++i) out.row(rows[i]) = group.row(Index(i));
  }
  return out;
}

}  // namespace genlab::autoregressive
