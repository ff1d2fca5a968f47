#include "mst.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
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

// An edge between current components (labels 0..k-1), with the input edge it stands for. The empty
// default constructor is deliberate: resizing a buffer of them does not zero it (the parallel writes
// that follow fill it, and touch its pages from both threads).
struct CEdge {
  Vertex a, b;
  double w;
  std::uint32_t orig;
  CEdge() {}  // NOLINT: no zeroing, see above
  CEdge(Vertex a_, Vertex b_, double w_, std::uint32_t orig_) : a(a_), b(b_), w(w_), orig(orig_) {}
};

// Doubles mapped to unsigned integers in the same order, so that atomics compare values they hold
// instead of chasing an edge index into a big array (a cache miss per comparison).
std::uint64_t order_key(double w) {
  const auto u = std::bit_cast<std::uint64_t>(w);
  return (u >> 63) ? ~u : (u | (std::uint64_t(1) << 63));
}

void atomic_min(std::uint64_t& target, std::uint64_t x) {
  std::atomic_ref<std::uint64_t> slot(target);
  std::uint64_t held = slot.load(std::memory_order_relaxed);
  while (x < held && !slot.compare_exchange_weak(held, x, std::memory_order_relaxed)) {
  }
}

std::uint64_t relaxed_load(std::uint64_t& target) {
  return std::atomic_ref<std::uint64_t>(target).load(std::memory_order_relaxed);
}

// An array left uninitialized on allocation: the parallel loop that fills it first also faults its
// pages in from every thread (a std::vector would zero it on one thread first).
template <class T>
std::unique_ptr<T[]> uninitialized(std::size_t n) {
  return std::unique_ptr<T[]>(new T[n]);
}

// Fixed blocks (not TBB's adaptive split) so compacted orders, hence tie-breaks, never depend on the
// thread count.
constexpr std::size_t kBlocks = 256;

// out = [make(i) for i in 0..m-1 if keep(i)], in order, in parallel (count per block, prefix, write).
template <class T, class Keep, class Make>
void compact(std::size_t m, std::vector<T>& out, Keep keep, Make make) {
  const std::size_t per = (m + kBlocks - 1) / kBlocks;
  std::vector<std::size_t> counts(kBlocks + 1, 0);
  auto kept = uninitialized<std::uint8_t>(m);  // keep() once per element: it may chase labels
  tbb::parallel_for(std::size_t(0), kBlocks, [&](std::size_t b) {
    std::size_t c = 0;
    for (std::size_t i = b * per; i < std::min(m, (b + 1) * per); ++i) c += kept[i] = keep(i);
    counts[b + 1] = c;
  });
  for (std::size_t b = 0; b < kBlocks; ++b) counts[b + 1] += counts[b];
  out.resize(counts[kBlocks]);
  tbb::parallel_for(std::size_t(0), kBlocks, [&](std::size_t b) {
    std::size_t o = counts[b];
    for (std::size_t i = b * per; i < std::min(m, (b + 1) * per); ++i)
      if (kept[i]) out[o++] = make(i);
  });
}

// Borůvka rounds on `cur` (labels 0..k-1) until no edge is left. Every component picks its lightest
// edge; (weight, position) is a total order, so the picks form a forest of trees whose only cycles are
// the 2-cycles of two components picking each other. Those are broken (the lower label becomes the
// root), the trees are collapsed by pointer jumping, and the edges are relabelled: every step parallel.
// On return `label` maps each of the k input labels to its final component (0..k'-1) and k = k'.
void boruvka_rounds(const Graph& g, std::vector<CEdge>& cur, std::size_t& k, std::vector<Vertex>& label, Forest& out) {
  constexpr std::uint64_t kNoEdge = std::numeric_limits<std::uint64_t>::max();
  label.resize(k);
  tbb::parallel_for(std::size_t(0), k, [&](std::size_t c) { label[c] = Vertex(c); });
  auto min_key = uninitialized<std::uint64_t>(k), best = uninitialized<std::uint64_t>(k);
  std::vector<Vertex> parent(k), jumped(k), dense(k);
  std::vector<CEdge> next;
  std::vector<Edge> picked_edges;
  while (!cur.empty()) {
    tbb::parallel_for(std::size_t(0), k, [&](std::size_t c) {
      min_key[c] = kNoEdge;
      best[c] = kNoEdge;
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
        if (key == relaxed_load(min_key[cur[i].a])) atomic_min(best[cur[i].a], i);
        if (key == relaxed_load(min_key[cur[i].b])) atomic_min(best[cur[i].b], i);
      }
    });
    auto picked = [&](std::size_t c) {
      const std::uint64_t e = best[c];
      return e == kNoEdge ? Vertex(c) : (cur[e].a == c ? cur[e].b : cur[e].a);
    };
    tbb::parallel_for(std::size_t(0), k, [&](std::size_t c) { parent[c] = picked(c); });
    // Two components that picked each other picked the same edge: the lower label keeps it as the root.
    tbb::parallel_for(std::size_t(0), k, [&](std::size_t c) {
      const Vertex p = parent[c];
      jumped[c] = p > c && picked(p) == c ? Vertex(c) : p;
    });
    parent.swap(jumped);
    // Every non-root component contributes the edge it picked (in label order: deterministic).
    compact(k, picked_edges, [&](std::size_t c) { return parent[c] != c; }, [&](std::size_t c) { return g.edges[cur[best[c]].orig]; });
    out.insert(out.end(), picked_edges.begin(), picked_edges.end());
    // Pointer jumping until every component points at its tree's root.
    for (bool changed = true; changed;) {
      std::atomic<bool> any{false};
      tbb::parallel_for(std::size_t(0), k, [&](std::size_t c) {
        jumped[c] = parent[parent[c]];
        if (jumped[c] != parent[c]) any.store(true, std::memory_order_relaxed);
      });
      parent.swap(jumped);
      changed = any.load();
    }
    // Roots get consecutive new labels (a parallel rank, as in compact()).
    std::size_t merged = 0;
    {
      const std::size_t per = (k + kBlocks - 1) / kBlocks;
      std::vector<std::size_t> counts(kBlocks + 1, 0);
      tbb::parallel_for(std::size_t(0), kBlocks, [&](std::size_t b) {
        std::size_t n = 0;
        for (std::size_t c = b * per; c < std::min(k, (b + 1) * per); ++c) n += parent[c] == c;
        counts[b + 1] = n;
      });
      for (std::size_t b = 0; b < kBlocks; ++b) counts[b + 1] += counts[b];
      tbb::parallel_for(std::size_t(0), kBlocks, [&](std::size_t b) {
        std::size_t id = counts[b];
        for (std::size_t c = b * per; c < std::min(k, (b + 1) * per); ++c)
          if (parent[c] == c) dense[c] = Vertex(id++);
      });
      merged = counts[kBlocks];
    }
    tbb::parallel_for(std::size_t(0), k, [&](std::size_t c) { parent[c] = dense[parent[c]]; });  // new labels
    tbb::parallel_for(std::size_t(0), label.size(), [&](std::size_t v) { label[v] = parent[label[v]]; });
    // Relabel, and drop the edges that now lie inside one component.
    compact(
        cur.size(), next, [&](std::size_t i) { return parent[cur[i].a] != parent[cur[i].b]; },
        [&](std::size_t i) { return CEdge(parent[cur[i].a], parent[cur[i].b], cur[i].w, cur[i].orig); });
    cur.swap(next);
    k = merged;
  }
}

}  // namespace

Forest boruvka(const Graph& g, int threads) {
  Forest out;
  out.reserve(max_forest_edges(g));
  tbb::task_arena arena(threads);
  arena.execute([&] {
    std::vector<CEdge> cur;
    compact(
        g.edges.size(), cur, [](std::size_t) { return true; },
        [&](std::size_t i) { return CEdge(g.edges[i].u, g.edges[i].v, g.edges[i].w, std::uint32_t(i)); });
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
    // The first step reads the input edges in place (vertices are its labels), so the heavy majority is
    // never copied; later steps work on `rest`, already in the current labels. `step_label` maps the
    // labels a step starts with to those it ends with.
    std::vector<Vertex> step_label;
    std::vector<CEdge> rest, light, kept;
    bool first = true;
    std::size_t k = std::size_t(g.n);
    Rng rng(pivot_seed);
    auto weight = [&](std::size_t i) { return first ? g.edges[i].w : rest[i].w; };
    auto as_cedge = [&](std::size_t i) {
      return first ? CEdge(g.edges[i].u, g.edges[i].v, g.edges[i].w, std::uint32_t(i)) : rest[i];
    };
    for (;;) {
      const std::size_t m = first ? g.edges.size() : rest.size();
      if (m == 0) break;
      // A pivot with about 2k edges below it (from a sample's quantile): enough light edges to merge
      // most components, few enough that the heavy rest is mostly filtered, never sorted or scanned twice.
      const double frac = std::min(1.0, 2.0 * double(k) / double(m));
      double pivot = std::numeric_limits<double>::infinity();
      if (frac < 0.5 && m >= (1u << 16)) {
        std::vector<double> sample(1024);
        for (double& x : sample) x = weight(std::size_t(rng.below(m)));
        const auto q = sample.begin() + std::ptrdiff_t(frac * double(sample.size() - 1));
        std::nth_element(sample.begin(), q, sample.end());
        pivot = *q;
      }
      compact(m, light, [&](std::size_t i) { return weight(i) <= pivot; }, as_cedge);
      boruvka_rounds(g, light, k, step_label, out);
      if (pivot == std::numeric_limits<double>::infinity()) break;  // everything was light
      // Heavy edges inside a merged component can never join the forest: drop them, relabel the rest.
      if (first) {
        compact(
            m, kept,
            [&](std::size_t i) { return g.edges[i].w > pivot && step_label[g.edges[i].u] != step_label[g.edges[i].v]; },
            [&](std::size_t i) {
              return CEdge(step_label[g.edges[i].u], step_label[g.edges[i].v], g.edges[i].w, std::uint32_t(i));
            });
      } else {
        compact(
            m, kept, [&](std::size_t i) { return rest[i].w > pivot && step_label[rest[i].a] != step_label[rest[i].b]; },
            [&](std::size_t i) { return CEdge(step_label[rest[i].a], step_label[rest[i].b], rest[i].w, rest[i].orig); });
      }
      rest.swap(kept);
      first = false;
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
