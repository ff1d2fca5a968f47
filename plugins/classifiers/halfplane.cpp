#include "halfplane.hpp"

#include <cmath>

#include <genlab/error.hpp>
#include <genlab/model.hpp>

namespace genlab::classifiers {
namespace {

// Points uniform in the square of half-width `spread` centred on the line's closest point to the origin;
// label 1 on the side the normal points to; points closer than `margin` to the line are drawn again.
void draw(Index n, double nx, double ny, double offset, double margin, double spread, Rng& rng, Matrix& x, Matrix& y) {
  x.resize(n, 2);
  y.resize(n, 1);
  for (Index i = 0; i < n; ++i) {
    double px = 0, py = 0, d = 0;
    do {
      px = offset * nx + spread * rng.uniform(-1, 1);
      py = offset * ny + spread * rng.uniform(-1, 1);
      d = px * nx + py * ny - offset;
    } while (std::abs(d) < margin);
    x(i, 0) = float(px);
    x(i, 1) = float(py);
    y(i, 0) = d > 0 ? 1.0f : 0.0f;
  }
}

}  // namespace

void register_halfplane(Registrar& r) {
  const Schema schema = Schema()
                            .integer("n_train", 1000, {.min = 1, .max = 1e8}, "training points")
                            .integer("n_valid", 500, {.min = 1, .max = 1e8}, "validation points")
                            .integer("n_test", 2000, {.min = 1, .max = 1e8}, "test points")
                            .real("offset", 2.0, {.min = 0, .max = 1e6}, "distance of the line from the origin")
                            .real("angle", 45.0, {.min = -360, .max = 360}, "direction of the line's normal, degrees")
                            .real("margin", 0.1, {.min = 0, .max = 1e6}, "half-width of the empty band around the line")
                            .real("spread", 2.0, {.min = 1e-6, .max = 1e6}, "half-width of the square the points fill");
  r.add_dataset("halfplane", "2D points labelled by the side of a line that misses the origin (binary)", schema,
                [](const Params& p, Rng& rng) {
                  const double a = p.get_float("angle") * M_PI / 180.0, offset = p.get_float("offset");
                  const double margin = p.get_float("margin"), spread = p.get_float("spread");
                  if (margin >= spread) throw ConfigError("halfplane: margin must be smaller than spread");
                  DataSplits d;
                  const double nx = std::cos(a), ny = std::sin(a);
                  draw(p.get_int("n_train"), nx, ny, offset, margin, spread, rng, d.train, d.train_labels);
                  draw(p.get_int("n_valid"), nx, ny, offset, margin, spread, rng, d.valid, d.valid_labels);
                  draw(p.get_int("n_test"), nx, ny, offset, margin, spread, rng, d.test, d.test_labels);
                  d.classes = 2;
                  d.description = "halfplane: line at distance " + std::to_string(offset) + ", margin " +
                                  std::to_string(margin);
                  return d;
                });
}

}  // namespace genlab::classifiers
