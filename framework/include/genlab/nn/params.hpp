#pragma once
// ParamSet: a model's named parameters. Names ("coupling0.W") become checkpoint and HDF5 dataset names;
// storage addresses are stable for the model's lifetime, so layers keep pointers to their parameters.
#include <deque>
#include <string>
#include <vector>

#include "genlab/ad/graph.hpp"
#include "genlab/error.hpp"

namespace genlab::nn {

template <class T>
struct Parameter {
  std::string name;
  Tensor<T> value;
  Tensor<T> grad;
  /// Not changed by optimizers (no update, no weight decay): state a model keeps among its parameters so
  /// that checkpoints and the saved results hold it, such as a frozen teacher network or a stage flag.
  bool frozen = false;
  /// This parameter as a node of graph g (its gradient lands in `grad` after backward).
  ad::Var<T> var(ad::Graph<T>& g) { return g.parameter(value, grad); }
};

template <class T>
class ParamSet {
 public:
  /// Adds a parameter; names are unique within a set.
  Parameter<T>& add(const std::string& name, Tensor<T> init) {
    if (find(name)) throw Error("parameter '" + name + "' declared twice");
    auto& p = params_.emplace_back();
    p.name = name;
    p.value = std::move(init);
    p.grad = Tensor<T>::Zero(p.value.rows(), p.value.cols());
    return p;
  }
  Parameter<T>* find(const std::string& name) {
    for (auto& p : params_)
      if (p.name == name) return &p;
    return nullptr;
  }
  std::deque<Parameter<T>>& all() { return params_; }
  const std::deque<Parameter<T>>& all() const { return params_; }
  std::size_t size() const { return params_.size(); }
  /// Total number of scalars.
  Index count() const {
    Index n = 0;
    for (const auto& p : params_) n += p.value.size();
    return n;
  }

 private:
  std::deque<Parameter<T>> params_;
};

}  // namespace genlab::nn
