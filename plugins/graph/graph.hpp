#pragma once
// An undirected weighted graph as a flat edge list, the input every MST implementation starts from, plus
// the generators (G(n, m), grid, random geometric) and the file readers ("u v w" text, DIMACS .gr).
#include <cstdint>
#include <string>
#include <vector>

#include <genlab/rng.hpp>

namespace genlab::graph {

using Vertex = std::uint32_t;

struct Edge {
  Vertex u = 0, v = 0;
  double w = 0.0;
};

struct Graph {
  std::int64_t n = 0;  ///< vertices 0..n-1
  std::vector<Edge> edges;
};

/// How generated weights are drawn: continuous uniform in [0, 1) (distinct with probability ~1), or
/// integers 1..levels (levels > 0), which makes ties common.
struct WeightSpec {
  std::int64_t levels = 0;
  double draw(Rng& rng) const { return levels > 0 ? double(1 + rng.below(std::uint64_t(levels))) : rng.uniform(); }
};

/// m edges with endpoints uniform over distinct pairs. Parallel edges are kept (a multigraph): at
/// m = 10^7, n = 10^6 about a hundred repeat, and every MST implementation must cope with them anyway.
Graph gnm(std::int64_t n, std::int64_t m, const WeightSpec& ws, Rng& rng);
/// A 4-neighbour grid of n vertices in rows of width round(sqrt(n)) (the last row may be partial).
Graph grid(std::int64_t n, const WeightSpec& ws, Rng& rng);
/// n points uniform in the unit square, joined when closer than r, with r chosen so that the expected
/// edge count is about m; weights are the Euclidean distances (or drawn levels when levels > 0).
Graph geometric(std::int64_t n, std::int64_t m, const WeightSpec& ws, Rng& rng);

/// Plain text: lines "u v w" with 0-based vertices; '#' starts a comment. An optional first line "n m"
/// declares the vertex and edge counts, which are then checked (out-of-range vertices, a truncated file).
/// Without it n = largest vertex + 1. Errors name the file and line.
Graph read_edge_list(const std::string& path);
/// DIMACS shortest-path format: "c" comments, one "p sp n m" line, arcs "a u v w" with 1-based vertices.
/// Each arc becomes an undirected edge (files that list both directions give parallel edges).
Graph read_dimacs(const std::string& path);
/// By extension: .gr -> DIMACS, anything else -> plain text.
Graph read_graph_file(const std::string& path);

/// Number of connected components (union-find over the edges).
std::int64_t count_components(const Graph& g);

}  // namespace genlab::graph
