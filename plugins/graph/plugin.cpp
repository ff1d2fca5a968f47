// The `graph` plugin: minimum spanning forests by Kruskal, filter-Kruskal, two Prims and a parallel
// Borůvka, verified against and timed with Boost.Graph.
#include <genlab/plugin.hpp>

#include "mst_benchmark.hpp"

namespace {
void register_graph(genlab::Registrar& r) {
  r.add_algorithm<genlab::graph::MstBenchmark>(
      "mst", "minimum spanning forest: ours (Kruskal, filter-Kruskal, Prim lazy/indexed, Borůvka and filter-Borůvka on oneTBB) vs Boost.Graph",
      genlab::graph::MstBenchmark::schema());
}
}  // namespace

GENLAB_PLUGIN(graph, "0.1.0", register_graph)
