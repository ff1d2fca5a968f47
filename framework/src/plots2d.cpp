#include "genlab/plots2d.hpp"

#include <cmath>

namespace genlab {
namespace {

constexpr float kHalfWidth = 4.0f;

Figure one_image(const char* name, const Matrix& img, Index side) {
  Figure f{name, Matrix(1, side * side), 1};
  f.images.row(0) = Eigen::Map<const Matrix>(img.data(), 1, side * side);
  return f;
}

}  // namespace

Figure density_figure(const std::function<Matrix(const Matrix& points)>& log_density, Index side) {
  Matrix grid(side * side, 2);
  for (Index i = 0; i < side; ++i)
    for (Index j = 0; j < side; ++j) {  // row i is y from the top, column j is x from the left
      grid(i * side + j, 0) = -kHalfWidth + 2 * kHalfWidth * (float(j) + 0.5f) / float(side);
      grid(i * side + j, 1) = kHalfWidth - 2 * kHalfWidth * (float(i) + 0.5f) / float(side);
    }
  const Matrix lp = log_density(grid);
  const Matrix img = (lp.array() - lp.maxCoeff()).exp().matrix();
  return one_image("density", img, side);
}

Figure scatter_figure(const Matrix& samples, Index side) {
  Matrix counts = Matrix::Zero(side * side, 1);
  for (Index r = 0; r < samples.rows(); ++r) {
    const float x = samples(r, 0), y = samples(r, 1);
    if (!(std::abs(x) < kHalfWidth && std::abs(y) < kHalfWidth)) continue;
    const auto j = Index((x + kHalfWidth) / (2 * kHalfWidth) * float(side));
    const auto i = Index((kHalfWidth - y) / (2 * kHalfWidth) * float(side));
    if (i >= 0 && i < side && j >= 0 && j < side) counts(i * side + j, 0) += 1;
  }
  if (counts.maxCoeff() > 0) counts /= counts.maxCoeff();
  return one_image("samples", counts, side);
}

}  // namespace genlab
