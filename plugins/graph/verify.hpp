#pragma once
// Checks that a forest is a spanning forest of a graph and compares forests, for the benchmark and tests.
#include <string>

#include "mst.hpp"

namespace genlab::graph {

/// The graph's edges normalized (u <= v) and sorted, for membership queries.
class EdgeIndex {
 public:
  explicit EdgeIndex(const Graph& g);
  bool contains(const Edge& e) const;

 private:
  std::vector<Edge> sorted_;
};

/// "" when `f` is a spanning forest of `g` (every edge an edge of g, no cycle, n - components edges);
/// otherwise what is wrong.
std::string forest_problem(const Graph& g, const EdgeIndex& index, const Forest& f, std::int64_t components);
/// Same edges, as undirected (u, v, w) multisets.
bool same_edge_set(const Forest& a, const Forest& b);
/// No two edges share a weight (then the minimum spanning forest is unique).
bool distinct_weights(const Graph& g);

}  // namespace genlab::graph
