// The binary heap (max and min from one template) and bounded top-K / bottom-K selection against sorting.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <string>

#include "genlab/rng.hpp"
#include "../binary_heap.hpp"

using namespace genlab;
using namespace genlab::streams;

TEST_CASE("binary and d-ary heaps pop in order under either comparator", "[streams][top_k]") {
  Rng rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<std::int64_t> xs(rng.below(500));
    for (auto& x : xs) x = std::int64_t(rng.below(trial % 2 ? 10 : 1000000));  // with and without ties
    BinaryHeap<std::int64_t> max_heap;
    BinaryHeap<std::int64_t, std::greater<std::int64_t>> min_heap;
    DaryHeap<std::int64_t, std::less<std::int64_t>, 3> max3;
    DaryHeap<std::int64_t, std::greater<std::int64_t>, 4> min4;
    for (auto x : xs) max_heap.push(x), min_heap.push(x), max3.push(x), min4.push(x);
    std::vector<std::int64_t> down = xs, up = xs;
    std::sort(down.begin(), down.end(), std::greater<>());
    std::sort(up.begin(), up.end());
    CHECK(max_heap.drain() == down);
    CHECK(min_heap.drain() == up);
    CHECK(max3.drain() == down);
    CHECK(min4.drain() == up);
  }
  // replace_top keeps the heap valid.
  BinaryHeap<int> h;
  for (int x : {5, 1, 9, 3}) h.push(x);
  h.replace_top(2);
  CHECK(h.drain() == std::vector<int>{5, 3, 2, 1});
  DaryHeap<int, std::less<int>, 4> h4;
  for (int x : {5, 1, 9, 3, 7, 8}) h4.push(x);
  h4.replace_top(2);
  CHECK(h4.drain() == std::vector<int>{8, 7, 5, 3, 2, 1});
}

TEST_CASE("bounded top-K and bottom-K equal the sorted prefix, ties and edge sizes included", "[streams][top_k]") {
  Rng rng(9);
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t n = rng.below(400), k = rng.below(450);  // k > n and k = 0 occur
    std::vector<std::int64_t> xs(n);
    for (auto& x : xs) x = std::int64_t(rng.below(trial % 3 == 0 ? 5 : 100000));
    std::vector<std::int64_t> desc = xs, asc = xs;
    std::sort(desc.begin(), desc.end(), std::greater<>());
    std::sort(asc.begin(), asc.end());
    desc.resize(std::min(k, n));
    asc.resize(std::min(k, n));
    INFO("n " << n << ", k " << k);
    CHECK(select_best<std::int64_t>(xs.begin(), xs.end(), k, std::greater<std::int64_t>()) == desc);
    CHECK(select_best<std::int64_t>(xs.begin(), xs.end(), k, std::less<std::int64_t>()) == asc);
    CHECK(select_best<std::int64_t, 4>(xs.begin(), xs.end(), k, std::greater<std::int64_t>()) == desc);
    CHECK(select_best<std::int64_t, 3>(xs.begin(), xs.end(), k, std::less<std::int64_t>()) == asc);
  }
  // A comparator needs no negation: bottom-K of strings.
  const std::vector<std::string> words = {"pear", "apple", "fig", "kiwi", "banana"};
  CHECK(select_best<std::string>(words.begin(), words.end(), 2, std::less<std::string>()) ==
        std::vector<std::string>{"apple", "banana"});
}
