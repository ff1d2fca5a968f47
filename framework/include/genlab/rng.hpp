#pragma once
// Rng: a counter-based generator (Philox4x32-10, Salmon et al. 2011) with genlab's own distribution code,
// so a stream gives the same numbers on every standard library. Streams are cheap to make: one per
// purpose of a run (RunContext::rng("data")), independent by construction of their keys.
#include <cmath>
#include <cstdint>

namespace genlab {

class Rng {
  __extension__ typedef unsigned __int128 U128;  // GCC/Clang extension; silences -Wpedantic

 public:
  explicit Rng(std::uint64_t key) : k0_(static_cast<std::uint32_t>(key)), k1_(static_cast<std::uint32_t>(key >> 32)) {}

  /// An independent stream derived from this one's key and `index` (e.g. one per training step), without
  /// touching this stream's position. Allocation-free, so it can be called in a hot loop.
  Rng split(std::uint64_t index) const {
    std::uint64_t z =
        ((static_cast<std::uint64_t>(k1_) << 32) | k0_) ^ (index * 0x9E3779B97F4A7C15ull + 0xD1B54A32D192ED03ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;  // splitmix64 finalizer
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return Rng(z ^ (z >> 31));
  }

  std::uint32_t next_u32() {
    if (pos_ == 4) refill();
    return buf_[pos_++];
  }
  std::uint64_t next_u64() {
    const std::uint64_t hi = next_u32();
    return (hi << 32) | next_u32();
  }
  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject). n > 0.
  std::uint64_t below(std::uint64_t n) {
    U128 m = static_cast<U128>(next_u64()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<U128>(next_u64()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }
  /// Standard normal (Box-Muller; the second value of each pair is kept for the next call).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double t = 6.283185307179586476925 * u2;
    spare_ = r * std::sin(t);
    has_spare_ = true;
    return r * std::cos(t);
  }

 private:
  void refill() {
    std::uint32_t c0 = static_cast<std::uint32_t>(counter_), c1 = static_cast<std::uint32_t>(counter_ >> 32);
    std::uint32_t c2 = 0, c3 = 0, k0 = k0_, k1 = k1_;
    for (int round = 0; round < 10; ++round) {
      const std::uint64_t p0 = static_cast<std::uint64_t>(0xD2511F53u) * c0;
      const std::uint64_t p1 = static_cast<std::uint64_t>(0xCD9E8D57u) * c2;
      const std::uint32_t n0 = static_cast<std::uint32_t>(p1 >> 32) ^ c1 ^ k0;
      const std::uint32_t n2 = static_cast<std::uint32_t>(p0 >> 32) ^ c3 ^ k1;
      c1 = static_cast<std::uint32_t>(p1);
      c3 = static_cast<std::uint32_t>(p0);
      c0 = n0;
      c2 = n2;
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    buf_[0] = c0;
    buf_[1] = c1;
    buf_[2] = c2;
    buf_[3] = c3;
    ++counter_;
    pos_ = 0;
  }

  std::uint32_t k0_, k1_;
  std::uint64_t counter_ = 0;
  std::uint32_t buf_[4] = {0, 0, 0, 0};
  int pos_ = 4;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace genlab
