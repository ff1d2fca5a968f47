#include "classifier.hpp"

#include <genlab/ad/ops.hpp>
#include <genlab/error.hpp>

namespace genlab::classifiers {

Schema Classifier::base_schema() {
  return Schema().integer("positive_class", -1, {.min = -1, .max = 1000000},
                          "-1: one class per dataset label; k: a binary task, label k (class 1) against the rest");
}

Classifier::Classifier(const Params& p, const ModelSetup& s) : dim_(s.dim), positive_(p.get_int("positive_class")) {
  if (s.classes < 2) throw ConfigError("classifier: the dataset has no labels (or one class)");
  if (positive_ >= s.classes)
    throw ConfigError("classifier: positive_class " + std::to_string(positive_) + " is not one of the dataset's " +
                      std::to_string(s.classes) + " classes");
  classes_ = positive_ < 0 ? s.classes : 2;
}

Index Classifier::target_class(Index label) const { return positive_ < 0 ? label : (label == positive_ ? 1 : 0); }

void Classifier::split(const Matrix& batch, Matrix& features, Matrix& one_hot) const {
  if (batch.cols() != dim_ + 1)
    throw ShapeError("classifier: a batch of " + std::to_string(batch.cols()) + " columns, expected " +
                     std::to_string(dim_) + " features and the label");
  features = batch.leftCols(dim_);
  one_hot = Matrix::Zero(batch.rows(), classes_);
  for (Index r = 0; r < batch.rows(); ++r) {
    const Index t = target_class(Index(batch(r, dim_)));
    if (t < 0 || t >= classes_) throw Error("classifier: label " + std::to_string(Index(batch(r, dim_))) + " out of range");
    one_hot(r, t) = 1.0f;
  }
}

Matrix Classifier::class_probabilities(const Matrix& features) const {
  const auto g = graphs_.lease();
  return ad::exp(ad::log_softmax_cols(logits(*g, g->constant_view(features)))).value();
}

}  // namespace genlab::classifiers
