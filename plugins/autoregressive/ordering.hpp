#pragma once
// Orderings of the D dimensions and the connectivity masks they induce (FVSBN's triangular map, MADE's
// degree masks). An ordering lists dimensions in generation order; position[d] is d's 1-based place in it.
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

/// in x out mask for a map from dimensions to dimensions where output i may see input j only if j comes
/// strictly before i: mask(j, i) = position[j] < position[i]. FVSBN's weights, MADE's direct connections.
Matrix strictly_earlier_mask(const Ordering& o);

/// MADE degrees of one hidden layer: each unit gets a degree uniform in [lo, D - 1], lo = the smallest
/// degree of the layer below (so no unit is left without inputs).
std::vector<Index> hidden_degrees(Index units, Index lo, Index d, Rng& rng);

/// MADE masks from degrees: hidden (unit k of the layer above sees unit j below if deg_above[k] >= deg_below[j]),
/// output (dimension i sees unit k if position[i] > deg[k]). Written into `mask` (below x above).
void hidden_mask(const std::vector<Index>& below, const std::vector<Index>& above, Matrix& mask);
void output_mask(const std::vector<Index>& below, const Ordering& o, Matrix& mask);

}  // namespace genlab::autoregressive
