#pragma once
// A d-ary heap over a vector with a comparator: comp(a, b) true means a sits below b (std's convention:
// std::less gives a max-heap, std::greater a min-heap). The seed's "negate the keys to get a min-heap"
// becomes a comparator, which also works for types with no negation. Arity 2 is the binary heap; a
// wider node (4) halves the depth, so a sift touches fewer cache lines for large heaps. And the bounded
// top-K selection built on it: keep the K best seen so far in a heap whose top is the worst of them.
#include <algorithm>
#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

namespace genlab::streams {

template <class T, class Compare = std::less<T>, std::size_t Arity = 2>
class DaryHeap {
  static_assert(Arity >= 2, "a heap node needs at least two children");

 public:
  explicit DaryHeap(Compare comp = Compare()) : comp_(comp) {}
  void reserve(std::size_t n) { v_.reserve(n); }
  std::size_t size() const { return v_.size(); }
  bool empty() const { return v_.empty(); }
  const T& top() const { return v_.front(); }

  void push(T x) {
    v_.push_back(std::move(x));
    sift_up(v_.size() - 1);
  }
  void pop() {
    v_.front() = std::move(v_.back());
    v_.pop_back();
    if (!v_.empty()) sift_down(0);
  }
  /// pop() then push(x) in one pass: the bounded heap's hot path. Floyd's order: the hole left by the top
  /// goes down to a leaf along the larger children (Arity - 1 comparisons per level instead of Arity),
  /// then x rises from there; in a bounded top-K heap x usually belongs near the bottom, so it rises little.
  void replace_top(T x) {
    const std::size_t n = v_.size();
    std::size_t i = 0;
    for (std::size_t child = 1; child < n; child = Arity * i + 1) {
      child = largest_child(child, n);
      v_[i] = std::move(v_[child]);
      i = child;
    }
    v_[i] = std::move(x);
    sift_up(i);
  }
  /// The contents, emptied, in pop order (top first).
  std::vector<T> drain() {
    std::vector<T> out;
    out.reserve(v_.size());
    while (!v_.empty()) {
      out.push_back(top());
      pop();
    }
    return out;
  }

 private:
  // The child that sits highest among first, first + 1, ... (at most Arity of them, all below n).
  std::size_t largest_child(std::size_t first, std::size_t n) const {
    std::size_t best = first;
    const std::size_t end = std::min(n, first + Arity);
    for (std::size_t c = first + 1; c < end; ++c)
      if (comp_(v_[best], v_[c])) best = c;
    return best;
  }
  void sift_up(std::size_t i) {
    T x = std::move(v_[i]);
    while (i > 0) {
      const std::size_t parent = (i - 1) / Arity;
      if (!comp_(v_[parent], x)) break;
      v_[i] = std::move(v_[parent]);
      i = parent;
    }
    v_[i] = std::move(x);
  }
  void sift_down(std::size_t i) {
    const std::size_t n = v_.size();
    T x = std::move(v_[i]);
    for (;;) {
      std::size_t child = Arity * i + 1;
      if (child >= n) break;
      child = largest_child(child, n);
      if (!comp_(x, v_[child])) break;
      v_[i] = std::move(v_[child]);
      i = child;
    }
    v_[i] = std::move(x);
  }

  std::vector<T> v_;
  Compare comp_;
};

template <class T, class Compare = std::less<T>>
using BinaryHeap = DaryHeap<T, Compare, 2>;

/// The k elements that come first under `better` (std::greater<T>: the k largest; std::less<T>: the k
/// smallest), best first, in one pass with a heap of k: its top is the worst kept, replaced when a better
/// element arrives. Ties keep the multiset exact (equal values are interchangeable).
template <class T, std::size_t Arity = 2, class Better, class Iter>
std::vector<T> select_best(Iter first, Iter last, std::size_t k, Better better) {
  DaryHeap<T, Better, Arity> heap(better);  // `better` as the heap order: the top is the worst of the kept
  heap.reserve(k);
  for (; first != last && heap.size() < k; ++first) heap.push(*first);
  if (k == 0 || heap.empty()) return {};
  // The hot loop: one comparison per element against a copy of the worst kept, refreshed only when it is
  // replaced (reading heap.top() every time left its speed to the optimizer's mood: 0.3 to 3 ns per
  // element depending on the instantiation).
  T worst = heap.top();
  for (; first != last; ++first)
    if (better(*first, worst)) {
      heap.replace_top(*first);
      worst = heap.top();
    }
  std::vector<T> out = heap.drain();  // worst first
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace genlab::streams
