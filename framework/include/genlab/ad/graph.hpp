#pragma once
// Reverse-mode autodiff on a tape.
//
// A Graph<T> records the ops of one forward pass as nodes, in creation order; since every node's inputs
// were created before it, backward() is a single reverse sweep (no recursive topological sort, whatever
// the graph's depth). A Graph belongs to one run (no globals, no thread_locals) and is reset() between
// steps: nodes and their buffers are kept and reused, so a training step whose graph has the same shapes
// as the last one allocates nothing.
//
// Ops are free functions (ops.hpp) that call make_node() with a forward value and a backward function
// next to each other. A node needs a gradient only if one of its inputs does; backward skips the others.
#include <deque>
#include <initializer_list>
#include <string>
#include <vector>

#include "genlab/ad/tensor.hpp"
#include "genlab/error.hpp"
#include "genlab/export.hpp"

namespace genlab::ad {

template <class T>
class Graph;
template <class T>
struct Node;

/// Handle to a node: cheap to copy, valid until its graph is reset.
template <class T>
class Var {
 public:
  Var() = default;
  Var(Graph<T>* g, int id) : g_(g), id_(id) {}
  const Tensor<T>& value() const;
  /// The gradient after Graph::backward() (only for nodes that require one).
  const Tensor<T>& grad() const;
  Index rows() const { return value().rows(); }
  Index cols() const { return value().cols(); }
  bool requires_grad() const;
  Graph<T>* graph() const { return g_; }
  int id() const { return id_; }

 private:
  Graph<T>* g_ = nullptr;
  int id_ = -1;
};

template <class T>
using BackwardFn = void (*)(Graph<T>& g, Node<T>& node);

inline constexpr int kMaxOpInputs = 6;

template <class T>
struct Node {
  const char* op = "";
  int inputs[kMaxOpInputs] = {-1, -1, -1, -1, -1, -1};
  int n_inputs = 0;
  bool requires_grad = false;
  bool grad_set = false;  // this node's gradient holds a value in the current backward pass
  BackwardFn<T> backward = nullptr;
  T scalar[2] = {0, 0};     // op parameters (slope, bounds, offsets)
  std::vector<Index> ints;  // op parameters (permutations); capacity kept across resets
  Tensor<T> own_value, own_grad;
  Tensor<T> scratch;  // backward workspace (broadcast gradient terms); capacity kept across resets
  Tensor<T>* value = &own_value;  // parameters point at storage outside the graph
  Tensor<T>* grad = &own_grad;
};

template <class T>
class Graph {
 public:
  Graph() = default;
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  /// Forgets every node, keeping their buffers for the next pass.
  void reset() {
    size_ = 0;
    param_sources_.clear();
  }

  /// When false, new nodes never require a gradient (evaluation): no backward bookkeeping at all.
  void set_grad_enabled(bool on) { grad_enabled_ = on; }
  bool grad_enabled() const { return grad_enabled_; }

  /// A leaf holding a copy of `v` (data, masks); never requires a gradient.
  Var<T> constant(const Eigen::Ref<const Tensor<T>>& v) {
    Node<T>& n = new_node("constant", {}, v.rows(), v.cols(), nullptr);
    *n.value = v;
    n.requires_grad = false;
    return Var<T>(this, size_ - 1);
  }

  /// A leaf that reads `v` in place (no copy): large constants such as masks or a batch held by the caller.
  /// `v` must stay alive and unchanged until the graph is reset.
  Var<T> constant_view(const Tensor<T>& v) {
    Node<T>& n = new_node("constant", {}, 0, 0, nullptr);
    n.value = const_cast<Tensor<T>*>(&v);  // never written: a constant has no gradient and no backward
    n.requires_grad = false;
    return Var<T>(this, size_ - 1);
  }

  /// A leaf with its own copy of `v` that requires a gradient (gradient checks, inputs to optimize).
  Var<T> variable(const Eigen::Ref<const Tensor<T>>& v) {
    Node<T>& n = new_node("variable", {}, v.rows(), v.cols(), nullptr);
    *n.value = v;
    n.requires_grad = grad_enabled_;
    return Var<T>(this, size_ - 1);
  }

  /// A model parameter: the node reads `value` in place, and backward() writes its gradient into `grad`
  /// (overwriting it: zero if the parameter did not reach the root). The same storage entered twice in
  /// one pass gives the same node.
  Var<T> parameter(Tensor<T>& value, Tensor<T>& grad) {
    for (const auto& [ptr, id] : param_sources_)
      if (ptr == &value) return Var<T>(this, id);
    Node<T>& n = new_node("parameter", {}, 0, 0, nullptr);
    n.value = &value;
    n.grad = &grad;
    n.requires_grad = grad_enabled_;
    param_sources_.emplace_back(&value, size_ - 1);
    return Var<T>(this, size_ - 1);
  }

  /// Creates the output node of an op: rows x cols value (uninitialized; the op fills it), the inputs, and
  /// the backward function (called only if the node requires a gradient).
  Node<T>& new_node(const char* op, std::initializer_list<Var<T>> inputs, Index rows, Index cols,
                    BackwardFn<T> backward) {
    if (inputs.size() > static_cast<std::size_t>(kMaxOpInputs))
      throw Error(std::string("op '") + op + "' has " + std::to_string(inputs.size()) + " inputs, at most " +
                  std::to_string(kMaxOpInputs) + " are supported");
    if (size_ == nodes_.size()) nodes_.emplace_back();
    Node<T>& n = nodes_[size_++];
    n.op = op;
    n.n_inputs = 0;
    n.requires_grad = false;
    n.grad_set = false;
    n.backward = backward;
    n.value = &n.own_value;
    n.grad = &n.own_grad;
    for (const Var<T>& v : inputs) {
      GENLAB_ASSERT(v.graph() == this, "an op mixes nodes of two graphs (or of a reset graph)");
      n.inputs[n.n_inputs++] = v.id();
      n.requires_grad |= grad_enabled_ && node(v.id()).requires_grad;
    }
    n.own_value.resize(rows, cols);  // no allocation when the shape is the one of the last pass
    return n;
  }

  /// Backward pass from a 1x1 root: fills the gradient of every node that requires one.
  void backward(const Var<T>& root) {
    Node<T>& r = node(root.id());
    if (r.value->rows() != 1 || r.value->cols() != 1)
      throw Error(std::string("backward: the root must be a 1x1 value, got ") + std::to_string(r.value->rows()) + "x" +
                  std::to_string(r.value->cols()) + " from op '" + r.op + "'");
    for (std::size_t i = 0; i < size_; ++i) nodes_[i].grad_set = false;
    if (!r.requires_grad) return;
    r.grad->setOnes(1, 1);
    r.grad_set = true;
    for (std::size_t i = static_cast<std::size_t>(root.id()) + 1; i-- > 0;) {
      Node<T>& n = nodes_[i];
      if (!n.requires_grad || !n.grad_set || !n.backward) continue;
      n.backward(*this, n);
    }
    for (const auto& [ptr, id] : param_sources_) {
      Node<T>& p = nodes_[static_cast<std::size_t>(id)];
      if (!p.grad_set) p.grad->setZero(p.value->rows(), p.value->cols());
    }
  }

  /// For backward functions: adds `g` to the gradient of node `id` (sets it on first use). A no-op for
  /// nodes that need no gradient, so branches without parameters cost nothing.
  template <class Expr>
  void accumulate(int id, const Expr& g) {
    Node<T>& n = node(id);
    if (!n.requires_grad) return;
    if (!n.grad_set) {
      n.grad->noalias() = g;
      n.grad_set = true;
    } else {
      n.grad->noalias() += g;
    }
  }

  /// For backward functions that write a gradient themselves (a GEMM with beta): the gradient buffer of node
  /// `id`, sized like its value, or nullptr if it needs no gradient. `add` tells whether the buffer already
  /// holds a gradient to add to (beta = 1) or must be overwritten (beta = 0, stale contents ignored).
  Tensor<T>* grad_target(int id, bool& add) {
    Node<T>& n = node(id);
    if (!n.requires_grad) return nullptr;
    add = n.grad_set;
    if (!n.grad_set) {
      n.grad->resize(n.value->rows(), n.value->cols());
      n.grad_set = true;
    }
    return n.grad;
  }

  /// Like accumulate(), into the block of node `id` starting at column `col` (the rest gets zeros first).
  template <class Expr>
  void accumulate_cols(int id, Index col, const Expr& g) {
    Node<T>& n = node(id);
    if (!n.requires_grad) return;
    if (!n.grad_set) {
      n.grad->setZero(n.value->rows(), n.value->cols());
      n.grad_set = true;
    }
    n.grad->middleCols(col, g.cols()) += g;
  }

  bool needs_grad(int id) const { return nodes_[static_cast<std::size_t>(id)].requires_grad; }
  Node<T>& node(int id) { return nodes_[static_cast<std::size_t>(id)]; }
  const Node<T>& node(int id) const { return nodes_[static_cast<std::size_t>(id)]; }
  std::size_t size() const { return size_; }

 private:
  std::deque<Node<T>> nodes_;  // stable addresses; grows to the largest pass seen, then is reused
  std::size_t size_ = 0;
  std::vector<std::pair<const Tensor<T>*, int>> param_sources_;
  bool grad_enabled_ = true;
};

template <class T>
const Tensor<T>& Var<T>::value() const {
  return *g_->node(id_).value;
}
template <class T>
const Tensor<T>& Var<T>::grad() const {
  return *g_->node(id_).grad;
}
template <class T>
bool Var<T>::requires_grad() const {
  return g_->node(id_).requires_grad;
}

}  // namespace genlab::ad
