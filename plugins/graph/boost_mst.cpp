#include "boost_mst.hpp"

#include <iterator>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/kruskal_min_spanning_tree.hpp>
#include <boost/graph/prim_minimum_spanning_tree.hpp>

namespace genlab::graph {

struct BoostGraph::Impl {
  using G = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                  boost::property<boost::edge_weight_t, double>>;
  G g;
};

BoostGraph::BoostGraph(const Graph& g) : impl_(std::make_unique<Impl>()) {
  impl_->g = Impl::G(std::size_t(g.n));
  for (const Edge& e : g.edges) boost::add_edge(e.u, e.v, e.w, impl_->g);
}

BoostGraph::~BoostGraph() = default;

Forest BoostGraph::kruskal() const {
  const auto& g = impl_->g;
  std::vector<Impl::G::edge_descriptor> tree;
  tree.reserve(boost::num_vertices(g));
  boost::kruskal_minimum_spanning_tree(g, std::back_inserter(tree));
  const auto weight = boost::get(boost::edge_weight, g);
  Forest out;
  out.reserve(tree.size());
  for (const auto& e : tree)
    out.push_back({Vertex(boost::source(e, g)), Vertex(boost::target(e, g)), boost::get(weight, e)});
  return out;
}

Forest BoostGraph::prim() const {
  const auto& g = impl_->g;
  const std::size_t n = boost::num_vertices(g);
  Forest out;
  if (n == 0) return out;
  std::vector<Impl::G::vertex_descriptor> pred(n);
  std::vector<double> dist(n);
  boost::prim_minimum_spanning_tree(g, pred.data(), boost::distance_map(dist.data()));
  // The distance map holds the weight of the edge that attached each vertex.
  for (std::size_t v = 0; v < n; ++v)
    if (pred[v] != v) out.push_back({Vertex(pred[v]), Vertex(v), dist[v]});
  return out;
}

}  // namespace genlab::graph
