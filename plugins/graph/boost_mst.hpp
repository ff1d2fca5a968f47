#pragma once
// Boost.Graph's Kruskal and Prim on an adjacency_list built from the same edges: the reference our
// implementations are verified against and the baseline they are timed against.
#include <memory>

#include "mst.hpp"

namespace genlab::graph {

class BoostGraph {
 public:
  /// Builds the adjacency_list (vecS vertices and out-edges, undirected, double weights): untimed setup.
  explicit BoostGraph(const Graph& g);
  ~BoostGraph();
  BoostGraph(const BoostGraph&) = delete;
  BoostGraph& operator=(const BoostGraph&) = delete;

  /// boost::kruskal_minimum_spanning_tree.
  Forest kruskal() const;
  /// boost::prim_minimum_spanning_tree from vertex 0: spans vertex 0's component only.
  Forest prim() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace genlab::graph
