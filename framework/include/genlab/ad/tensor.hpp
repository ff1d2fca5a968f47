#pragma once
// Tensors are dense row-major Eigen matrices, batch x features. float for training, double for gradient
// checks and tiny-dimension property tests; the same op code serves both (templates instantiated for each).
#include <Eigen/Core>

namespace genlab {

template <class T>
using Tensor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Matrix = Tensor<float>;
using MatrixD = Tensor<double>;
using Index = Eigen::Index;

}  // namespace genlab
