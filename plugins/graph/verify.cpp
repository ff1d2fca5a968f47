#include "verify.hpp"

#include <algorithm>
#include <tuple>

#include "union_find.hpp"

namespace genlab::graph {
namespace {

Edge normalized(const Edge& e) { return e.u <= e.v ? e : Edge{e.v, e.u, e.w}; }
bool before(const Edge& a, const Edge& b) { return std::tie(a.u, a.v, a.w) < std::tie(b.u, b.v, b.w); }

std::vector<Edge> sorted_normalized(const std::vector<Edge>& edges) {
  std::vector<Edge> s(edges.size());
  std::transform(edges.begin(), edges.end(), s.begin(), normalized);
  std::sort(s.begin(), s.end(), before);
  return s;
}

}  // namespace

EdgeIndex::EdgeIndex(const Graph& g) : sorted_(sorted_normalized(g.edges)) {}

bool EdgeIndex::contains(const Edge& e) const { return std::binary_search(sorted_.begin(), sorted_.end(), normalized(e), before); }

std::string forest_problem(const Graph& g, const EdgeIndex& index, const Forest& f, std::int64_t components) {
  if (std::int64_t(f.size()) != g.n - components)
    return std::to_string(f.size()) + " edges, a spanning forest of " + std::to_string(g.n) + " vertices in " +
           std::to_string(components) + " components has " + std::to_string(g.n - components);
  UnionFind uf(static_cast<std::size_t>(g.n));
  for (const Edge& e : f) {
    if (e.u >= g.n || e.v >= g.n || !index.contains(e))
      return "edge (" + std::to_string(e.u) + ", " + std::to_string(e.v) + ", " + std::to_string(e.w) + ") is not in the graph";
    if (!uf.unite(e.u, e.v)) return "edge (" + std::to_string(e.u) + ", " + std::to_string(e.v) + ") closes a cycle";
  }
  return "";
}

bool same_edge_set(const Forest& a, const Forest& b) {
  if (a.size() != b.size()) return false;
  const auto sa = sorted_normalized(a), sb = sorted_normalized(b);
  return std::equal(sa.begin(), sa.end(), sb.begin(),
                    [](const Edge& x, const Edge& y) { return x.u == y.u && x.v == y.v && x.w == y.w; });
}

bool distinct_weights(const Graph& g) {
  std::vector<double> w(g.edges.size());
  std::transform(g.edges.begin(), g.edges.end(), w.begin(), [](const Edge& e) { return e.w; });
  std::sort(w.begin(), w.end());
  return std::adjacent_find(w.begin(), w.end()) == w.end();
}

}  // namespace genlab::graph
