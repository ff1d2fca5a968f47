#include "ordering.hpp"

#include <genlab/error.hpp>

#include <algorithm>
#include <numeric>

namespace genlab::autoregressive {

Ordering Ordering::from(std::vector<Index> order) {
  Ordering o;
  o.position.assign(order.size(), 0);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const Index d = order[k];
    if (d < 0 || d >= Index(order.size()) || o.position[std::size_t(d)] != 0)
      throw Error("ordering: not a permutation of 0.." + std::to_string(order.size() - 1));
    o.position[std::size_t(d)] = Index(k) + 1;
  }
  o.order = std::move(order);
  return o;
}

Ordering Ordering::natural(Index d) {
  std::vector<Index> order(static_cast<std::size_t>(d));
  std::iota(order.begin(), order.end(), Index{0});
  return from(std::move(order));
}

Ordering Ordering::random(Index d, Rng& rng) {
  std::vector<Index> order(static_cast<std::size_t>(d));
  std::iota(order.begin(), order.end(), Index{0});
  for (Index i = d - 1; i > 0; --i) std::swap(order[std::size_t(i)], order[rng.below(std::uint64_t(i) + 1)]);
  return from(std::move(order));
}

Matrix strictly_earlier_mask(const Ordering& o) {
  const Index d = o.size();
  Matrix m(d, d);
  for (Index j = 0; j < d; ++j)
    for (Index i = 0; i < d; ++i) m(j, i) = o.position[std::size_t(j)] < o.position[std::size_t(i)] ? 1.0f : 0.0f;
  return m;
}

std::vector<Index> hidden_degrees(Index units, Index lo, Index d, Rng& rng) {
  std::vector<Index> deg(static_cast<std::size_t>(units));
  const Index hi = std::max<Index>(lo, d - 1);
  for (Index& k : deg) k = lo + Index(rng.below(std::uint64_t(hi - lo + 1)));
  return deg;
}

void hidden_mask(const std::vector<Index>& below, const std::vector<Index>& above, Matrix& mask) {
  mask.resize(Index(below.size()), Index(above.size()));
  for (std::size_t j = 0; j < below.size(); ++j)
    for (std::size_t k = 0; k < above.size(); ++k) mask(Index(j), Index(k)) = above[k] >= below[j] ? 1.0f : 0.0f;
}

void output_mask(const std::vector<Index>& below, const Ordering& o, Matrix& mask) {
  mask.resize(Index(below.size()), o.size());
  for (std::size_t k = 0; k < below.size(); ++k)
    for (Index i = 0; i < o.size(); ++i) mask(Index(k), i) = o.position[std::size_t(i)] > below[k] ? 1.0f : 0.0f;
}

}  // namespace genlab::autoregressive
