// The 2D toy densities of the flow literature, generated in code from the run's data stream: two moons,
// 8 gaussians, checkerboard, rings, pinwheel, swiss roll. Each draws n_train + n_valid + n_test points
// in that order, so the splits are disjoint and reproducible per run.
#include <cmath>
#include <functional>

#include "builtin.hpp"

namespace genlab {
namespace {

using Point = std::pair<double, double>;
using Sampler = std::function<Point(Rng&, double noise)>;
constexpr double kPi = 3.14159265358979323846;

Point two_moons(Rng& r, double noise) {
  const double t = kPi * r.uniform();
  Point p = r.uniform() < 0.5 ? Point{std::cos(t), std::sin(t)} : Point{1 - std::cos(t), 0.5 - std::sin(t)};
  // Centred and scaled to about [-2, 2]^2.
  return {2 * (p.first - 0.5) + noise * r.normal(), 2 * (p.second - 0.25) + noise * r.normal()};
}

Point eight_gaussians(Rng& r, double noise) {
  const double a = 2 * kPi * static_cast<double>(r.below(8)) / 8;
  return {2 * std::cos(a) + noise * r.normal(), 2 * std::sin(a) + noise * r.normal()};
}

Point checkerboard(Rng& r, double) {
  // The 8 dark cells of a 4x4 board on [-2, 2]^2, uniform within each.
  const auto cell = r.below(8);
  const double row = static_cast<double>(cell / 2);
  const double col = static_cast<double>(2 * (cell % 2)) + static_cast<double>(cell / 2 % 2);
  return {col - 2 + r.uniform(), row - 2 + r.uniform()};
}

Point rings(Rng& r, double noise) {
  const double radius = 0.5 * static_cast<double>(1 + r.below(4));
  const double a = 2 * kPi * r.uniform();
  return {radius * std::cos(a) + noise * r.normal(), radius * std::sin(a) + noise * r.normal()};
}

Point pinwheel(Rng& r, double noise) {
  // 5 arms: a radial coordinate around 1, a narrow tangential one, rotated more the further out.
  const double arm = 2 * kPi * static_cast<double>(r.below(5)) / 5;
  const double radial = 1 + 0.3 * r.normal(), tangential = noise * r.normal();
  const double a = arm + 0.25 * std::exp(radial);
  return {2 * (radial * std::cos(a) - tangential * std::sin(a)), 2 * (radial * std::sin(a) + tangential * std::cos(a))};
}

Point swiss_roll(Rng& r, double noise) {
  const double t = 1.5 * kPi * (1 + 2 * r.uniform());
  return {t * std::cos(t) / 5 + noise * r.normal(), t * std::sin(t) / 5 + noise * r.normal()};
}

Matrix draw(Index n, Rng& rng, double noise, const Sampler& f) {
  Matrix m(n, 2);
  for (Index i = 0; i < n; ++i) {
    const Point p = f(rng, noise);
    m(i, 0) = static_cast<float>(p.first);
    m(i, 1) = static_cast<float>(p.second);
  }
  return m;
}

Schema toy_schema(double default_noise) {
  return Schema()
      .integer("n_train", 20000, {.min = 1, .max = 1e8}, "training points")
      .integer("n_valid", 5000, {.min = 1, .max = 1e8}, "validation points")
      .integer("n_test", 5000, {.min = 1, .max = 1e8}, "test points")
      .real("noise", default_noise, {.min = 0, .max = 10},
            "standard deviation of the Gaussian noise added (unused by checkerboard)");
}

}  // namespace

void register_toy_datasets(Registrar& r) {
  const struct {
    const char* name;
    const char* summary;
    double noise;
    Point (*sample)(Rng&, double);
  } toys[] = {
      {"two_moons", "2D: two interleaved half circles", 0.1, two_moons},
      {"eight_gaussians", "2D: 8 Gaussians on a circle of radius 2", 0.1, eight_gaussians},
      {"checkerboard", "2D: uniform on the 8 dark cells of a 4x4 board", 0.0, checkerboard},
      {"rings", "2D: 4 concentric circles", 0.05, rings},
      {"pinwheel", "2D: 5 curved arms", 0.05, pinwheel},
      {"swiss_roll", "2D: a spiral", 0.1, swiss_roll},
  };
  for (const auto& t : toys) {
    const auto sample = t.sample;
    const std::string name = t.name;
    r.add_dataset(name, t.summary, toy_schema(t.noise), [sample, name](const Params& p, Rng& rng) {
      DataSplits d;
      const double noise = p.get_float("noise");
      d.train = draw(p.get_int("n_train"), rng, noise, sample);
      d.valid = draw(p.get_int("n_valid"), rng, noise, sample);
      d.test = draw(p.get_int("n_test"), rng, noise, sample);
      d.description = name + ": " + std::to_string(d.train.rows()) + "/" + std::to_string(d.valid.rows()) + "/" +
                      std::to_string(d.test.rows()) + " points generated";
      return d;
    });
  }
}

}  // namespace genlab
