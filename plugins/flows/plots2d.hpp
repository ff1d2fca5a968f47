#pragma once
// Pictures of 2D models on the square [-4, 4]^2 where the toy densities live: a density heat-map and a
// sample scatter (a 2D histogram), each one grey image scaled to its maximum.
#include <functional>

#include <genlab/model.hpp>

namespace genlab::flows {

/// log p on a side x side grid over [-4, 4]^2, drawn as exp(log p - max).
Figure density_figure(const std::function<Matrix(const Matrix& points)>& log_density, Index side = 128);

/// The rows of `samples` (2 columns) counted into side x side cells over [-4, 4]^2.
Figure scatter_figure(const Matrix& samples, Index side = 128);

}  // namespace genlab::flows
