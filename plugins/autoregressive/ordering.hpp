#pragma once
// Orderings of the D dimensions and MADE's hidden degrees; the masks they induce are degree masks
// (ad::Degrees: FVSBN's triangle, MADE's layers and direct connections), never built as arrays. An
// ordering lists dimensions in generation order; position[d] is d's 1-based place in it.
#include <genlab/ad/tensor.hpp>
#include <genlab/rng.hpp>

#include <vector>

namespace genlab::autoregressive {

struct Ordering {
  std::vector<Index> order;     // order[k] = the dimension generated k-th
  std::vector<Index> position;  // position[d] = 1 + index of d in order

  static Ordering natural(Index d);
  static Ordering random(Index d, Rng& rng);
  static Ordering from(std::vector<Index> order);  // throws Error unless a permutation
  Index size() const { return static_cast<Index>(order.size()); }
};

/// MADE degrees of one hidden layer: each unit gets a degree uniform in [lo, D - 1], lo = the smallest
/// degree of the layer below (so no unit is left without inputs).
std::vector<Index> hidden_degrees(Index units, Index lo, Index d, Rng& rng);

}  // namespace genlab::autoregressive
