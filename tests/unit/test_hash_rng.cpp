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

TEST_CASE("fill_normal: standard normal moments and tails, deterministic, any length", "[rng]") {
  Rng r(2024);
  const std::size_t n = 1000001;  // odd: the last pair gives one value
  std::vector<float> z(n);
  r.fill_normal(z.data(), n);
  double sum = 0, sum2 = 0, sum4 = 0;
  std::size_t beyond1 = 0, beyond3 = 0, non_finite = 0;
  for (float x : z) {
    non_finite += !std::isfinite(x);
    sum += x;
    sum2 += double(x) * x;
    sum4 += double(x) * x * x * x;
    beyond1 += std::fabs(x) > 1.0f;
    beyond3 += std::fabs(x) > 3.0f;
  }
  // Standard errors at n = 1e6: mean 0.001, variance 0.0014, fourth moment 0.01; tail fractions
  // P(|z| > 1) = 0.3173 (sd 0.0005), P(|z| > 3) = 0.0027 (sd 0.00005).
  REQUIRE(non_finite == 0);
  CHECK(std::fabs(sum / n) < 0.005);
  CHECK(std::fabs(sum2 / n - 1.0) < 0.007);
  CHECK(std::fabs(sum4 / n - 3.0) < 0.05);
  CHECK(std::fabs(double(beyond1) / n - 0.3173) < 0.0025);
  CHECK(std::fabs(double(beyond3) / n - 0.0027) < 0.00025);
  // The two values of a pair are uncorrelated (cos and sin of one angle).
  double cross = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) cross += double(z[i]) * z[i + 1];
  CHECK(std::fabs(cross / double(n / 2)) < 0.007);
  // Same stream, same values, and each value depends on its own draw only: a shorter draw is a prefix of
  // a longer one whatever the lengths (odd, within and across the passes of 1024 pairs), and two draws in
  // a row continue the stream as one.
  Rng a(5);
  std::vector<float> x(5000);
  a.fill_normal(x.data(), x.size());
  for (std::size_t len : {1, 2, 17, 33, 2047, 2048, 2049, 4999}) {
    Rng b(5);
    std::vector<float> y(len);
    b.fill_normal(y.data(), len);
    for (std::size_t i = 0; i < len; ++i) REQUIRE(x[i] == y[i]);
  }
  Rng c(5);
  std::vector<float> first(100), second(4900);
  c.fill_normal(first.data(), first.size());
  c.fill_normal(second.data(), second.size());
  for (std::size_t i = 0; i < 100; ++i) REQUIRE(first[i] == x[i]);
  for (std::size_t i = 0; i < 4900; ++i) REQUIRE(second[i] == x[100 + i]);
}
