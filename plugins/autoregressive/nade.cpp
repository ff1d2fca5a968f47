#include "nade.hpp"

#include <genlab/error.hpp>
#include <genlab/nn/init.hpp>

#include <cmath>

namespace genlab::autoregressive {
namespace {

using Row = Eigen::Array<float, 1, Eigen::Dynamic>;

float softplus(float z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }
float sigmoid(float z) { return 1.0f / (1.0f + std::exp(-z)); }

// Runs one row through the network: calls visit(s, d, h) for each step s of the ordering (d = order[s],
// h = the hidden activations that predict x_d), then adds x_d W[d] to the running pre-activation.
template <class Visit>
void run_row(const float* x, const std::vector<Index>& order, const Matrix& w, const Matrix& c, Row& a, Row& h,
             Visit visit) {
  a = c.row(0).array();
  for (std::size_t s = 0; s < order.size(); ++s) {
    const Index d = order[s];
    h = 1.0f / (1.0f + (-a).exp());
    visit(Index(s), d, h);
    if (x[d] != 0.0f) a += x[d] * w.row(d).array();
  }
}

// The fused op: inputs x (B x D, constant), W, c, V, b; output log p(x) per row (B x 1). Its node keeps the
// ordering in `ints`.
void nade_backward(ad::Graph<float>& g, ad::Node<float>& n) {
  const Matrix& x = *g.node(n.inputs[0]).value;
  const Matrix& w = *g.node(n.inputs[1]).value;
  const Matrix& c = *g.node(n.inputs[2]).value;
  const Matrix& v = *g.node(n.inputs[3]).value;
  const Matrix& b = *g.node(n.inputs[4]).value;
  const std::vector<Index>& order = n.ints;  // the ordering, kept by the forward pass
  const Index dim = w.rows(), hid = w.cols();
  // Gradient buffers: overwrite on first use, then add.
  Matrix* grads[4] = {nullptr, nullptr, nullptr, nullptr};
  for (int i = 0; i < 4; ++i) {
    bool add = false;
    grads[i] = g.grad_target(n.inputs[i + 1], add);
    if (grads[i] && !add) grads[i]->setZero();
  }
  Matrix& hs = n.scratch;  // h for every step of one row (D x H), recomputed: storing it for the whole
  hs.resize(dim, hid);     // batch would take B D H floats
  Row a(hid), h(hid), acc(hid), da(hid);
  for (Index r = 0; r < x.rows(); ++r) {
    const float gy = (*n.grad)(r, 0);
    const float* xr = x.row(r).data();
    run_row(xr, order, w, c, a, h, [&](Index s, Index, const Row& hh) { hs.row(s) = hh.matrix(); });
    acc.setZero();
    for (Index s = dim - 1; s >= 0; --s) {
      const Index d = order[std::size_t(s)];
      const auto hrow = hs.row(s).array();
      const float logit = b(0, d) + (hrow * v.row(d).array()).sum();
      const float dl = gy * (xr[d] - sigmoid(logit));  // d log p / d logit
      if (grads[3]) (*grads[3])(0, d) += dl;
      if (grads[2]) grads[2]->row(d).array() += dl * hrow;
      // dW[d] collects the pre-activation gradients of every later step (x_d entered all of them).
      if (grads[0] && xr[d] != 0.0f) grads[0]->row(d).array() += xr[d] * acc;
      da = dl * v.row(d).array() * hrow * (1.0f - hrow);
      acc += da;
    }
    if (grads[1]) grads[1]->row(0).array() += acc;
  }
}

}  // namespace

Schema Nade::schema() {
  return Schema()
      .integer("hidden", 500, {.min = 1}, "hidden units H")
      .choice("ordering", "natural", {"natural", "random"}, "order of the chain rule (random: drawn once)");
}

Nade::Nade(const Params& p, const ModelSetup& s)
    : order_(p.get_string("ordering") == "random" ? Ordering::random(s.dim, *s.rng) : Ordering::natural(s.dim)) {
  const Index d = s.dim, hid = p.get_int("hidden");
  // Small uniform weights: the sigmoids start in their linear range.
  const float r = 1.0f / std::sqrt(float(d));
  w_ = &params_.add("W", nn::uniform<float>(d, hid, -r, r, *s.rng));
  c_ = &params_.add("c", Matrix::Zero(1, hid));
  v_ = &params_.add("V", nn::uniform<float>(d, hid, -r, r, *s.rng));
  b_ = &params_.add("b", Matrix::Zero(1, d));
}

V Nade::log_prob_under(ad::Graph<float>& g, const Matrix& batch, int, Rng*) {
  const Matrix &w = w_->value, &c = c_->value, &v = v_->value, &b = b_->value;
  if (batch.cols() != w.rows())
    throw ShapeError("nade: batch has " + std::to_string(batch.cols()) + " columns, the model " +
                     std::to_string(w.rows()));
  ad::Node<float>& n = g.new_node(
      "nade_log_prob", {g.constant_view(batch), w_->var(g), c_->var(g), v_->var(g), b_->var(g)}, batch.rows(), 1,
      nade_backward);
  n.ints = order_.order;
  Row a(w.cols()), h(w.cols());
  for (Index r = 0; r < batch.rows(); ++r) {
    const float* xr = batch.row(r).data();
    double lp = 0;
    run_row(xr, order_.order, w, c, a, h, [&](Index, Index d, const Row& hh) {
      const float logit = b(0, d) + (hh * v.row(d).array()).sum();
      lp += xr[d] * logit - softplus(logit);  // log Bernoulli(x_d; sigmoid(logit))
    });
    (*n.value)(r, 0) = float(lp);
  }
  return V(&g, int(g.size()) - 1);
}

V Nade::logits(ad::Graph<float>& g, const V& xv, int, Rng*) {
  if (g.grad_enabled()) throw Error("nade: logits() is for evaluation; train through log_prob");
  const Matrix& x = xv.value();
  const Matrix &w = w_->value, &c = c_->value, &v = v_->value, &b = b_->value;
  logits_.resize(x.rows(), x.cols());
  Row a(w.cols()), h(w.cols());
  for (Index r = 0; r < x.rows(); ++r)
    run_row(x.row(r).data(), order_.order, w, c, a, h,
            [&](Index, Index d, const Row& hh) { logits_(r, d) = b(0, d) + (hh * v.row(d).array()).sum(); });
  return g.constant_view(logits_);
}

}  // namespace genlab::autoregressive
