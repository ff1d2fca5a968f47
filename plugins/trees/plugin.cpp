// The `trees` plugin: binary-tree traversals (pre, in, post, level order) by recursion, explicit stack,
// colour marking and Morris threading, cross-checked and timed.
#include <genlab/plugin.hpp>

#include "traversal_benchmark.hpp"

namespace {
void register_trees(genlab::Registrar& r) {
  r.add_algorithm<genlab::trees::TraversalBenchmark>(
      "tree_traversal", "binary-tree traversals in every order by four methods, verified against each other, timed",
      genlab::trees::TraversalBenchmark::schema());
}
}  // namespace

GENLAB_PLUGIN(trees, "0.1.0", register_trees)
