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

std::vector<Index> hidden_degrees(Index units, Index lo, Index d, Rng& rng) {
  std::vector<Index> deg(static_cast<std::size_t>(units));
  const Index hi = std::max<Index>(lo, d - 1);
  for (Index& k : deg) k = lo + Index(rng.below(std::uint64_t(hi - lo + 1)));
  return deg;
}

}  // namespace genlab::autoregressive
