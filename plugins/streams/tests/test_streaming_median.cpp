#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <vector>

#include "../streaming_median.hpp"
#include "genlab/rng.hpp"

using genlab::Rng;
using namespace genlab::streams;

TEMPLATE_TEST_CASE("two heaps agree with a sorted vector at every step", "[streams]", std::int64_t, double) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Rng rng(seed);
    const std::uint64_t range = seed % 3 == 0 ? 5 : 1000000;  // some streams full of duplicates
    StreamingMedian<TestType> med;
    SortedVectorMedian<TestType> ref;
    for (int i = 0; i < 2000; ++i) {
      const auto x =
          static_cast<TestType>(static_cast<std::int64_t>(rng.below(range)) - static_cast<std::int64_t>(range / 2));
      med.add(x);
      ref.add(x);
      REQUIRE(med.median() == ref.median());
      REQUIRE(med.size() == static_cast<std::size_t>(i + 1));
    }
  }
}

TEST_CASE("median rule: odd count gives the middle, even count the mean of the two middles", "[streams]") {
  StreamingMedian<std::int64_t> m;
  CHECK_THROWS(m.median());
  m.add(5);
  CHECK(m.median() == 5);
  m.add(1);
  CHECK(m.median() == 3);
  m.add(2);
  CHECK(m.median() == 2);
  m.add(10);
  CHECK(m.median() == 3.5);
  // No overflow in the mean of two large values.
  StreamingMedian<std::int64_t> big;
  big.add(std::numeric_limits<std::int64_t>::max() - 1);
  big.add(std::numeric_limits<std::int64_t>::max() - 3);
  CHECK(big.median() == static_cast<double>(std::numeric_limits<std::int64_t>::max() - 2));
}

TEST_CASE("sorted and reversed streams keep the heaps balanced", "[streams]") {
  StreamingMedian<double> up, down;
  for (int i = 0; i < 10001; ++i) {
    up.add(i);
    down.add(10000 - i);
  }
  CHECK(up.median() == 5000);
  CHECK(down.median() == 5000);
}

TEST_CASE("reference_median by selection matches the sorted-vector reference", "[streams]") {
  Rng rng(99);
  std::vector<std::int64_t> v;
  SortedVectorMedian<std::int64_t> ref;
  std::vector<std::int64_t> scratch;
  for (int i = 0; i < 500; ++i) {
    v.push_back(static_cast<std::int64_t>(rng.below(50)));
    ref.add(v.back());
    REQUIRE(reference_median(v, v.size(), scratch) == ref.median());
  }
}
