#include "perceptron.hpp"

#include <genlab/ad/ops.hpp>
#include <genlab/error.hpp>

namespace genlab::classifiers {

Schema Perceptron::schema() {
  return base_schema()
      .choice("rule", "perceptron", {"perceptron", "logistic"},
              "perceptron: the mistake-driven update (use sgd, batch 1, lr 1 for the classic algorithm); "
              "logistic: the mean binary cross-entropy of sigmoid(s)")
      .boolean("bias", true, "a learned bias b (the threshold); false: the decision line passes through 0");
}

Perceptron::Perceptron(const Params& p, const ModelSetup& s)
    : Classifier(p, s), perceptron_rule_(p.get_string("rule") == "perceptron") {
  if (classes() != 2)
    throw ConfigError("perceptron: a binary task is needed: set positive_class (the dataset has " +
                      std::to_string(classes()) + " classes)");
  w_ = &params_.add("w", Matrix::Zero(dim(), 1));  // the classic start: w = 0
  if (p.get_bool("bias")) b_ = &params_.add("b", Matrix::Zero(1, 1));
}

V Perceptron::score(ad::Graph<float>& g, const V& x) const {
  const V s = ad::matmul(x, const_cast<nn::Parameter<float>*>(w_)->var(g));
  return b_ ? ad::add(s, const_cast<nn::Parameter<float>*>(b_)->var(g)) : s;
}

V Perceptron::logits(ad::Graph<float>& g, const V& x) const {
  const V s = score(g, x);
  return ad::concat_cols(ad::scale(s, 0.0f), s);
}

V Perceptron::loss(ad::Graph<float>& g, const Matrix& batch, Rng&) {
  split(batch, features_, one_hot_);
  const V s = score(g, g.constant_view(features_));
  const V t = ad::slice_cols(g.constant_view(one_hot_), 1, 1);
  if (!perceptron_rule_) return ad::mean(ad::bce_with_logits(s, t));
  // The perceptron criterion -mean over mistakes of y s, a mistake being y s <= 0 (at w = 0 every example
  // is one, so the first step moves): its gradient is -y x on the mistakes, the classic update.
  const Index n = batch.rows();
  coef_.resize(n, 1);
  std::int64_t wrong = 0;
  for (Index r = 0; r < n; ++r) {
    const float y = one_hot_(r, 1) != 0 ? 1.0f : -1.0f;
    const bool mistake = y * s.value()(r, 0) <= 0;
    wrong += mistake;
    coef_(r, 0) = mistake ? -y / float(n) : 0.0f;
  }
  if (g.grad_enabled()) mistakes_ += wrong;  // training passes only
  return ad::sum(ad::mul(s, g.constant_view(coef_)));
}

std::vector<std::pair<std::string, double>> Perceptron::take_epoch_counters() {
  if (!perceptron_rule_) return {};
  std::vector<std::pair<std::string, double>> out{{"mistakes", double(mistakes_)}};
  mistakes_ = 0;
  return out;
}

}  // namespace genlab::classifiers
