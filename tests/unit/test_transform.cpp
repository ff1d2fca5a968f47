// Pixel transforms: ranges, log-determinants against finite differences, inversion, binarization statistics
// and the settings that contradict each other.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "genlab/data/transform.hpp"
#include "genlab/error.hpp"

using namespace genlab;

namespace {
Matrix levels(Index rows, Index cols, Rng& rng) {
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = float(rng.below(256));
  return m;
}
}  // namespace

TEST_CASE("no dequantization, logit or dynamic binarization means no transform", "[transform]") {
  CHECK(make_pixel_transform({}) == nullptr);
  PixelTransformConfig fixed;
  fixed.binarize = PixelTransformConfig::Binarize::Fixed;  // done at load time
  CHECK(make_pixel_transform(fixed) == nullptr);
}

TEST_CASE("contradictory transform settings are refused", "[transform]") {
  PixelTransformConfig c;
  c.binarize = PixelTransformConfig::Binarize::Dynamic;
  c.dequantize = true;
  CHECK_THROWS_AS(make_pixel_transform(c), ConfigError);
  c.dequantize = false;
  c.logit_lambda = 0.1;
  CHECK_THROWS_AS(make_pixel_transform(c), ConfigError);
  PixelTransformConfig bad_lambda;
  bad_lambda.logit_lambda = 0.5;
  CHECK_THROWS_AS(make_pixel_transform(bad_lambda), ConfigError);
}

TEST_CASE("uniform dequantization puts level v within v/256 and (v+1)/256 with log det -D log 256", "[transform]") {
  PixelTransformConfig c;
  c.dequantize = true;
  const auto t = make_pixel_transform(c);
  REQUIRE(t);
  Rng rng(1), noise(2);
  const Matrix v = levels(50, 7, rng);
  Matrix x = v, log_det;
  t->apply(x, noise, &log_det);
  CHECK(((x.array() >= v.array() / 256.0f) && (x.array() < (v.array() + 1.0f) / 256.0f)).all());
  REQUIRE(log_det.rows() == 50);
  CHECK(log_det.cols() == 1);
  for (Index r = 0; r < 50; ++r) CHECK(log_det(r, 0) == Approx(-7 * std::log(256.0)).epsilon(1e-6));
  // The noise is fresh for another stream and the same for the same one.
  Matrix again = v, other = v;
  Rng same(2), different(3);
  t->apply(again, same, nullptr);
  t->apply(other, different, nullptr);
  CHECK(again == x);
  CHECK(other != x);
}

TEST_CASE("the logit transform's log det matches finite differences, and invert undoes it", "[transform]") {
  for (double lambda : {1e-6, 0.05}) {
    PixelTransformConfig c;
    c.logit_lambda = lambda;
    const auto t = make_pixel_transform(c);
    REQUIRE(t);
    Rng rng(4), unused(5);
    const Matrix v = levels(20, 3, rng);
    Matrix y = v;
    t->apply(y, unused, nullptr);
    // Per coordinate: a single-column batch makes log det that coordinate's log derivative.
    for (float level : {1.0f, 17.0f, 128.0f, 254.0f}) {
      Matrix one = Matrix::Constant(1, 1, level), ld;
      t->apply(one, unused, &ld);
      auto f = [&](double lv) {
        const double s = lambda + (1 - 2 * lambda) * lv / 255.0;
        return std::log(s) - std::log1p(-s);
      };
      const double h = 1e-3;
      INFO("lambda " << lambda << " level " << level);
      CHECK(ld(0, 0) == Approx(std::log((f(level + h) - f(level - h)) / (2 * h))).epsilon(1e-4));
      CHECK(one(0, 0) == Approx(f(level)).epsilon(1e-5));
    }
    Matrix back = y;
    t->invert(back);
    CHECK((back.array() - v.array() / 255.0f).abs().maxCoeff() < 1e-5);
  }
}

TEST_CASE("dynamic binarization is Bernoulli(v / 255), fresh per stream", "[transform]") {
  PixelTransformConfig c;
  c.binarize = PixelTransformConfig::Binarize::Dynamic;
  const auto t = make_pixel_transform(c);
  REQUIRE(t);
  const Matrix v = Matrix::Constant(1, 4000, 51.0f);  // intensity 0.2
  Rng a(6), b(7);
  Matrix x = v, y = v;
  t->apply(x, a, nullptr);
  t->apply(y, b, nullptr);
  CHECK(((x.array() == 0.0f) || (x.array() == 1.0f)).all());
  CHECK(x.mean() == Approx(0.2).margin(0.03));  // 5 standard errors
  CHECK(x != y);
  Matrix edges(1, 2);
  edges << 0.0f, 255.0f;
  t->apply(edges, a, nullptr);
  CHECK(edges(0, 0) == 0.0f);
  CHECK(edges(0, 1) == 1.0f);
}
