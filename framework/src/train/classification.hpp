#pragma once
// Hard classification metrics of a model that can classify, on one split: the confusion matrix and what
// follows from it (accuracy, per-class and macro F1), and the cross-entropy of the predicted probabilities.
#include <vector>

#include "genlab/model.hpp"

namespace genlab {

struct ClassificationResult {
  MatrixD confusion;  ///< C x C counts: row = true class, column = predicted (argmax) class
  double accuracy = 0, macro_f1 = 0, cross_entropy = 0;
  std::vector<double> f1;  ///< per class; a class never true nor predicted has F1 = 1 (nothing to get wrong)
};

/// Batches of `batch_size` rows, the transform applied with transform_rng.split(batch index), as the
/// trainer's evaluation does. Labels are the dataset's; the model maps them with target_class().
ClassificationResult evaluate_classification(const Model& m, const Matrix& data, const Matrix& labels,
                                             const BatchTransform* transform, Index batch_size, Rng transform_rng);

/// Copies `batch` with the labels of its rows appended as one last column (into `out`, reused).
void append_labels(const Matrix& batch, const Matrix& labels, Matrix& out);

}  // namespace genlab
