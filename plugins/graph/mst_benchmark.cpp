#include "mst_benchmark.hpp"

#include <chrono>
#include <functional>
#include <limits>

#include <genlab/error.hpp>

#include "boost_mst.hpp"
#include "verify.hpp"

namespace genlab::graph {
namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// Best wall time of `repeats` calls; the last result is kept in `out`.
double best_of(std::int64_t repeats, RunContext& ctx, const std::function<Forest()>& f, Forest& out) {
  double best = std::numeric_limits<double>::infinity();
  for (std::int64_t r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    out = f();
    best = std::min(best, ms_since(t0));
    ctx.check_stop();
  }
  return best;
}

}  // namespace

Schema MstBenchmark::schema() {
  return Schema()
      .choice("input", "gnm", {"gnm", "grid", "geometric", "file"},
              "random G(n, m) multigraph, 4-neighbour grid, random geometric graph, or an edge-list file")
      .integer("n", 100000, {.min = 0, .max = 4294967294.0}, "vertices (generated inputs)")
      .integer("m", 1000000, {.min = 0, .max = 4294967295.0}, "edges (gnm exactly, geometric about)")
      .integer("weight_levels", 0, {.min = 0, .max = 1e9},
               "0: weights uniform in [0, 1) (geometric: lengths); k > 0: integers 1..k, so ties are common")
      .string("path", "", "input: file: a .gr DIMACS file or a plain 'u v w' edge list")
      .choice("implementations", "all", {"all", "kruskal", "filter_kruskal", "prim_lazy", "prim_indexed", "boruvka", "filter_boruvka"},
              "our implementations to run (Boost.Graph's Kruskal always runs: it is the reference)")
      .int_list("threads", std::vector<std::int64_t>{1, 2}, {.min = 1, .max = 1024},
                "the parallel implementations (Borůvka, filter-Borůvka) run once per thread count listed")
      .integer("repeats", 3, {.min = 1, .max = 1000}, "timed repetitions per implementation (the best is reported)");
}

MstBenchmark::MstBenchmark(const Params& p)
    : input_(p.get_string("input")),
      path_(p.get_string("path")),
      implementations_(p.get_string("implementations")),
      n_(p.get_int("n")),
      m_(p.get_int("m")),
      weight_levels_(p.get_int("weight_levels")),
      repeats_(p.get_int("repeats")),
      threads_(p.get_int_list("threads")) {
  if (input_ == "file" && path_.empty()) throw ConfigError("algorithm.path: required when input is 'file'");
}

void MstBenchmark::run(RunContext& ctx) {
  Rng rng = ctx.rng("graph");
  const WeightSpec ws{weight_levels_};
  auto t0 = std::chrono::steady_clock::now();
  const Graph g = input_ == "gnm"         ? gnm(n_, m_, ws, rng)
                  : input_ == "grid"      ? grid(n_, ws, rng)
                  : input_ == "geometric" ? geometric(n_, m_, ws, rng)
                                          : read_graph_file(path_);
  if (g.edges.size() > std::numeric_limits<std::uint32_t>::max())
    throw Error("graph: more than 2^32-1 edges are not supported");
  ctx.set_final("input_ms", ms_since(t0));
  const std::int64_t components = count_components(g);
  const bool distinct = distinct_weights(g);
  ctx.set_final("vertices", double(g.n));
  ctx.set_final("edges", double(g.edges.size()));
  ctx.set_final("components", double(components));
  ctx.set_final("distinct_weights", distinct ? 1.0 : 0.0);
  const EdgeIndex index(g);
  double reference_total = 0;  // Boost Kruskal's, set once it has run
  auto verify = [&](const std::string& who, const Forest& f, const Forest& reference) {
    const std::string problem = forest_problem(g, index, f, components);
    if (!problem.empty()) throw Error(who + ": not a spanning forest: " + problem);
    if (const double total = canonical_total(f); total != reference_total)
      throw Error(who + ": total weight " + std::to_string(total) + " differs from Boost.Graph Kruskal's " +
                  std::to_string(reference_total));
    if (distinct && !same_edge_set(f, reference))
      throw Error(who + ": the weights are distinct but the edge set differs from Boost.Graph Kruskal's");
  };

  t0 = std::chrono::steady_clock::now();
  Forest reference;
  double boost_kruskal_ms = 0;
  {
    const BoostGraph bg(g);
    ctx.set_final("boost_build_ms", ms_since(t0));
    boost_kruskal_ms = best_of(repeats_, ctx, [&] { return bg.kruskal(); }, reference);
    const std::string problem = forest_problem(g, index, reference, components);
    if (!problem.empty()) throw Error("Boost.Graph Kruskal: not a spanning forest: " + problem);
    reference_total = canonical_total(reference);
    ctx.set_final("boost_kruskal_ms", boost_kruskal_ms);
    if (components == 1) {
      Forest f;
      ctx.set_final("boost_prim_ms", best_of(repeats_, ctx, [&] { return bg.prim(); }, f));
      verify("Boost.Graph Prim", f, reference);
    } else {
      ctx.note("Boost.Graph Prim skipped: it spans only its root's component and the graph has " +
               std::to_string(components) + " components");
    }
  }
  ctx.set_final("total_weight", reference_total);
  ctx.set_progress(0.2);

  t0 = std::chrono::steady_clock::now();
  const Csr csr = build_csr(g);
  ctx.set_final("csr_build_ms", ms_since(t0));

  double best_single = std::numeric_limits<double>::infinity();
  auto time_ours = [&](const std::string& key, const std::function<Forest()>& f, bool single_threaded) {
    Forest got;
    const double ms = best_of(repeats_, ctx, f, got);
    verify(key, got, reference);
    ctx.set_final(key + "_ms", ms);
    ctx.set_final(key + "_speedup_vs_boost_kruskal", boost_kruskal_ms / ms);
    if (single_threaded) best_single = std::min(best_single, ms);
  };
  auto wanted = [&](const char* name) { return implementations_ == "all" || implementations_ == name; };
  if (wanted("kruskal")) time_ours("kruskal", [&] { return kruskal(g); }, true);
  if (wanted("filter_kruskal")) time_ours("filter_kruskal", [&] { return filter_kruskal(g, rng.next_u64()); }, true);
  if (wanted("prim_lazy")) time_ours("prim_lazy", [&] { return prim_lazy(g, csr); }, true);
  if (wanted("prim_indexed")) time_ours("prim_indexed", [&] { return prim_indexed(g, csr); }, true);
  for (std::int64_t t : threads_) {
    const std::string suffix = "_" + std::to_string(t) + "t";
    if (wanted("boruvka")) time_ours("boruvka" + suffix, [&] { return boruvka(g, int(t)); }, t == 1);
    if (wanted("filter_boruvka"))
      time_ours("filter_boruvka" + suffix, [&] { return filter_boruvka(g, int(t), rng.next_u64()); }, t == 1);
  }
  if (best_single < std::numeric_limits<double>::infinity())
    ctx.set_final("best_single_thread_speedup_vs_boost_kruskal", boost_kruskal_ms / best_single);
  ctx.set_final("correct", 1.0);
}

}  // namespace genlab::graph
