#include "top_k_benchmark.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>
#include <queue>

#include <boost/heap/d_ary_heap.hpp>
#include <boost/heap/fibonacci_heap.hpp>
#include <boost/heap/pairing_heap.hpp>
#include <genlab/error.hpp>

#include "binary_heap.hpp"

namespace genlab::streams {
namespace {

using T = std::int64_t;
using Stream = std::vector<T>;

// Bounded selection with any heap offering push / pop / top / size whose top is the worst kept.
template <class Heap, class Better>
std::vector<T> bounded(const Stream& s, std::size_t k, Better better, Heap heap) {
  for (T x : s) {
    if (heap.size() < k) {
      heap.push(x);
    } else if (k > 0 && better(x, heap.top())) {
      heap.pop();
      heap.push(x);
    }
  }
  std::vector<T> out;
  out.reserve(heap.size());
  while (!heap.empty()) {
    out.push_back(heap.top());
    heap.pop();
  }
  std::reverse(out.begin(), out.end());
  return out;
}

template <class Better>
std::vector<T> run_method(const std::string& m, const Stream& s, std::size_t k, Better better, Stream& scratch) {
  if (m == "binary_heap") return select_best<T>(s.begin(), s.end(), k, better);
  if (m == "quad_heap") return select_best<T, 4>(s.begin(), s.end(), k, better);
  if (m == "std_priority_queue") return bounded(s, k, better, std::priority_queue<T, std::vector<T>, Better>(better));
  if (m == "boost_d_ary4")
    return bounded(s, k, better,
                   boost::heap::d_ary_heap<T, boost::heap::arity<4>, boost::heap::compare<Better>>(better));
  if (m == "boost_pairing") return bounded(s, k, better, boost::heap::pairing_heap<T, boost::heap::compare<Better>>(better));
  if (m == "boost_fibonacci")
    return bounded(s, k, better, boost::heap::fibonacci_heap<T, boost::heap::compare<Better>>(better));
  scratch.assign(s.begin(), s.end());  // the whole-array methods work on a copy
  const auto kk = std::ptrdiff_t(std::min(k, s.size()));
  if (m == "std_partial_sort") {
    std::partial_sort(scratch.begin(), scratch.begin() + kk, scratch.end(), better);
  } else if (m == "std_nth_element") {
    if (kk > 0 && std::size_t(kk) < scratch.size()) std::nth_element(scratch.begin(), scratch.begin() + kk - 1, scratch.end(), better);
    std::sort(scratch.begin(), scratch.begin() + kk, better);
  } else {
    throw ConfigError("top_k: unknown method '" + m + "'");
  }
  return std::vector<T>(scratch.begin(), scratch.begin() + kk);
}

const std::vector<std::string> kMethods = {"binary_heap",     "quad_heap",     "std_priority_queue", "std_partial_sort",
                                           "std_nth_element", "boost_d_ary4",  "boost_pairing",      "boost_fibonacci"};

}  // namespace

Schema TopKBenchmark::schema() {
  return Schema()
      .integer("n", 1000000, {.min = 1, .max = 1e9}, "stream length")
      .integer("k", 100, {.min = 0, .max = 1e9}, "how many to keep")
      .choice("direction", "top", {"top", "bottom"}, "the k largest or the k smallest")
      .choice("distribution", "random", {"random", "sorted", "reversed", "duplicates"},
              "stream order: uniform random, ascending, descending, or random over 16 distinct values")
      .choice("methods", "all",
              {"all", "binary_heap", "quad_heap", "std_priority_queue", "std_partial_sort", "std_nth_element", "boost_d_ary4",
               "boost_pairing", "boost_fibonacci"},
              "implementations to run (all: every one, checked against ours)")
      .integer("repeats", 3, {.min = 1, .max = 1000}, "timed repetitions (the best is reported)");
}

TopKBenchmark::TopKBenchmark(const Params& p)
    : n_(p.get_int("n")),
      k_(p.get_int("k")),
      repeats_(p.get_int("repeats")),
      distribution_(p.get_string("distribution")),
      direction_(p.get_string("direction")),
      methods_(p.get_string("methods")) {}

void TopKBenchmark::run(RunContext& ctx) {
  Rng rng = ctx.rng("data");
  Stream s(static_cast<std::size_t>(n_));
  for (std::int64_t i = 0; i < n_; ++i)
    s[std::size_t(i)] = distribution_ == "sorted"     ? i
                        : distribution_ == "reversed" ? n_ - i
                        : distribution_ == "duplicates" ? T(rng.below(16))
                                                        : T(rng.below(std::uint64_t{1} << 40));
  const auto k = static_cast<std::size_t>(k_);
  Stream scratch;
  auto run_all = [&](auto better) {
    const std::vector<T> reference = select_best<T>(s.begin(), s.end(), k, better);
    // The reference itself against a full sort (outside the timing): the answer is the sorted prefix.
    Stream sorted = s;
    std::sort(sorted.begin(), sorted.end(), better);
    sorted.resize(std::min(k, sorted.size()));
    if (sorted != reference) throw Error("top_k: the binary heap's answer differs from a full sort");
    for (const std::string& m : kMethods) {
      if (methods_ != "all" && methods_ != m) continue;
      double best = std::numeric_limits<double>::infinity();
      for (std::int64_t r = 0; r < repeats_; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        const std::vector<T> got = run_method(m, s, k, better, scratch);
        best = std::min(best, std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count());
        if (got != reference)
          throw Error("top_k: " + m + " gives a different answer from the binary heap (" + std::to_string(got.size()) +
                      " values)");
        ctx.check_stop();
      }
      ctx.set_final(m + "_ns_per_element", best / double(n_));
    }
    ctx.set_final("kth_value", reference.empty() ? 0.0 : double(reference.back()));
  };
  if (direction_ == "top")
    run_all(std::greater<T>());
  else
    run_all(std::less<T>());
  ctx.set_final("correct", 1.0);
}

}  // namespace genlab::streams
