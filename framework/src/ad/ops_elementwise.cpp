// Elementwise ops: forward and backward side by side.
#include <cmath>

#include "ops_common.hpp"

namespace genlab::ad {
using namespace detail;

// ---- binary, broadcasting ----
// One helper builds every broadcasting binary node: shape check, node, and the forward value computed
// from both operands broadcast to the output shape. Each op below is its forward and its backward.

template <class T, class Forward>
Var<T> broadcast_binary(const char* op, const Var<T>& a, const Var<T>& b, BackwardFn<T> backward, Forward forward) {
  Index r, c;
  broadcast_shape(op, a, b, r, c);
  Graph<T>& g = *a.graph();
  Node<T>& n = g.new_node(op, {a, b}, r, c, backward);
  broadcast_apply(*n.value, forward, a.value(), b.value());
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

template <class T>
Var<T> add(const Var<T>& a, const Var<T>& b) {
  return broadcast_binary<T>(
      "add", a, b,
      [](Graph<T>& g, Node<T>& n) {
        accumulate_reduced(g, n.inputs[0], *n.grad);
        accumulate_reduced(g, n.inputs[1], *n.grad);
      },
      [](const auto& x, const auto& y) { return x + y; });
}

template <class T>
Var<T> sub(const Var<T>& a, const Var<T>& b) {
  return broadcast_binary<T>(
      "sub", a, b,
      [](Graph<T>& g, Node<T>& n) {
        accumulate_reduced(g, n.inputs[0], *n.grad);
        accumulate_reduced(g, n.inputs[1], -*n.grad);
      },
      [](const auto& x, const auto& y) { return x - y; });
}

template <class T>
Var<T> mul(const Var<T>& a, const Var<T>& b) {
  return broadcast_binary<T>(
      "mul", a, b,
      [](Graph<T>& g, Node<T>& n) {
        const auto times = [](const auto& gy, const auto& other) { return gy * other; };
        accumulate_broadcast(g, n, 0, times, *n.grad, *in(g, n, 1).value);
        accumulate_broadcast(g, n, 1, times, *n.grad, *in(g, n, 0).value);
      },
      [](const auto& x, const auto& y) { return x * y; });
}

template <class T>
Var<T> div(const Var<T>& a, const Var<T>& b) {
  return broadcast_binary<T>(
      "div", a, b,
      [](Graph<T>& g, Node<T>& n) {
        const Tensor<T>& bv = *in(g, n, 1).value;
        accumulate_broadcast(
            g, n, 0, [](const auto& gy, const auto& b) { return gy / b; }, *n.grad, bv);
        // d(a/b)/db = -(a/b)/b = -y/b
        accumulate_broadcast(
            g, n, 1, [](const auto& gy, const auto& y, const auto& b) { return -gy * y / b; }, *n.grad, *n.value, bv);
      },
      [](const auto& x, const auto& y) { return x / y; });
}

// ---- unary ----
// Each op: a forward expression of x (and the op's scalars), and a backward expression of the incoming
// gradient gy, the input x and the output y.

// Both run through the row-block helpers (ops_common.hpp), so big tensors are split over threads.
#define GENLAB_AD_UNARY(NAME, FORWARD, BACKWARD)                                                      \
  template <class T>                                                                                  \
  Var<T> NAME(const Var<T>& input) {                                                                  \
    Graph<T>& g = *input.graph();                                                                     \
    Node<T>& n = g.new_node(#NAME, {input}, input.rows(), input.cols(), [](Graph<T>& g, Node<T>& n) { \
      accumulate_elementwise(                                                                         \
          g, n.inputs[0],                                                                             \
          [](const auto& gy, const auto& x, const auto& y) {                                          \
            (void)x;                                                                                  \
            (void)y;                                                                                  \
            return BACKWARD;                                                                          \
          },                                                                                          \
          *n.grad, *in(g, n, 0).value, *n.value);                                                     \
    });                                                                                               \
    broadcast_apply(*n.value, [](const auto& x) { return FORWARD; }, input.value());                  \
    return Var<T>(&g, static_cast<int>(g.size()) - 1);                                                \
  }

GENLAB_AD_UNARY(neg, -x, -gy)
GENLAB_AD_UNARY(exp, x.exp(), gy* y)
GENLAB_AD_UNARY(log, x.log(), gy / x)
GENLAB_AD_UNARY(log1p, x.log1p(), gy / (T(1) + x))
GENLAB_AD_UNARY(square, x.square(), T(2) * gy * x)
GENLAB_AD_UNARY(tanh, x.tanh(), gy*(T(1) - y.square()))
GENLAB_AD_UNARY(sigmoid, T(1) / (T(1) + (-x).exp()), gy* y*(T(1) - y))
GENLAB_AD_UNARY(relu, x.max(T(0)), gy*(x > T(0)).template cast<T>())
// softplus(x) = max(x, 0) + log1p(exp(-|x|)): no overflow for large x, no loss of precision for small.
GENLAB_AD_UNARY(softplus, x.max(T(0)) + (-x.abs()).exp().log1p(), gy / (T(1) + (-x).exp()))
// log sigmoid(x) = -softplus(-x) = min(x, 0) - log1p(exp(-|x|)); derivative sigmoid(-x).
GENLAB_AD_UNARY(log_sigmoid, x.min(T(0)) - (-x.abs()).exp().log1p(), gy / (T(1) + x.exp()))
#undef GENLAB_AD_UNARY

// Unary ops with a parameter stored in the node's scalars.

template <class T>
Var<T> scale(const Var<T>& x, T c) {
  Graph<T>& g = *x.graph();
  Node<T>& n = g.new_node("scale", {x}, x.rows(), x.cols(),
                          [](Graph<T>& g, Node<T>& n) { g.accumulate(n.inputs[0], n.scalar[0] * *n.grad); });
  n.scalar[0] = c;
  n.value->noalias() = c * x.value();
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

template <class T>
Var<T> add_scalar(const Var<T>& x, T c) {
  Graph<T>& g = *x.graph();
  Node<T>& n = g.new_node("add_scalar", {x}, x.rows(), x.cols(),
                          [](Graph<T>& g, Node<T>& n) { g.accumulate(n.inputs[0], *n.grad); });
  n.value->noalias() = (x.value().array() + c).matrix();
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

template <class T>
Var<T> leaky_relu(const Var<T>& x, T slope) {
  Graph<T>& g = *x.graph();
  Node<T>& n = g.new_node("leaky_relu", {x}, x.rows(), x.cols(), [](Graph<T>& g, Node<T>& n) {
    const auto xv = in(g, n, 0).value->array();
    const T slope = n.scalar[0];
    g.accumulate(n.inputs[0], (n.grad->array() * (slope + (T(1) - slope) * (xv > T(0)).template cast<T>())).matrix());
  });
  n.scalar[0] = slope;
  n.value->noalias() = (x.value().array() > T(0)).select(x.value().array(), slope * x.value().array()).matrix();
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

template <class T>
Var<T> elu(const Var<T>& x, T alpha) {
  Graph<T>& g = *x.graph();
  Node<T>& n = g.new_node("elu", {x}, x.rows(), x.cols(), [](Graph<T>& g, Node<T>& n) {
    const auto xv = in(g, n, 0).value->array();
    // For x <= 0: d/dx alpha (e^x - 1) = alpha e^x = y + alpha.
    g.accumulate(n.inputs[0], (n.grad->array() * (xv > T(0)).select(T(1), n.value->array() + n.scalar[0])).matrix());
  });
  n.scalar[0] = alpha;
  n.value->noalias() =
      (x.value().array() > T(0)).select(x.value().array(), alpha * (x.value().array().exp() - T(1))).matrix();
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

template <class T>
Var<T> clamp(const Var<T>& x, T lo, T hi) {
  if (!(lo <= hi)) shape_error("clamp", "empty interval [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  Graph<T>& g = *x.graph();
  Node<T>& n = g.new_node("clamp", {x}, x.rows(), x.cols(), [](Graph<T>& g, Node<T>& n) {
    const auto xv = in(g, n, 0).value->array();
    g.accumulate(n.inputs[0],
                 (n.grad->array() * ((xv > n.scalar[0]) && (xv < n.scalar[1])).template cast<T>()).matrix());
  });
  n.scalar[0] = lo;
  n.scalar[1] = hi;
  n.value->noalias() = x.value().array().max(lo).min(hi).matrix();
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

// Binary cross-entropy with logits: softplus(x) - t x; d/dx = sigmoid(x) - t; d/dt = -x.
template <class T>
Var<T> bce_with_logits(const Var<T>& logits, const Var<T>& targets) {
  return broadcast_binary<T>(
      "bce_with_logits", logits, targets,
      [](Graph<T>& g, Node<T>& n) {
        const Tensor<T>&x = *in(g, n, 0).value, &t = *in(g, n, 1).value;
        accumulate_broadcast(
            g, n, 0, [](const auto& gy, const auto& x, const auto& t) { return gy * (T(1) / (T(1) + (-x).exp()) - t); },
            *n.grad, x, t);
        accumulate_broadcast(
            g, n, 1, [](const auto& gy, const auto& x) { return -gy * x; }, *n.grad, x);
      },
      [](const auto& x, const auto& t) { return x.max(T(0)) + (-x.abs()).exp().log1p() - t * x; });
}

GENLAB_AD_INSTANTIATE_2(add)
GENLAB_AD_INSTANTIATE_2(sub)
GENLAB_AD_INSTANTIATE_2(mul)
GENLAB_AD_INSTANTIATE_2(div)
GENLAB_AD_INSTANTIATE_2(bce_with_logits)
GENLAB_AD_INSTANTIATE_1(neg)
GENLAB_AD_INSTANTIATE_1(exp)
GENLAB_AD_INSTANTIATE_1(log)
GENLAB_AD_INSTANTIATE_1(log1p)
GENLAB_AD_INSTANTIATE_1(square)
GENLAB_AD_INSTANTIATE_1(tanh)
GENLAB_AD_INSTANTIATE_1(sigmoid)
GENLAB_AD_INSTANTIATE_1(relu)
GENLAB_AD_INSTANTIATE_1(softplus)
GENLAB_AD_INSTANTIATE_1(log_sigmoid)
template Var<float> scale<float>(const Var<float>&, float);
template Var<double> scale<double>(const Var<double>&, double);
template Var<float> add_scalar<float>(const Var<float>&, float);
template Var<double> add_scalar<double>(const Var<double>&, double);
template Var<float> leaky_relu<float>(const Var<float>&, float);
template Var<double> leaky_relu<double>(const Var<double>&, double);
template Var<float> elu<float>(const Var<float>&, float);
template Var<double> elu<double>(const Var<double>&, double);
template Var<float> clamp<float>(const Var<float>&, float, float);
template Var<double> clamp<double>(const Var<double>&, double, double);

}  // namespace genlab::ad
