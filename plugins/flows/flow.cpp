#include "flow.hpp"

#include <cmath>

#include <genlab/ad/ops.hpp>
#include <genlab/error.hpp>
#include <genlab/plots2d.hpp>

namespace genlab::flows {
namespace {

// Four affine couplings alternating halves: a small RealNVP, enough for the 2D toys.
Value default_layers() {
  Value coupling = Value::map();
  coupling.set("type", "affine_coupling");
  Value body = Value::list();
  body.as_list().push_back(coupling);
  Value block = Value::map();
  block.set("repeat", std::int64_t(4));
  block.set("layers", body);
  Value list = Value::list();
  list.as_list().push_back(block);
  return list;
}

Index square_side(Index dim) {
  const auto side = Index(std::llround(std::sqrt(double(dim))));
  return side * side == dim ? side : 0;
}

}  // namespace

Schema Flow::schema() {
  return Schema()
      .structure("layers", default_layers(),
                 "the invertible layers, data side first: additive_coupling, affine_coupling, scale, actnorm, "
                 "lu_linear, permute, or {repeat: N, layers: [...]} (see plugins/flows/layers.hpp)")
      .choice("prior", "gaussian", {"gaussian", "logistic"}, "the density of z: N(0, I) or the standard logistic")
      .integer("inpaint_steps", 500, {.min = 0, .max = 1000000}, "gradient-ascent steps of inpaint()")
      .real("inpaint_step", 0.01, {.min = 0, .max = 1e6}, "first step size of inpaint() (adapted per row)")
      .real_list("inpaint_range", std::vector<double>{}, {},
                 "[lo, hi]: inpainted entries are kept in this box (e.g. [0, 1] for pixels); empty: unbounded");
}

Flow::Flow(const Params& p, const ModelSetup& s)
    : dim_(s.dim),
      logistic_(p.get_string("prior") == "logistic"),
      inpaint_steps_(p.get_int("inpaint_steps")),
      inpaint_step_(p.get_float("inpaint_step")),
      inpaint_range_(p.get_float_list("inpaint_range")) {
  if (!inpaint_range_.empty() && (inpaint_range_.size() != 2 || !(inpaint_range_[0] < inpaint_range_[1])))
    throw ConfigError(p.component() + ".inpaint_range: expected [lo, hi] with lo < hi, or []");
  layers_ = build_layers(p.get_structure("layers"), dim_, params_, *s.rng, p.component() + ".layers");
}

V Flow::log_prob_of(ad::Graph<float>& g, const V& x) const {
  if (x.cols() != dim_)
    throw ShapeError("flow: input has " + std::to_string(x.cols()) + " columns, the model " + std::to_string(dim_));
  V h = x, row_terms, shared_terms;
  bool has_row = false, has_shared = false;
  for (const auto& layer : layers_) {
    Step s = layer->forward(g, h);
    h = s.y;
    if (!s.has_log_det) continue;
    const bool per_row = s.log_det.rows() != 1 || h.rows() == 1;
    V& acc = per_row ? row_terms : shared_terms;
    bool& has = per_row ? has_row : has_shared;
    acc = has ? ad::add(acc, s.log_det) : s.log_det;
    has = true;
  }
  V lp = ad::sum_cols(logistic_ ? ad::logistic_log_prob(h) : ad::std_normal_log_prob(h));
  if (has_row) lp = ad::add(lp, row_terms);
  if (has_shared) lp = ad::add(lp, shared_terms);  // 1x1, broadcast over the rows
  return lp;
}

V Flow::log_prob(ad::Graph<float>& g, const Matrix& batch) { return log_prob_of(g, g.constant(batch)); }

V Flow::loss(ad::Graph<float>& g, const Matrix& batch, Rng&) { return ad::neg(ad::mean(log_prob(g, batch))); }

Matrix Flow::to_latent(const Matrix& x) const {
  const auto lease = graphs_.lease();
  ad::Graph<float>& g = *lease;
  V h = g.constant(x);
  for (const auto& layer : layers_) h = layer->forward(g, h).y;
  return h.value();
}

Matrix Flow::from_latent(const Matrix& z) const {
  Matrix h = z;
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) h = (*it)->inverse(h);
  return h;
}

Matrix Flow::log_density(const Matrix& x) const {
  const auto lease = graphs_.lease();
  return log_prob_of(*lease, lease->constant(x)).value();
}

Matrix Flow::log_density_and_grad(const Matrix& x, Matrix& grad) const {
  const auto lease = graphs_.lease();
  ad::Graph<float>& g = *lease;
  g.set_grad_enabled(true);
  const V xv = g.variable(x);
  const V lp = log_prob_of(g, xv);
  g.backward(ad::sum(lp));  // rows are independent: row r of the gradient is d log p(x_r) / d x_r
  grad = xv.grad();
  return lp.value();
}

ModelExport Flow::export_model() const {
  ModelExport ex;
  ex.description.set("prior", logistic_ ? "logistic" : "gaussian");
  ex.description.set("layers", export_layers(layers_, ex.arrays));
  return ex;
}

Matrix Flow::sample_prior(Index n, Rng& rng) const {
  Matrix z(n, dim_);
  for (Index i = 0; i < z.size(); ++i) {
    if (logistic_) {
      double u = rng.uniform();
      while (u <= 0.0) u = rng.uniform();
      z.data()[i] = float(std::log(u) - std::log1p(-u));
    } else {
      z.data()[i] = float(rng.normal());
    }
  }
  return z;
}

Matrix Flow::sample(Index n, Rng& rng) { return from_latent(sample_prior(n, rng)); }

void Flow::initialize(const Matrix& batch) {
  ad::Graph<float> g;
  g.set_grad_enabled(false);
  Matrix h = batch;
  for (auto& layer : layers_) {
    layer->initialize(h);
    g.reset();
    h = layer->forward(g, g.constant(h)).y.value();
  }
}

std::string Flow::inpaint_method() const {
  return "the most likely completion near a random start: gradient ascent on log p over the missing entries "
         "(NICE), not a sample";
}

Matrix Flow::inpaint(const Matrix& x, const Matrix& observed, Rng& rng) { return complete(x, observed, rng); }

Matrix Flow::complete(const Matrix& x, const Matrix& observed, Rng& rng) const {
  if (x.cols() != dim_ || observed.rows() != x.rows() || observed.cols() != x.cols())
    throw ShapeError("flow: inpaint of " + std::to_string(x.rows()) + "x" + std::to_string(x.cols()) + " with a " +
                     std::to_string(observed.rows()) + "x" + std::to_string(observed.cols()) + " mask, model dim " +
                     std::to_string(dim_));
  const bool boxed = !inpaint_range_.empty();
  const float lo_box = boxed ? float(inpaint_range_[0]) : 0.0f, hi_box = boxed ? float(inpaint_range_[1]) : 0.0f;
  const Eigen::Array<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> missing =
      (observed.array() == 0.0f).cast<float>();
  Matrix cur = x;
  for (Index r = 0; r < x.rows(); ++r) {
    float lo = 0, hi = 1;
    bool any = false;
    for (Index j = 0; j < dim_; ++j)
      if (observed(r, j) != 0.0f) {
        lo = any ? std::min(lo, x(r, j)) : x(r, j);
        hi = any ? std::max(hi, x(r, j)) : x(r, j);
        any = true;
      }
    if (boxed) lo = std::max(lo, lo_box), hi = std::min(hi, hi_box);
    for (Index j = 0; j < dim_; ++j)
      if (observed(r, j) == 0.0f) cur(r, j) = float(rng.uniform(lo, std::max(lo, hi)));
  }
  Matrix grad, cand_grad;
  Matrix lp = log_density_and_grad(cur, grad);
  std::vector<double> step(std::size_t(x.rows()), inpaint_step_);
  Matrix cand(x.rows(), dim_);
  for (std::int64_t it = 0; it < inpaint_steps_; ++it) {
    for (Index r = 0; r < x.rows(); ++r)
      cand.row(r) = cur.row(r) + float(step[std::size_t(r)]) * (grad.row(r).array() * missing.row(r)).matrix();
    if (boxed) cand = (cand.array().max(lo_box).min(hi_box) * missing + x.array() * (1.0f - missing)).matrix();
    const Matrix cand_lp = log_density_and_grad(cand, cand_grad);
    for (Index r = 0; r < x.rows(); ++r) {
      auto& s = step[std::size_t(r)];
      if (std::isfinite(cand_lp(r, 0)) && cand_lp(r, 0) >= lp(r, 0)) {
        cur.row(r) = cand.row(r);
        grad.row(r) = cand_grad.row(r);
        lp(r, 0) = cand_lp(r, 0);
        s *= 1.2;
      } else {
        s *= 0.5;
      }
    }
  }
  return cur;
}

std::vector<Figure> Flow::figures(const Matrix& examples, Rng& rng) const {
  std::vector<Figure> out;
  if (const Index side = square_side(dim_); side > 1 && examples.rows() > 0) {
    Figure samples{"samples", from_latent(sample_prior(64, rng)).array().max(0.0f).min(1.0f).matrix(), 8};
    out.push_back(std::move(samples));
    // Bottom half missing: original, observed (missing shown grey), completion.
    Matrix observed = Matrix::Ones(examples.rows(), dim_);
    observed.rightCols(dim_ - (side / 2) * side).setZero();
    const Matrix filled = complete(examples, observed, rng);
    Figure f{"inpaint_bottom", Matrix(3 * examples.rows(), dim_), 3};
    for (Index i = 0; i < examples.rows(); ++i) {
      f.images.row(3 * i) = examples.row(i);
      f.images.row(3 * i + 1) =
          (examples.row(i).array() * observed.row(i).array() + 0.5f * (1.0f - observed.row(i).array())).matrix();
      f.images.row(3 * i + 2) = filled.row(i);
    }
    f.images = f.images.array().max(0.0f).min(1.0f).matrix();
    out.push_back(std::move(f));
  } else if (dim_ == 2) {
    out.push_back(density_figure([this](const Matrix& points) { return log_density(points); }));
    out.push_back(scatter_figure(from_latent(sample_prior(5000, rng))));
  }
  return out;
}

}  // namespace genlab::flows
