#pragma once
// Disjoint sets with path halving and union by size: near-constant amortized find / unite.
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

namespace genlab::graph {

class UnionFind {
 public:
  explicit UnionFind(std::size_t n) : parent_(n), size_(n, 1) { std::iota(parent_.begin(), parent_.end(), 0u); }

  std::uint32_t find(std::uint32_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];  // path halving: every other node skips to its grandparent
      x = parent_[x];
    }
    return x;
  }
  /// Joins the sets of a and b; false when they were already one set.
  bool unite(std::uint32_t a, std::uint32_t b) {
    a = find(a);
    b = find(b);
    if (a == b) return false;
    if (size_[a] < size_[b]) std::swap(a, b);
    parent_[b] = a;
    size_[a] += size_[b];
    return true;
  }
  bool same(std::uint32_t a, std::uint32_t b) { return find(a) == find(b); }

 private:
  std::vector<std::uint32_t> parent_, size_;
};

}  // namespace genlab::graph
