#include "mst.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <numeric>
#include <limits>
#include <queue>
#include <span>

#include <genlab/rng.hpp>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "union_find.hpp"

namespace genlab::graph {
namespace {

bool lighter(const Edge& a, const Edge& b) { return a.w < b.w; }

// The forest has n - (components) edges; before knowing the components, n - 1 is the early-exit bound.
std::size_t max_forest_edges(const Graph& g) { return g.n > 0 ? std::size_t(g.n - 1) : 0; }

void kruskal_scan(std::span<Edge> sorted, UnionFind& uf, Forest& out, std::size_t target) {
  for (const Edge& e : sorted) {
    if (out.size() >= target) return;
    if (uf.unite(e.u, e.v)) out.push_back(e);
  }
}

// Below this many edges a plain sort beats further partitioning.
constexpr std::size_t kFilterKruskalBase = 2048;

void filter_kruskal_rec(std::span<Edge> e, UnionFind& uf, Forest& out, std::size_t target, Rng& rng) {
  if (out.size() >= target || e.empty()) return;
  if (e.size() > kFilterKruskalBase) {
    // Median of three random weights as the pivot.
    double s[3];
    for (double& x : s) x = e[std::size_t(rng.below(e.size()))].w;
    std::sort(s, s + 3);
    const double pivot = s[1];
    auto mid = std::partition(e.begin(), e.end(), [&](const Edge& x) { return x.w <= pivot; });
    auto split = std::size_t(mid - e.begin());
    if (split == e.size()) {  // many ties at the top: split strictly below the pivot instead
      mid = std::partition(e.begin(), e.end(), [&](const Edge& x) { return x.w < pivot; });
      split = std::size_t(mid - e.begin());
    }
    if (split > 0 && split < e.size()) {
      filter_kruskal_rec(e.first(split), uf, out, target, rng);
      if (out.size() >= target) return;
      std::span<Edge> heavy = e.subspan(split);
      const auto keep = std::partition(heavy.begin(), heavy.end(), [&](const Edge& x) { return uf.find(x.u) != uf.find(x.v); });
      filter_kruskal_rec(heavy.first(std::size_t(keep - heavy.begin())), uf, out, target, rng);
      return;
    }
    // All weights equal: any order is a valid sort.
  }
  std::sort(e.begin(), e.end(), lighter);
  kruskal_scan(e, uf, out, target);
}

constexpr Vertex kNone = std::numeric_limits<Vertex>::max();

}  // namespace

Csr build_csr(const Graph& g) {
  Csr c;
  c.offsets.assign(std::size_t(g.n + 1), 0);
  for (const Edge& e : g.edges) ++c.offsets[e.u + 1], ++c.offsets[e.v + 1];
  for (std::size_t i = 1; i < c.offsets.size(); ++i) c.offsets[i] += c.offsets[i - 1];
  c.arcs.resize(2 * g.edges.size());
  std::vector<std::uint64_t> fill(c.offsets.begin(), c.offsets.end() - 1);
  for (const Edge& e : g.edges) {
    c.arcs[fill[e.u]++] = {e.v, e.w};
    c.arcs[fill[e.v]++] = {e.u, e.w};
  }
  return c;
}

Forest kruskal(const Graph& g) {
  std::vector<Edge> e = g.edges;
  std::sort(e.begin(), e.end(), lighter);
  UnionFind uf(static_cast<std::size_t>(g.n));
  Forest out;
  out.reserve(max_forest_edges(g));
  kruskal_scan(e, uf, out, max_forest_edges(g));
  return out;
}

Forest filter_kruskal(const Graph& g, std::uint64_t pivot_seed) {
  std::vector<Edge> e = g.edges;
  UnionFind uf(static_cast<std::size_t>(g.n));
  Forest out;
  out.reserve(max_forest_edges(g));
  Rng rng(pivot_seed);
  filter_kruskal_rec(e, uf, out, max_forest_edges(g), rng);
  return out;
}

Forest prim_lazy(const Graph& g, const Csr& csr) {
  struct Candidate {
    double w;
    Vertex to, from;
    bool operator>(const Candidate& o) const { return w > o.w; }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> pq;
  std::vector<char> in_tree(std::size_t(g.n), 0);
  Forest out;
  out.reserve(max_forest_edges(g));
  auto visit = [&](Vertex v) {
    in_tree[v] = 1;
    for (std::uint64_t k = csr.offsets[v]; k < csr.offsets[v + 1]; ++k)
      if (!in_tree[csr.arcs[k].to]) pq.push({csr.arcs[k].w, csr.arcs[k].to, v});
  };
  for (std::int64_t root = 0; root < g.n; ++root) {  // one tree per component
    if (in_tree[std::size_t(root)]) continue;
    visit(Vertex(root));
    while (!pq.empty()) {
      const Candidate c = pq.top();
      pq.pop();
      if (in_tree[c.to]) continue;  // stale: its vertex joined through a lighter edge
      out.push_back({c.from, c.to, c.w});
      visit(c.to);
    }
  }
  return out;
}

Forest prim_indexed(const Graph& g, const Csr& csr) {
  const auto n = std::size_t(g.n);
  std::vector<double> key(n, std::numeric_limits<double>::infinity());
  std::vector<Vertex> parent(n, kNone), heap;
  std::vector<std::uint32_t> pos(n, kNone);  // kNone: not in the heap
  std::vector<char> in_tree(n, 0);
  heap.reserve(n);
  auto place = [&](std::size_t i, Vertex v) {
    heap[i] = v;
    pos[v] = std::uint32_t(i);
  };
  auto sift_up = [&](std::size_t i) {
    const Vertex v = heap[i];
    while (i > 0 && key[heap[(i - 1) / 2]] > key[v]) place(i, heap[(i - 1) / 2]), i = (i - 1) / 2;
    place(i, v);
  };
  auto sift_down = [&](std::size_t i) {
    const Vertex v = heap[i];
    for (;;) {
      std::size_t c = 2 * i + 1;
      if (c >= heap.size()) break;
      if (c + 1 < heap.size() && key[heap[c + 1]] < key[heap[c]]) ++c;
      if (key[heap[c]] >= key[v]) break;
      place(i, heap[c]);
      i = c;
    }
    place(i, v);
  };
  Forest out;
  out.reserve(max_forest_edges(g));
  for (std::size_t root = 0; root < n; ++root) {
    if (in_tree[root]) continue;
    key[root] = 0;
    heap.push_back(Vertex(root));
    pos[root] = 0;
    while (!heap.empty()) {
      const Vertex v = heap[0];
      pos[v] = kNone;
      in_tree[v] = 1;
      if (heap.size() > 1) {
        heap[0] = heap.back();
        heap.pop_back();
        sift_down(0);
      } else {
        heap.pop_back();
      }
      if (parent[v] != kNone) out.push_back({parent[v], v, key[v]});
      for (std::uint64_t k = csr.offsets[v]; k < csr.offsets[v + 1]; ++k) {
        const Vertex t = csr.arcs[k].to;
        const double w = csr.arcs[k].w;
        if (in_tree[t] || w >= key[t]) continue;
        key[t] = w;
        parent[t] = v;
        if (pos[t] == kNone) {
          heap.push_back(t);
          sift_up(heap.size() - 1);
        } else {
          sift_up(pos[t]);  // decrease-key
        }
      }
    }
  }
  return out;
}

namespace {

// An edge between current components (labels 0..k-1), with the input edge it stands for.
struct CEdge {
  Vertex a, b;
  double w;
  std::uint32_t orig;
};

// Doubles mapped to unsigned integers in the same order, so that atomics compare values they hold
// instead of chasing an edge index into a big array (a cache miss per comparison).
std::uint64_t order_key(double w) {
  const auto u = std::bit_cast<std::uint64_t>(w);
  return (u >> 63) ? ~u : (u | (std::uint64_t(1) << 63));
}

void atomic_min(std::atomic<std::uint64_t>& slot, std::uint64_t x) {
  std::uint64_t held = slot.load(std::memory_order_relaxed);
  while (x < held && !slot.compare_exchange_weak(held, x, std::memory_order_relaxed)) {
  }
}

// Fixed blocks (not TBB's adaptive split) so compacted orders, hence tie-breaks, never depend on the
// thread count.
constexpr std::size_t kBlocks = 256;

// Keeps the edges for which keep(e) holds, mapped by map(e), in their order, in parallel.
template <class Keep, class Map>
void compact(const std::vector<CEdge>& in, std::vector<CEdge>& out, Keep keep, Map map) {
  const std::size_t m = in.size(), per = (m + kBlocks - 1) / kBlocks;
  std::vector<std::size_t> counts(kBlocks + 1, 0);
  tbb::parallel_for(std::size_t(0), kBlocks, [&](std::size_t b) {
    std::size_t c = 0;
    for (std::size_t i = b * per; i < std::min(m, (b + 1) * per); ++i) c += keep(in[i]);
    counts[b + 1] = c;
  });
  for (std::size_t b = 0; b < kBlocks; ++b) counts[b + 1] += counts[b];
  out.resize(counts[kBlocks]);
  tbb::parallel_for(std::size_t(0), kBlocks, [&](std::size_t b) {
    std::size_t o = counts[b];
    for (std::size_t i = b * per; i < std::min(m, (b + 1) * per); ++i)
      if (keep(in[i])) out[o++] = map(in[i]);
  });
}

// Borůvka rounds on `cur` (labels 0..k-1) until no edge is left. Every component picks its lightest
// edge; (weight, position) is a total order, so the picks never close a cycle even with tied weights.
// On return `label` maps each of the k input labels to its final component (0..k'-1) and k = k'.
void boruvka_rounds(const Graph& g, std::vector<CEdge>& cur, std::size_t& k, std::vector<Vertex>& label, Forest& out) {
  constexpr std::uint64_t kNoEdge = std::numeric_limits<std::uint64_t>::max();
  label.resize(k);
  std::iota(label.begin(), label.end(), Vertex(0));
  std::vector<std::atomic<std::uint64_t>> min_key(k), best(k);
  std::vector<Vertex> round_label(k);
  std::vector<CEdge> next;
  while (!cur.empty()) {
    tbb::parallel_for(std::size_t(0), k, [&](std::size_t c) {
      min_key[c].store(kNoEdge, std::memory_order_relaxed);
      best[c].store(kNoEdge, std::memory_order_relaxed);
    });
    // Two passes, lightest weight then lowest position among the lightest: no edge reads inside a CAS.
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, cur.size(), 1 << 12), [&](const auto& r) {
      for (std::size_t i = r.begin(); i < r.end(); ++i) {
        const std::uint64_t key = order_key(cur[i].w);
        atomic_min(min_key[cur[i].a], key);
        atomic_min(min_key[cur[i].b], key);
      }
    });
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, cur.size(), 1 << 12), [&](const auto& r) {
      for (std::size_t i = r.begin(); i < r.end(); ++i) {
        const std::uint64_t key = order_key(cur[i].w);
        if (key == min_key[cur[i].a].load(std::memory_order_relaxed)) atomic_min(best[cur[i].a], i);
        if (key == min_key[cur[i].b].load(std::memory_order_relaxed)) atomic_min(best[cur[i].b], i);
      }
    });
    UnionFind uf(k);
    for (std::size_t c = 0; c < k; ++c) {
      const std::uint64_t b = best[c].load(std::memory_order_relaxed);
      if (b != kNoEdge && uf.unite(cur[b].a, cur[b].b)) out.push_back(g.edges[cur[b].orig]);
    }
    std::vector<Vertex> dense(k, kNone);
    std::size_t merged = 0;
    for (std::size_t c = 0; c < k; ++c) {
      const Vertex r = uf.find(Vertex(c));
      if (dense[r] == kNone) dense[r] = Vertex(merged++);
      round_label[c] = dense[r];
    }
    for (Vertex& l : label) l = round_label[l];
    // Relabel and drop the edges that now lie inside one component.
    compact(
        cur, next, [&](const CEdge& e) { return round_label[e.a] != round_label[e.b]; },
        [&](const CEdge& e) { return CEdge{round_label[e.a], round_label[e.b], e.w, e.orig}; });
    cur.swap(next);
    k = merged;
  }
}

std::vector<CEdge> component_edges(const Graph& g) {
  std::vector<CEdge> cur(g.edges.size());
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, cur.size(), 1 << 14), [&](const auto& r) {
    for (std::size_t i = r.begin(); i < r.end(); ++i) cur[i] = {g.edges[i].u, g.edges[i].v, g.edges[i].w, std::uint32_t(i)};
  });
  return cur;
}

}  // namespace

Forest boruvka(const Graph& g, int threads) {
  Forest out;
  out.reserve(max_forest_edges(g));
  tbb::task_arena arena(threads);
  arena.execute([&] {
    std::vector<CEdge> cur = component_edges(g);
    std::size_t k = std::size_t(g.n);
    std::vector<Vertex> label;
    boruvka_rounds(g, cur, k, label, out);
  });
  return out;
}

Forest filter_boruvka(const Graph& g, int threads, std::uint64_t pivot_seed) {
  Forest out;
  out.reserve(max_forest_edges(g));
  tbb::task_arena arena(threads);
  arena.execute([&] {
    std::vector<CEdge> rest = component_edges(g), light, heavy;
    std::size_t k = std::size_t(g.n);
    std::vector<Vertex> label;
    Rng rng(pivot_seed);
    while (!rest.empty()) {
      // A pivot with about 2k edges below it (from a sample's quantile): enough light edges to merge
      // most components, few enough that the heavy rest is mostly filtered, never sorted or scanned twice.
      const double frac = std::min(1.0, 2.0 * double(k) / double(rest.size()));
      if (frac >= 0.5 || rest.size() < (1u << 16)) {
        boruvka_rounds(g, rest, k, label, out);
        break;
      }
      std::vector<double> sample(1024);
      for (double& x : sample) x = rest[std::size_t(rng.below(rest.size()))].w;
      const auto q = sample.begin() + std::ptrdiff_t(frac * double(sample.size() - 1));
      std::nth_element(sample.begin(), q, sample.end());
      const double pivot = *q;
      compact(rest, light, [&](const CEdge& e) { return e.w <= pivot; }, [](const CEdge& e) { return e; });
      compact(rest, heavy, [&](const CEdge& e) { return e.w > pivot; }, [](const CEdge& e) { return e; });
      boruvka_rounds(g, light, k, label, out);
      // Heavy edges inside a merged component can never join the forest: drop them, relabel the rest.
      compact(
          heavy, rest, [&](const CEdge& e) { return label[e.a] != label[e.b]; },
          [&](const CEdge& e) { return CEdge{label[e.a], label[e.b], e.w, e.orig}; });
    }
  });
  return out;
}

double canonical_total(const Forest& f) {
  std::vector<double> w(f.size());
  for (std::size_t i = 0; i < f.size(); ++i) w[i] = f[i].w;
  std::sort(w.begin(), w.end());
  double s = 0;
  for (double x : w) s += x;
  return s;
}

}  // namespace genlab::graph
