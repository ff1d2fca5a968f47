#pragma once
#include <genlab/registrar.hpp>

namespace genlab::classifiers {

/// Registers the `halfplane` dataset: 2D points labelled by the side of a line at distance `offset` from
/// the origin (a margin kept empty), the case a bias-free linear classifier cannot solve when offset > 0.
void register_halfplane(Registrar& r);

}  // namespace genlab::classifiers
