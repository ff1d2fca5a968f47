#include "genlab/nn/dropout.hpp"

#include <cmath>
#include <vector>

#include "genlab/error.hpp"

namespace genlab::nn {

template <class T>
ad::Var<T> dropout(ad::Graph<T>& g, const ad::Var<T>& x, double rate, Rng& rng) {
  if (!(rate >= 0.0 && rate < 1.0)) throw ConfigError("dropout: rate " + std::to_string(rate) + " is not in [0, 1)");
  if (rate == 0.0) return x;
  const Index rows = x.value().rows(), cols = x.value().cols(), n = rows * cols;
  // Two 32-bit draws per 64-bit word; entry i keeps when its draw is at least rate * 2^32.
  const auto threshold = static_cast<std::uint64_t>(std::ldexp(rate, 32));
  const T keep = T(1.0 / (1.0 - rate));
  thread_local std::vector<std::uint64_t> words;
  thread_local Tensor<T> mask;
  words.resize(std::size_t((n + 1) / 2));
  rng.fill_u64(words.data(), words.size());
  mask.resize(rows, cols);
  for (Index r = 0; r < rows; ++r)  // row-major order: the mask does not depend on Eigen's storage order
    for (Index c = 0; c < cols; ++c) {
      const Index i = r * cols + c;
      const std::uint64_t w = words[std::size_t(i / 2)];
      const std::uint64_t u = i % 2 == 0 ? (w >> 32) : (w & 0xFFFFFFFFull);
      mask(r, c) = u >= threshold ? keep : T(0);
    }
  return ad::mul(x, g.constant(mask));
}

template ad::Var<float> dropout<float>(ad::Graph<float>&, const ad::Var<float>&, double, Rng&);
template ad::Var<double> dropout<double>(ad::Graph<double>&, const ad::Var<double>&, double, Rng&);

}  // namespace genlab::nn
