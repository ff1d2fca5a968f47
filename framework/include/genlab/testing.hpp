#pragma once
// Helpers for a plugin's own tests: build a model the way the trainer does, from just the keys a test
// cares about (the schema fills in the rest), and the small inputs property tests enumerate.
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>

#include "genlab/model.hpp"
#include "genlab/params.hpp"
#include "genlab/schema.hpp"
#include "genlab/value.hpp"

namespace genlab::testing {

/// `given` over the defaults of T::schema(), resolved as a run's config would be (bad keys throw ConfigError).
template <class T>
Params model_params(const std::map<std::string, Value>& given) {
  Value v = Value::map();
  for (const auto& [k, x] : given) v.set(k, x);
  return Params("model", T::schema().resolve(v, "model", {}));
}

/// T(params, setup) for `dim` data columns (and `classes` label classes), initialized from `rng`.
template <class T>
std::unique_ptr<T> make_model(const std::map<std::string, Value>& given, Index dim, Rng& rng, Index classes = 0) {
  return std::make_unique<T>(model_params<T>(given), ModelSetup{dim, &rng, classes});
}

/// A list parameter value: int_list({200, 200}) is [200, 200].
inline Value int_list(std::initializer_list<std::int64_t> xs) {
  Value l = Value::list();
  for (auto x : xs) l.as_list().push_back(Value(x));
  return l;
}

/// Every vector of {0,1}^d, one per row (row r holds the bits of r): for exact sums over binary data.
inline Matrix all_binary(Index d) {
  Matrix x(Index(1) << d, d);
  for (Index r = 0; r < x.rows(); ++r)
    for (Index j = 0; j < d; ++j) x(r, j) = float((r >> j) & 1);
  return x;
}

}  // namespace genlab::testing
