// MST: a hand-checked graph, every implementation against Boost.Graph on many random graphs (ties,
// parallel edges, disconnected ones), Borůvka's answer independent of its thread count, the generators'
// shapes, and the file readers' errors naming file and line.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "genlab/error.hpp"
#include "../boost_mst.hpp"
#include "../mst.hpp"
#include "../verify.hpp"

using namespace genlab;
using namespace genlab::graph;

namespace {

struct Named {
  const char* name;
  Forest forest;
};

std::vector<Named> all_forests(const Graph& g) {
  const Csr csr = build_csr(g);
  return {{"kruskal", kruskal(g)},         {"filter_kruskal", filter_kruskal(g, 7)}, {"prim_lazy", prim_lazy(g, csr)},
          {"prim_indexed", prim_indexed(g, csr)}, {"boruvka_1t", boruvka(g, 1)},      {"boruvka_2t", boruvka(g, 2)},
          {"filter_boruvka_1t", filter_boruvka(g, 1, 3)}, {"filter_boruvka_2t", filter_boruvka(g, 2, 3)}};
}

// Every implementation gives a spanning forest with Boost Kruskal's total (and edges, when distinct).
void check_against_boost(const Graph& g) {
  const BoostGraph bg(g);
  const Forest ref = bg.kruskal();
  const EdgeIndex index(g);
  const std::int64_t comps = count_components(g);
  REQUIRE(forest_problem(g, index, ref, comps).empty());
  const bool distinct = distinct_weights(g);
  for (const auto& [name, f] : all_forests(g)) {
    INFO(name << " on n=" << g.n << " m=" << g.edges.size() << " components=" << comps);
    CHECK(forest_problem(g, index, f, comps).empty());
    CHECK(canonical_total(f) == canonical_total(ref));
    if (distinct) CHECK(same_edge_set(f, ref));
  }
  if (comps == 1) CHECK(canonical_total(bg.prim()) == canonical_total(ref));
}

std::string write_temp(const std::string& name, const std::string& text) {
  const auto p = std::filesystem::temp_directory_path() / ("genlab_test_graph_" + name);
  std::ofstream(p) << text;
  return p.string();
}

}  // namespace

TEST_CASE("a hand-checked graph: the MST every implementation finds", "[graph]") {
  // 0-1 (1), 1-2 (2), 0-2 (3), 2-3 (4), 1-3 (5), 3-4 (0.5); isolated vertex 5.
  const Graph g{6, {{0, 1, 1}, {1, 2, 2}, {0, 2, 3}, {2, 3, 4}, {1, 3, 5}, {3, 4, 0.5}}};
  const Forest want{{0, 1, 1}, {1, 2, 2}, {2, 3, 4}, {3, 4, 0.5}};
  CHECK(count_components(g) == 2);
  for (const auto& [name, f] : all_forests(g)) {
    INFO(name);
    CHECK(same_edge_set(f, want));
    CHECK(canonical_total(f) == 7.5);
  }
  CHECK(same_edge_set(BoostGraph(g).kruskal(), want));
}

TEST_CASE("every implementation matches Boost.Graph on random graphs with ties and several components", "[graph]") {
  Rng rng(2024);
  for (int trial = 0; trial < 120; ++trial) {
    const std::int64_t n = 1 + std::int64_t(rng.below(60));
    // From forests with many components (m < n) to dense multigraphs.
    const std::int64_t m = n < 2 ? 0 : std::int64_t(rng.below(std::uint64_t(4 * n)));
    const WeightSpec ws{trial % 3 == 0 ? 0 : std::int64_t(1 + rng.below(4))};  // 1..4 levels: heavy ties
    Rng graph_rng = rng.split(trial);
    check_against_boost(trial % 4 == 3 ? geometric(n, m, ws, graph_rng) : gnm(n, m, ws, graph_rng));
  }
  Rng grid_rng(5);
  check_against_boost(grid(1000, WeightSpec{2}, grid_rng));
  check_against_boost(grid(997, WeightSpec{0}, grid_rng));  // a partial last row
}

TEST_CASE("larger graphs: filter-Kruskal's recursion and several Borůvka rounds", "[graph]") {
  Rng rng(9);
  check_against_boost(gnm(20000, 200000, WeightSpec{0}, rng));
  check_against_boost(gnm(20000, 200000, WeightSpec{3}, rng));  // all-equal partitions
  check_against_boost(gnm(30000, 20000, WeightSpec{0}, rng));   // about 10^4 components
  check_against_boost(gnm(50000, 1000000, WeightSpec{0}, rng));  // several filter-Borůvka steps
  check_against_boost(gnm(50000, 1000000, WeightSpec{7}, rng));
}

TEST_CASE("Borůvka and filter-Borůvka return the same forest at any thread count", "[graph]") {
  Rng rng(3);
  const Graph g = gnm(5000, 40000, WeightSpec{2}, rng);
  const Forest one = boruvka(g, 1);
  CHECK(same_edge_set(one, boruvka(g, 2)));
  CHECK(same_edge_set(one, boruvka(g, 4)));
  const Forest filtered = filter_boruvka(g, 1, 11);
  CHECK(same_edge_set(filtered, filter_boruvka(g, 2, 11)));
  CHECK(same_edge_set(filtered, filter_boruvka(g, 3, 11)));
}

TEST_CASE("degenerate graphs: no vertices, one vertex, no edges", "[graph]") {
  for (const Graph& g : {Graph{0, {}}, Graph{1, {}}, Graph{5, {}}})
    for (const auto& [name, f] : all_forests(g)) {
      INFO(name << " n=" << g.n);
      CHECK(f.empty());
    }
}

TEST_CASE("generators: sizes, no self-loops, weights as asked", "[graph]") {
  Rng rng(1);
  const Graph a = gnm(100, 1000, WeightSpec{3}, rng);
  CHECK(a.edges.size() == 1000);
  for (const Edge& e : a.edges) {
    CHECK(e.u != e.v);
    CHECK((e.w == 1 || e.w == 2 || e.w == 3));
  }
  const Graph gr = grid(12, WeightSpec{0}, rng);  // width 3: 4 rows of 3 -> 4*2 + 3*3 edges
  CHECK(gr.edges.size() == 17);
  CHECK(count_components(gr) == 1);
  const Graph geo = geometric(20000, 100000, WeightSpec{0}, rng);
  CHECK(geo.edges.size() > 80000);  // the border loses some of the expected 10^5
  CHECK(geo.edges.size() < 110000);
}

TEST_CASE("edge-list and DIMACS files are read, and their errors name file and line", "[graph]") {
  const Graph plain = read_graph_file(write_temp("ok.txt", "# a comment\n3 2\n0 1 0.5\n1 2 -2  # negative is fine\n"));
  CHECK(plain.n == 3);
  REQUIRE(plain.edges.size() == 2);
  CHECK(plain.edges[1].w == -2);
  const Graph noheader = read_graph_file(write_temp("nohdr.txt", "0 4 1\n2 3 1e3\n"));
  CHECK(noheader.n == 5);
  const Graph dimacs = read_graph_file(write_temp("ok.gr", "c road\np sp 3 2\na 1 2 7\na 3 2 1\n"));
  CHECK(dimacs.n == 3);
  REQUIRE(dimacs.edges.size() == 2);
  CHECK((dimacs.edges[1].u == 2 && dimacs.edges[1].v == 1));

  const auto fails = [](const std::string& name, const std::string& text, const std::string& says) {
    const std::string path = write_temp(name, text);
    INFO(name);
    CHECK_THROWS_WITH(read_graph_file(path), Catch::Contains(says));
  };
  fails("range.txt", "3 1\n0 3 1.0\n", ":2: vertex 3 out of range [0, 2]");
  fails("weight.txt", "0 1 1\n0 1 heavy\n", ":2: weight 'heavy' is not a number");
  fails("nan.txt", "0 1 nan\n", ":1: weight is NaN");
  fails("inf.txt", "0 1 inf\n", ":1: weight 'inf' is not finite");
  fails("short.txt", "0 1 1\n1 2\n2 3 1\n", ":2: expected 'u v w' (3 fields), got 2 (truncated line?)");
  fails("count.txt", "4 3\n0 1 1\n1 2 1\n", "the header declares 3 edges, the file has 2 (truncated?)");
  fails("negative.txt", "-1 2 1\n", ":1: vertex -1 out of range");
  fails("arc.gr", "p sp 2 1\na 1 2\n", ":2: expected 'a u v w' (4 fields), got 3 (truncated line?)");
  fails("zero.gr", "p sp 2 1\na 0 1 5\n", ":2: vertex 0 out of range [1, 2]");
  fails("count.gr", "p sp 3 2\na 1 2 5\n", "declares 2 arcs, the file has 1 (truncated?)");
  fails("noproblem.gr", "c nothing\n", "no 'p sp n m' line");
  fails("type.gr", "p sp 2 1\nx 1 2 3\n", ":2: unknown line type 'x'");
  CHECK_THROWS_WITH(read_graph_file("/nonexistent/g.gr"), Catch::Contains("cannot open graph file '/nonexistent/g.gr'"));
}
