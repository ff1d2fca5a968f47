#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "genlab/rng.hpp"
#include "sha256.hpp"

using namespace genlab;

TEST_CASE("SHA-256 matches the FIPS 180-4 test vectors", "[hash]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("Philox4x32-10 matches the Random123 known-answer test", "[rng]") {
  Rng zero(0);  // key 0, counter 0
  CHECK(zero.next_u32() == 0x6627e8d5u);
  CHECK(zero.next_u32() == 0xe169c58du);
  CHECK(zero.next_u32() == 0xbc57ac4cu);
  CHECK(zero.next_u32() == 0x9b00dbd8u);
}

TEST_CASE("distributions: ranges and moments", "[rng]") {
  Rng r(12345);
  const int n = 200000;
  double sum = 0, sum2 = 0, usum = 0;
  std::uint64_t counts[7] = {};
  for (int i = 0; i < n; ++i) {
    const double z = r.normal();
    sum += z;
    sum2 += z * z;
    const double u = r.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    usum += u;
    const auto k = r.below(7);
    REQUIRE(k < 7);
    ++counts[k];
  }
  CHECK(std::fabs(sum / n) < 0.01);
  CHECK(std::fabs(sum2 / n - 1.0) < 0.02);
  CHECK(std::fabs(usum / n - 0.5) < 0.005);
  for (auto c : counts) CHECK(std::fabs(static_cast<double>(c) / n - 1.0 / 7) < 0.005);
}

TEST_CASE("streams with different keys differ, the same key repeats", "[rng]") {
  Rng a(1), b(1), c(2);
  for (int i = 0; i < 10; ++i) {
    const auto x = a.next_u64();
    CHECK(x == b.next_u64());
    CHECK(x != c.next_u64());
  }
}

TEST_CASE("fill_u64 gives exactly the values of repeated next_u64 and leaves the stream where they would", "[rng]") {
  // Every starting position within a block (0..3 values of it used, odd ones by a lone next_u32) and
  // lengths below, at and across the 32-value bulk blocks.
  for (int used = 0; used < 4; ++used)
    for (std::size_t n : {0, 1, 2, 31, 32, 33, 64, 100, 1000}) {
      Rng a(77), b(77);
      for (int k = 0; k < used; ++k) CHECK(a.next_u32() == b.next_u32());
      std::vector<std::uint64_t> bulk(n);
      a.fill_u64(bulk.data(), n);
      for (std::size_t k = 0; k < n; ++k) REQUIRE(bulk[k] == b.next_u64());
      for (int k = 0; k < 5; ++k) CHECK(a.next_u32() == b.next_u32());  // the same position afterwards
      CHECK(a.normal() == b.normal());
    }
}
