#pragma once
// Streaming median with two heaps: a max-heap holds the lower half of the values seen, a min-heap the
// upper half, and their sizes differ by at most one (the lower half may hold the extra value).
// add() is O(log n), median() is O(1).
#include <algorithm>
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <vector>

namespace genlab::streams {

template <class T>
class StreamingMedian {
 public:
  void reserve(std::size_t n) {
    lower_.reserve(n / 2 + 1);
    upper_.reserve(n / 2 + 1);
  }

  /// requires: x is not NaN (a NaN has no place in an order).
  void add(T x) {
    if (lower_.empty() || !(lower_.front() < x)) {
      lower_.push_back(x);
      std::push_heap(lower_.begin(), lower_.end(), std::less<T>());
      if (lower_.size() > upper_.size() + 1) move_top(lower_, std::less<T>(), upper_, std::greater<T>());
    } else {
      upper_.push_back(x);
      std::push_heap(upper_.begin(), upper_.end(), std::greater<T>());
      if (upper_.size() > lower_.size()) move_top(upper_, std::greater<T>(), lower_, std::less<T>());
    }
  }

  /// The median of the values added so far: the middle value, or the mean of the two middle values.
  /// requires: size() > 0.
  double median() const {
    if (lower_.empty()) throw std::logic_error("median of an empty stream");
    if (lower_.size() > upper_.size()) return static_cast<double>(lower_.front());
    return static_cast<double>((static_cast<long double>(lower_.front()) + static_cast<long double>(upper_.front())) /
                               2);
  }

  std::size_t size() const { return lower_.size() + upper_.size(); }

 private:
  template <class From, class To>
  static void move_top(std::vector<T>& from, From from_cmp, std::vector<T>& to, To to_cmp) {
    std::pop_heap(from.begin(), from.end(), from_cmp);
    to.push_back(from.back());
    from.pop_back();
    std::push_heap(to.begin(), to.end(), to_cmp);
  }

  std::vector<T> lower_;  // max-heap
  std::vector<T> upper_;  // min-heap
};

/// Reference median of values[0, k) by selection on a copy (O(k)); the same even-count rule.
template <class T>
double reference_median(const std::vector<T>& values, std::size_t k, std::vector<T>& scratch) {
  scratch.assign(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k));
  const std::size_t mid = (k - 1) / 2;
  std::nth_element(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(mid), scratch.end());
  const T lo = scratch[mid];
  if (k % 2 == 1) return static_cast<double>(lo);
  const T hi = *std::min_element(scratch.begin() + static_cast<std::ptrdiff_t>(mid) + 1, scratch.end());
  return static_cast<double>((static_cast<long double>(lo) + static_cast<long double>(hi)) / 2);
}

/// Reference by insertion into a sorted vector: exact at every step, O(n) per insert (small n only).
template <class T>
class SortedVectorMedian {
 public:
  void add(T x) { v_.insert(std::upper_bound(v_.begin(), v_.end(), x), x); }
  double median() const {
    const std::size_t k = v_.size();
    if (k % 2 == 1) return static_cast<double>(v_[k / 2]);
    return static_cast<double>((static_cast<long double>(v_[k / 2 - 1]) + static_cast<long double>(v_[k / 2])) / 2);
  }

 private:
  std::vector<T> v_;
};

}  // namespace genlab::streams
