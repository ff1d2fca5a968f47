#include "mlp_classifier.hpp"

#include <genlab/ad/ops.hpp>

#include "soft_metrics.hpp"

namespace genlab::classifiers {

Schema MlpClassifier::schema() {
  return base_schema()
      .int_list("hidden", std::vector<std::int64_t>{100}, {.min = 1}, "hidden layer sizes")
      .choice("activation", "relu", {"relu", "tanh", "sigmoid", "elu", "softplus"}, "hidden activation")
      .choice("loss", "cross_entropy",
              {"cross_entropy", "soft_accuracy", "soft_f1", "cross_entropy+soft_accuracy", "cross_entropy+soft_f1"},
              "training loss: cross-entropy, 1 - a smoothed metric (soft F1 is the positive class's F1 for binary "
              "tasks, the macro average otherwise), or cross-entropy + metric_weight * (1 - the metric)")
      .real("metric_weight", 1.0, {.min = 0, .max = 1e6}, "weight of the smoothed metric in the combined losses");
}

MlpClassifier::MlpClassifier(const Params& p, const ModelSetup& s) : Classifier(p, s) {
  const std::string& l = p.get_string("loss");
  loss_ = l == "cross_entropy"                 ? Loss::CrossEntropy
          : l == "soft_accuracy"               ? Loss::SoftAccuracy
          : l == "soft_f1"                     ? Loss::SoftF1
          : l == "cross_entropy+soft_accuracy" ? Loss::CrossEntropySoftAccuracy
                                               : Loss::CrossEntropySoftF1;
  metric_weight_ = float(p.get_float("metric_weight"));
  std::vector<Index> sizes{dim()};
  for (auto h : p.get_int_list("hidden")) sizes.push_back(Index(h));
  sizes.push_back(classes());
  net_ = nn::Mlp<float>(params_, "net", sizes, nn::activation_from_name(p.get_string("activation")), *s.rng);
}

V MlpClassifier::loss(ad::Graph<float>& g, const Matrix& batch, Rng&) {
  split(batch, features_, one_hot_);
  const V y = g.constant_view(one_hot_);
  const V log_p = ad::log_softmax_cols(logits(g, g.constant_view(features_)));
  const V ce = ad::neg(ad::mean(ad::sum_cols(ad::mul(log_p, y))));
  auto one_minus = [](const V& m) { return ad::add_scalar(ad::neg(m), 1.0f); };
  switch (loss_) {
    case Loss::CrossEntropy:
      return ce;
    case Loss::SoftAccuracy:
      return one_minus(soft_accuracy(ad::exp(log_p), y));
    case Loss::SoftF1:
      return one_minus(soft_f1(ad::exp(log_p), y));
    case Loss::CrossEntropySoftAccuracy:
      return ad::add(ce, ad::scale(one_minus(soft_accuracy(ad::exp(log_p), y)), metric_weight_));
    case Loss::CrossEntropySoftF1:
      break;
  }
  return ad::add(ce, ad::scale(one_minus(soft_f1(ad::exp(log_p), y)), metric_weight_));
}

}  // namespace genlab::classifiers
