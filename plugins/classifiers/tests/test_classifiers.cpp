// Classifiers: smoothed metrics against the hard ones on one-hot predictions, loss gradients against
// finite differences, the perceptron's mistake bound, and the bias a line that misses the origin needs.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <memory>

#include "genlab/ad/gradcheck.hpp"
#include "genlab/testing.hpp"
#include "genlab/error.hpp"
#include "../halfplane.hpp"
#include "../mlp_classifier.hpp"
#include "../perceptron.hpp"
#include "../soft_metrics.hpp"

using namespace genlab;
using namespace genlab::classifiers;

namespace {

Value ints(std::initializer_list<std::int64_t> xs) { return testing::int_list(xs); }

template <class T>
std::unique_ptr<T> make(Index dim, Index classes, const std::map<std::string, Value>& over, std::uint64_t seed = 1) {
  Rng rng(seed);
  return testing::make_model<T>(over, dim, rng, classes);
}

Matrix one_hot(const std::vector<int>& cls, Index c) {
  Matrix m = Matrix::Zero(Index(cls.size()), c);
  for (std::size_t i = 0; i < cls.size(); ++i) m(Index(i), cls[i]) = 1;
  return m;
}

// One perceptron step on one example (x, label) with lr 1: returns whether it was a mistake.
bool perceptron_step(Perceptron& m, const Matrix& x_with_label) {
  ad::Graph<float> g;
  const std::int64_t before = m.mistakes();
  const auto loss = m.loss(g, x_with_label, *std::make_unique<Rng>(0));
  g.backward(loss);
  for (auto& p : m.params().all()) p.value -= p.grad;
  return m.mistakes() > before;
}

}  // namespace

TEST_CASE("smoothed metrics equal the hard ones when the probabilities are one-hot", "[classifiers]") {
  Rng rng(3);
  for (Index c : {2, 3, 5}) {
    std::vector<int> truth(40), pred(40);
    for (int i = 0; i < 40; ++i) truth[std::size_t(i)] = int(rng.below(std::uint64_t(c))), pred[std::size_t(i)] = int(rng.below(std::uint64_t(c)));
    ad::Graph<float> g;
    const Matrix p = one_hot(pred, c), y = one_hot(truth, c);
    const auto pv = g.constant(p), yv = g.constant(y);
    double correct = 0;
    for (int i = 0; i < 40; ++i) correct += truth[std::size_t(i)] == pred[std::size_t(i)];
    CHECK(soft_accuracy(pv, yv).value()(0, 0) == Approx(correct / 40));
    const Matrix f1 = soft_f1_per_class(pv, yv).value();
    double macro = 0;
    for (Index k = 0; k < c; ++k) {
      double tp = 0, fp = 0, fn = 0;
      for (int i = 0; i < 40; ++i) {
        tp += truth[std::size_t(i)] == k && pred[std::size_t(i)] == k;
        fp += truth[std::size_t(i)] != k && pred[std::size_t(i)] == k;
        fn += truth[std::size_t(i)] == k && pred[std::size_t(i)] != k;
      }
      const double hard = tp + fp + fn == 0 ? 1.0 : 2 * tp / (2 * tp + fp + fn);
      INFO("classes " << c << ", class " << k);
      CHECK(f1(0, k) == Approx(hard).margin(1e-6));
      macro += hard / double(c);
    }
    const double expected = c == 2 ? f1(0, 1) : macro;
    CHECK(soft_f1(pv, yv).value()(0, 0) == Approx(expected).margin(1e-6));
  }
}

TEST_CASE("every classifier loss has parameter gradients that match finite differences", "[classifiers]") {
  Rng rng(5);
  Matrix batch(12, 5);  // 4 features and the label
  for (Index r = 0; r < 12; ++r) {
    for (Index c = 0; c < 4; ++c) batch(r, c) = float(rng.normal());
    batch(r, 4) = float(rng.below(3));
  }
  for (const char* loss : {"cross_entropy", "soft_accuracy", "soft_f1", "cross_entropy+soft_accuracy",
                           "cross_entropy+soft_f1"})
    for (std::int64_t positive : {-1, 2}) {
      INFO(loss << ", positive_class " << positive);
      auto m = make<MlpClassifier>(4, 3, {{"loss", Value(loss)}, {"hidden", ints({6})}, {"activation", Value("tanh")},
                                          {"positive_class", Value(positive)}, {"metric_weight", Value(0.5)}});
      auto f = [&](ad::Graph<float>& g) {
        Rng r(1);
        return m->loss(g, batch, r);
      };
      const auto res = testing::check_param_gradients_in<float>(m->params(), f, {.eps = 1e-2, .rtol = 2e-2, .atol = 2e-3});
      INFO(res.message);
      CHECK(res.ok);
    }
  auto p = make<Perceptron>(4, 3, {{"rule", Value("logistic")}, {"positive_class", Value(std::int64_t(1))}});
  for (auto& q : p->params().all()) q.value.setConstant(0.1f);
  auto f = [&](ad::Graph<float>& g) {
    Rng r(1);
    return p->loss(g, batch, r);
  };
  const auto res = testing::check_param_gradients_in<float>(p->params(), f, {.eps = 1e-2, .rtol = 2e-2, .atol = 2e-3});
  INFO(res.message);
  CHECK(res.ok);
}

TEST_CASE("the perceptron makes at most (R / gamma)^2 mistakes on separable data", "[classifiers]") {
  // Points with |x| <= R labelled by the side of the line u.x = 0, none closer than gamma to it.
  const double gamma = 0.2, angle = 0.7;
  const double ux = std::cos(angle), uy = std::sin(angle);
  Rng rng(11);
  Matrix data(300, 3);
  double r_max = 0;
  for (Index i = 0; i < 300; ++i) {
    double x, y, d;
    do {
      x = rng.uniform(-2, 2), y = rng.uniform(-2, 2), d = ux * x + uy * y;
    } while (std::abs(d) < gamma || x * x + y * y > 4);
    data(i, 0) = float(x), data(i, 1) = float(y), data(i, 2) = d > 0 ? 1.0f : 0.0f;
    r_max = std::max(r_max, std::hypot(x, y));
  }
  auto m = make<Perceptron>(2, 2, {{"bias", Value(false)}});
  std::int64_t mistakes = 0, epochs = 0;
  for (bool clean = false; !clean && epochs < 1000; ++epochs) {
    clean = true;
    for (Index i = 0; i < data.rows(); ++i)
      if (perceptron_step(*m, data.middleRows(i, 1))) ++mistakes, clean = false;
  }
  INFO("mistakes " << mistakes << ", bound " << (r_max / gamma) * (r_max / gamma) << ", epochs " << epochs);
  CHECK(mistakes > 0);
  CHECK(double(mistakes) <= (r_max / gamma) * (r_max / gamma));
  CHECK(epochs < 1000);  // converged: a clean epoch
}

TEST_CASE("a line that misses the origin needs the bias", "[classifiers]") {
  struct Capture final : Registrar {
    ComponentInfo info;
    void add(ComponentInfo c) override { info = std::move(c); }
  } reg;
  register_halfplane(reg);
  Value v = Value::map();
  v.set("offset", Value(2.0));
  v.set("n_train", Value(std::int64_t(400)));
  Rng data_rng(2);
  const DataSplits d = reg.info.make_dataset(Params("halfplane", reg.info.schema.resolve(v, "dataset", {})), data_rng);
  REQUIRE(d.classes == 2);
  // The labels are the side of x + y = 2 sqrt 2, with the margin band empty.
  for (Index i = 0; i < d.train.rows(); ++i) {
    const double s = (d.train(i, 0) + d.train(i, 1)) / std::sqrt(2.0) - 2.0;
    REQUIRE(std::abs(s) >= 0.1 - 1e-6);
    REQUIRE(d.train_labels(i, 0) == (s > 0 ? 1.0f : 0.0f));
  }
  Matrix labelled(d.train.rows(), 3);
  labelled << d.train, d.train_labels;
  for (bool bias : {true, false}) {
    auto m = make<Perceptron>(2, 2, {{"bias", Value(bias)}});
    std::int64_t last_epoch = 0;
    for (int epoch = 0; epoch < 50; ++epoch) {
      last_epoch = 0;
      for (Index i = 0; i < labelled.rows(); ++i) last_epoch += perceptron_step(*m, labelled.middleRows(i, 1));
    }
    const Matrix p = m->class_probabilities(d.test);
    double correct = 0;
    for (Index i = 0; i < d.test.rows(); ++i) correct += (p(i, 1) > 0.5) == (d.test_labels(i, 0) == 1.0f);
    const double accuracy = correct / double(d.test.rows());
    INFO("bias " << bias << ": mistakes in the 50th epoch " << last_epoch << ", test accuracy " << accuracy);
    if (bias) {
      CHECK(last_epoch == 0);
      CHECK(accuracy > 0.99);
    } else {
      CHECK(last_epoch > 0);  // no line through the origin separates the data: it never stops erring
      CHECK(accuracy < 0.9);
    }
  }
}
