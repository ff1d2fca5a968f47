#include "traversal_benchmark.hpp"

#include <chrono>
#include <limits>

#include <genlab/error.hpp>

#include "traversal.hpp"

namespace genlab::trees {

Schema TraversalBenchmark::schema() {
  return Schema()
      .choice("shape", "random_bst", {"balanced", "random_bst", "chain_left", "chain_right", "level_order"},
              "the tree: complete, a random binary search tree, a degenerate chain, or `level_order` as given")
      .integer("n", 100000, {.min = 0, .max = 100000000}, "nodes (generated shapes)")
      .string("level_order", "[]", "the tree in LeetCode's level-order form, e.g. [1,null,2,3] (shape: level_order)")
      .choice("orders", "all", {"all", "pre", "in", "post", "level"}, "traversal orders to run")
      .choice("methods", "all", {"all", "recursive", "iterative", "colour", "morris"}, "methods to run")
      .integer("max_recursion_depth", 2000, {.min = 1, .max = 10000000},
               "the recursive method refuses deeper trees: a run's worker thread has a few MB of stack, and a "
               "frame is about 400 bytes here (more under sanitizers)")
      .integer("repeats", 3, {.min = 1, .max = 1000}, "timed repetitions per variant (the best is reported)");
}

TraversalBenchmark::TraversalBenchmark(const Params& p)
    : shape_(p.get_string("shape")),
      level_order_(p.get_string("level_order")),
      orders_(p.get_string("orders")),
      methods_(p.get_string("methods")),
      n_(p.get_int("n")),
      max_depth_(p.get_int("max_recursion_depth")),
      repeats_(p.get_int("repeats")) {}

void TraversalBenchmark::run(RunContext& ctx) {
  Rng rng = ctx.rng("tree");
  Tree t = shape_ == "balanced"      ? balanced(n_)
           : shape_ == "random_bst"  ? random_bst(n_, rng)
           : shape_ == "chain_left"  ? chain(n_, true)
           : shape_ == "chain_right" ? chain(n_, false)
                                     : from_level_order(level_order_);
  const std::int64_t nodes = t.size(), height = t.height();
  ctx.set_final("nodes", double(nodes));
  ctx.set_final("height", double(height));
  const Tree original = t;
  std::int64_t variants = 0, refused = 0;
  for (Order o : {Order::Pre, Order::In, Order::Post, Order::Level}) {
    if (orders_ != "all" && order_from_name(orders_) != o) continue;
    const std::vector<std::int64_t> reference = traverse(t, o, Method::Iterative, max_depth_);
    if (std::int64_t(reference.size()) != nodes)
      throw Error(std::string(name_of(o)) + "-order: the iterative traversal visited " +
                  std::to_string(reference.size()) + " of " + std::to_string(nodes) + " nodes");
    for (Method m : {Method::Recursive, Method::Iterative, Method::Colour, Method::Morris}) {
      if ((methods_ != "all" && method_from_name(methods_) != m) || !supported(o, m)) continue;
      const std::string key = std::string(name_of(o)) + "_" + name_of(m);
      if (m == Method::Recursive && height > max_depth_) {
        // Refused up front (the traversal would throw at the same depth): logged, not a failure.
        ctx.note(key + ": refused, height " + std::to_string(height) + " > max_recursion_depth " +
                 std::to_string(max_depth_));
        ctx.set_final(key + "_refused", 1.0);
        ++refused;
        continue;
      }
      double best = std::numeric_limits<double>::infinity();
      TraversalStats st;
      for (std::int64_t r = 0; r < repeats_; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        const std::vector<std::int64_t> got = traverse(t, o, m, max_depth_, &st);
        best = std::min(best, std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count());
        if (got != reference) {
          std::size_t k = 0;
          while (k < got.size() && k < reference.size() && got[k] == reference[k]) ++k;
          throw Error(key + ": differs from the iterative traversal at position " + std::to_string(k) + " (" +
                      std::to_string(got.size()) + " values, expected " + std::to_string(reference.size()) + ")");
        }
        if (m == Method::Morris && (t.left != original.left || t.right != original.right))
          throw Error(key + ": the tree was not restored after the traversal");
        ctx.check_stop();
      }
      ctx.set_final(key + "_ns_per_node", nodes ? best / double(nodes) : 0.0);
      ctx.set_final(key + "_peak_entries", double(st.peak_entries));
      ctx.set_final(key + "_peak_bytes", double(st.peak_entries * st.bytes_per_entry));
      ++variants;
    }
  }
  ctx.set_final("variants_agreeing", double(variants));
  ctx.set_final("variants_refused", double(refused));
  ctx.set_final("correct", 1.0);
}

}  // namespace genlab::trees
