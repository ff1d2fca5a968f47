#pragma once
// What every classifier of the plugin shares: labels arrive as the batch's last column (the trainer
// appends them), the task is either one class per dataset label or one label against the rest, and
// class probabilities come from the logits by a softmax.
#include <genlab/ad/graph_pool.hpp>
#include <genlab/model.hpp>
#include <genlab/params.hpp>
#include <genlab/schema.hpp>

namespace genlab::classifiers {

using V = ad::Var<float>;

class Classifier : public Model {
 public:
  Classifier(const Params& p, const ModelSetup& s);
  /// The keys every classifier reads (positive_class), for a model's schema to start from.
  static Schema base_schema();

  bool uses_labels() const override { return true; }
  bool can_classify() const override { return true; }
  Index target_class(Index label) const override;
  Matrix class_probabilities(const Matrix& features) const override;

  Index classes() const { return classes_; }
  Index dim() const { return dim_; }
  /// The logits [rows x classes()] of features x.
  virtual V logits(ad::Graph<float>& g, const V& x) const = 0;

 protected:
  /// Splits a batch with its label column into features and one-hot targets in the model's classes.
  void split(const Matrix& batch, Matrix& features, Matrix& one_hot) const;

 private:
  Index dim_ = 0, classes_ = 2, positive_ = -1;
  mutable ad::GraphPool<float> graphs_;
};

}  // namespace genlab::classifiers
