#pragma once
// Components that ship inside libgenlab (datasets whose loaders live in the framework).
#include "genlab/registrar.hpp"

namespace genlab {
void register_toy_datasets(Registrar& r);
void register_mnist(Registrar& r);
}  // namespace genlab
