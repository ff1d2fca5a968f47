#include "genlab/error.hpp"

#include <cstdio>
#include <cstdlib>

#include "genlab/algorithm.hpp"
#include "genlab/model.hpp"
#include "genlab/registrar.hpp"
#include "genlab/run_context.hpp"

namespace genlab {

// Out-of-line destructors anchor the vtables and type_info in libgenlab (one copy for all plugins).
Error::~Error() = default;
ConfigError::~ConfigError() = default;
PluginError::~PluginError() = default;
NumericalError::~NumericalError() = default;
ShapeError::~ShapeError() = default;
NotSupported::~NotSupported() = default;
IoError::~IoError() = default;
Cancelled::~Cancelled() = default;
RunContext::~RunContext() = default;
Algorithm::~Algorithm() = default;
Registrar::~Registrar() = default;
Model::~Model() = default;

ad::Var<float> Model::log_prob(ad::Graph<float>&, const Matrix&) {
  throw NotSupported("this model does not offer an exact log-likelihood");
}

Matrix Model::sample(Index, Rng&) {
  throw NotSupported("this model cannot sample");
}

Matrix Model::inpaint(const Matrix&, const Matrix&, Rng&) {
  throw NotSupported("this model cannot inpaint");
}

Matrix Model::log_likelihood_estimate(const std::string& name, const Matrix&, Rng&) const {
  throw NotSupported("this model offers no log-likelihood estimate '" + name + "'");
}

Matrix Model::class_probabilities(const Matrix&) const {
  throw NotSupported("this model cannot classify");
}

std::vector<Figure> Model::figures(const Matrix&, Rng&) const { return {}; }
std::vector<std::pair<std::string, double>> Model::test_metrics(const Matrix&, Rng&) const { return {}; }

void assert_fail(const char* cond, const char* msg, const char* file, int line) {
  std::fprintf(stderr, "genlab: internal error at %s:%d: %s (%s)\n", file, line, msg, cond);
  std::abort();
}

const char* component_kind_name(ComponentKind k) {
  switch (k) {
    case ComponentKind::Algorithm:
      return "algorithm";
    case ComponentKind::Model:
      return "model";
    case ComponentKind::Dataset:
      return "dataset";
  }
  return "?";
}

}  // namespace genlab
