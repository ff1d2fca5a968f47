#pragma once
// Minimum spanning forest implementations. Each returns the forest's edges as (u, v, w) copies of input
// edges; on a disconnected graph, a minimum spanning tree of every component.
#include <vector>

#include "graph.hpp"

namespace genlab::graph {

using Forest = std::vector<Edge>;

/// Compressed adjacency (both directions of every edge), what the Prim variants walk.
struct Csr {
  std::vector<std::uint64_t> offsets;  ///< n + 1
  struct Arc {
    Vertex to;
    double w;
  };
  std::vector<Arc> arcs;  ///< 2m
};
Csr build_csr(const Graph& g);

/// Sort all edges by weight, then add each that joins two trees (union-find).
Forest kruskal(const Graph& g);
/// Filter-Kruskal (Osipov, Sanders and Singler 2009): quicksort-like partition around a pivot weight,
/// solve the light half first, then drop heavy edges whose ends are already joined before recursing, so
/// most heavy edges are never sorted.
Forest filter_kruskal(const Graph& g, std::uint64_t pivot_seed);
/// Prim with a binary heap of candidate edges, stale entries skipped when popped ("lazy"); O(m log m).
Forest prim_lazy(const Graph& g, const Csr& csr);
/// Prim with an indexed binary heap of vertices and decrease-key ("eager"); O(m log n), heap size <= n.
Forest prim_indexed(const Graph& g, const Csr& csr);
/// Borůvka on oneTBB with `threads` workers: every component picks its lightest edge (ties broken by edge
/// position, so no cycles), components merge, edges inside a component are dropped; O(log n) rounds.
Forest boruvka(const Graph& g, int threads);
/// Borůvka behind a filter, in the spirit of filter-Kruskal: contract the components of the lightest ~2k
/// edges (k = components left), drop the heavier edges that now lie inside one component, repeat. Every
/// step is parallel; Borůvka only ever sees a small slice of the edges.
Forest filter_boruvka(const Graph& g, int threads, std::uint64_t pivot_seed);

/// The forest's total weight summed in ascending order: every minimum spanning forest of a graph has the
/// same sorted weight list, so the sums of two correct forests agree to the last bit.
double canonical_total(const Forest& f);

}  // namespace genlab::graph
