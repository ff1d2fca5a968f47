#pragma once
// Smoothed classification metrics: the hard indicator "predicted class = k" replaced by the predicted
// probability of k, so that accuracy and F1 become differentiable. With one-hot probabilities they equal
// the hard metrics.
#include <genlab/ad/ops.hpp>

namespace genlab::classifiers {

/// Mean probability of the true class (p, y: rows x C; y one-hot) -> 1 x 1.
ad::Var<float> soft_accuracy(const ad::Var<float>& p, const ad::Var<float>& y);
/// Per-class soft F1 = 2 TP / (2 TP + FP + FN) with TP_k = sum p y, FP_k = sum p (1 - y), FN_k = sum (1 - p) y
/// over the rows, i.e. 2 sum p y / (sum p + sum y); a class with no mass in either counts as F1 = 1 -> 1 x C.
ad::Var<float> soft_f1_per_class(const ad::Var<float>& p, const ad::Var<float>& y);
/// Binary tasks: the F1 of class 1; otherwise the macro average over classes -> 1 x 1.
ad::Var<float> soft_f1(const ad::Var<float>& p, const ad::Var<float>& y);

}  // namespace genlab::classifiers
