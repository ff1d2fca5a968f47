// Traversals: hand-written cases, every method against every other on many random trees, a million-deep
// chain (recursion refuses with a clear error, the others succeed), Morris leaves the tree unchanged,
// and level-order parsing errors.
#include <catch2/catch.hpp>

#include "genlab/error.hpp"
#include "../traversal.hpp"
#include "../tree.hpp"

using namespace genlab;
using namespace genlab::trees;

namespace {

using Seq = std::vector<std::int64_t>;
const Order kOrders[] = {Order::Pre, Order::In, Order::Post, Order::Level};
const Method kMethods[] = {Method::Recursive, Method::Iterative, Method::Colour, Method::Morris};

void check_all(Tree& t, Order o, const Seq& want) {
  for (Method m : kMethods) {
    if (!supported(o, m)) continue;
    INFO(name_of(o) << "-order, " << name_of(m));
    CHECK(traverse(t, o, m, 100000) == want);
  }
}

}  // namespace

TEST_CASE("hand-written trees give the textbook orders by every method", "[trees]") {
  Tree a = from_level_order("[1,null,2,3]");  // LeetCode 94/144/145: 1 -> right 2 -> left 3
  check_all(a, Order::Pre, {1, 2, 3});
  check_all(a, Order::In, {1, 3, 2});
  check_all(a, Order::Post, {3, 2, 1});
  check_all(a, Order::Level, {1, 2, 3});
  //        4
  //      2   6
  //     1 3 5 7
  Tree b = from_level_order("[4, 2, 6, 1, 3, 5, 7]");
  check_all(b, Order::Pre, {4, 2, 1, 3, 6, 5, 7});
  check_all(b, Order::In, {1, 2, 3, 4, 5, 6, 7});
  check_all(b, Order::Post, {1, 3, 2, 5, 7, 6, 4});
  check_all(b, Order::Level, {4, 2, 6, 1, 3, 5, 7});
  Tree empty = from_level_order("[]");
  for (Order o : kOrders) check_all(empty, o, {});
  Tree one = from_level_order("[7]");
  for (Order o : kOrders) check_all(one, o, {7});
  // Nulls in the middle: 3 has only a right child 9, 5 only a left child 8.
  Tree c = from_level_order("[1,3,5,null,9,8]");
  check_all(c, Order::Pre, {1, 3, 9, 5, 8});
  check_all(c, Order::In, {3, 9, 1, 8, 5});
  check_all(c, Order::Post, {9, 3, 8, 5, 1});
  check_all(c, Order::Level, {1, 3, 5, 9, 8});
  CHECK_THROWS_AS(traverse(c, Order::Level, Method::Morris, 100), NotSupported);
}

TEST_CASE("every method agrees with every other on random trees, and Morris restores the tree", "[trees]") {
  Rng rng(42);
  for (int trial = 0; trial < 60; ++trial) {
    const std::int64_t n = std::int64_t(rng.below(300));
    Tree t = trial % 4 == 0 ? balanced(n) : trial % 4 == 1 ? chain(n, trial % 8 == 1) : random_bst(n, rng);
    const Tree before = t;
    for (Order o : kOrders) {
      const Seq ref = traverse(t, o, Method::Recursive, 100000);
      REQUIRE(std::int64_t(ref.size()) == n);
      INFO("trial " << trial << ", n " << n);
      check_all(t, o, ref);
    }
    CHECK(t.left == before.left);
    CHECK(t.right == before.right);
    CHECK(t.value == before.value);
  }
  // In-order of a binary search tree is sorted.
  Tree bst = random_bst(1000, rng);
  const Seq in = traverse(bst, Order::In, Method::Morris, 10);
  CHECK(std::is_sorted(in.begin(), in.end()));
}

TEST_CASE("a million-deep chain: recursion refuses past its limit, the other methods succeed", "[trees]") {
  for (bool left : {true, false}) {
    Tree t = chain(1000000, left);
    REQUIRE(t.height() == 1000000);
    CHECK_THROWS_WITH(traverse(t, Order::In, Method::Recursive, 2000),
                      Catch::Contains("deeper than max_recursion_depth = 2000"));
    Seq want(1000000);
    for (std::int64_t i = 0; i < 1000000; ++i) want[std::size_t(i)] = left ? 999999 - i : i;  // in-order
    for (Method m : {Method::Iterative, Method::Colour, Method::Morris}) {
      INFO(name_of(m) << (left ? ", left chain" : ", right chain"));
      TraversalStats st;
      CHECK(traverse(t, Order::In, m, 10000, &st) == want);
      if (m == Method::Morris) CHECK(st.peak_entries == 0);
    }
    CHECK(traverse(t, Order::Post, Method::Morris, 0).size() == 1000000);
  }
}

TEST_CASE("level-order strings: malformed input is refused naming the entry", "[trees]") {
  CHECK_THROWS_WITH(from_level_order("1,2,3"), Catch::Contains("expected [v1,v2,...]"));
  CHECK_THROWS_WITH(from_level_order("[1,two,3]"), Catch::Contains("entry 1 'two' is neither an integer nor null"));
  CHECK_THROWS_WITH(from_level_order("[null,1]"), Catch::Contains("a null root cannot have children"));
  CHECK_THROWS_WITH(from_level_order("[1,null,null,5]"), Catch::Contains("has no parent"));
  CHECK(from_level_order("[ 1 , null , 2 ]").size() == 2);
}
