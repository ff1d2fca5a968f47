#include "soft_metrics.hpp"

namespace genlab::classifiers {

namespace {
constexpr float kGuard = 1e-6f;  // 0/0 -> 1 for a class absent from both predictions and targets
}

ad::Var<float> soft_accuracy(const ad::Var<float>& p, const ad::Var<float>& y) {
  return ad::mean(ad::sum_cols(ad::mul(p, y)));
}

ad::Var<float> soft_f1_per_class(const ad::Var<float>& p, const ad::Var<float>& y) {
  const auto tp2 = ad::add_scalar(ad::scale(ad::sum_rows(ad::mul(p, y)), 2.0f), kGuard);
  return ad::div(tp2, ad::add_scalar(ad::add(ad::sum_rows(p), ad::sum_rows(y)), kGuard));
}

ad::Var<float> soft_f1(const ad::Var<float>& p, const ad::Var<float>& y) {
  const auto f1 = soft_f1_per_class(p, y);
  return p.cols() == 2 ? ad::slice_cols(f1, 1, 1) : ad::mean(f1);
}

}  // namespace genlab::classifiers
