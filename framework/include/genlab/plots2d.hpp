#pragma once
// Pictures of 2D models on the square [-4, 4]^2 where the toy densities live: a density heat-map and a
// sample scatter (a 2D histogram), each one grey image scaled to its maximum. Used by 2D models' figures and by
// `genlab sample` on 2D data.
#include <functional>

#include "genlab/export.hpp"
#include "genlab/model.hpp"

namespace genlab {

/// log p on a side x side grid over [-4, 4]^2, drawn as exp(log p - max).
GENLAB_EXPORT Figure density_figure(const std::function<Matrix(const Matrix& points)>& log_density, Index side = 128);

/// The rows of `samples` (2 columns) counted into side x side cells over [-4, 4]^2.
GENLAB_EXPORT Figure scatter_figure(const Matrix& samples, Index side = 128);

}  // namespace genlab
