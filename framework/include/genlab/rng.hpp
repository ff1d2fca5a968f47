#pragma once
// Rng: a counter-based generator (Philox4x32-10, Salmon et al. 2011) with genlab's own distribution code,
// so a stream gives the same numbers on every standard library. Streams are cheap to make: one per
// purpose of a run (RunContext::rng("data")), independent by construction of their keys.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "genlab/export.hpp"

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
  /// The n values that n calls of next_u64() would give, leaving the stream where they would leave it;
  /// whole counter blocks are generated 16 at a time, in loops the compiler vectorizes (several times
  /// faster than one call per value, for the per-pixel draws of data transforms).
  void fill_u64(std::uint64_t* out, std::size_t n) {
    std::size_t i = 0;
    // Bulk generation starts at a fresh block. After an odd number of lone next_u32 calls a value
    // straddles two blocks: then every value takes the one-at-a-time path.
    if (pos_ % 2 == 1) {
      for (; i < n; ++i) out[i] = next_u64();
      return;
    }
    if (pos_ == 2 && i < n) out[i++] = next_u64();
    constexpr int kLanes = 16;
    while (n - i >= 2 * kLanes) {
      std::uint32_t c0[kLanes], c1[kLanes], c2[kLanes], c3[kLanes];
      for (int j = 0; j < kLanes; ++j) {
        const std::uint64_t c = counter_ + static_cast<std::uint64_t>(j);
        c0[j] = static_cast<std::uint32_t>(c), c1[j] = static_cast<std::uint32_t>(c >> 32), c2[j] = c3[j] = 0;
      }
      philox_rounds<kLanes>(c0, c1, c2, c3);
      for (int j = 0; j < kLanes; ++j) {
        out[i + 2 * j] = (static_cast<std::uint64_t>(c0[j]) << 32) | c1[j];
        out[i + 2 * j + 1] = (static_cast<std::uint64_t>(c2[j]) << 32) | c3[j];
      }
      counter_ += kLanes;
      i += 2 * kLanes;
    }
    for (; i < n; ++i) out[i] = next_u64();
  }
  /// A 64-bit draw as a uniform double in [0, 1) (its top 53 bits).
  static double unit_double(std::uint64_t u) { return static_cast<double>(u >> 11) * 0x1.0p-53; }
  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return unit_double(next_u64()); }
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
  /// n standard normal floats in bulk, for noise matrices (a VAE's reparameterization draws, 50000 per
  /// step at k = 50). Not the values of n normal() calls: Box-Muller in single precision, vectorized (the
  /// double-precision log, sin and cos of normal() were a tenth of an IWAE step). Each pair takes one 64-bit
  /// draw: 24 bits for the radius' uniform in (0, 1], 24 for the angle's, so |z| <= 5.77 (the tail beyond
  /// has probability 6e-8 per pair). The same stream position and n give the same values on any thread.
  GENLAB_EXPORT void fill_normal(float* out, std::size_t n);
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
  // Philox4x32-10's ten rounds on `lanes` counter blocks at once (structure of arrays, so that the lane loop
  // vectorizes); the keys are this stream's.
  template <int lanes>
  void philox_rounds(std::uint32_t* c0, std::uint32_t* c1, std::uint32_t* c2, std::uint32_t* c3) const {
    std::uint32_t k0 = k0_, k1 = k1_;
    for (int round = 0; round < 10; ++round) {
      for (int j = 0; j < lanes; ++j) {
        const std::uint64_t p0 = static_cast<std::uint64_t>(0xD2511F53u) * c0[j];
        const std::uint64_t p1 = static_cast<std::uint64_t>(0xCD9E8D57u) * c2[j];
        const std::uint32_t n0 = static_cast<std::uint32_t>(p1 >> 32) ^ c1[j] ^ k0;
        const std::uint32_t n2 = static_cast<std::uint32_t>(p0 >> 32) ^ c3[j] ^ k1;
        c1[j] = static_cast<std::uint32_t>(p1);
        c3[j] = static_cast<std::uint32_t>(p0);
        c0[j] = n0;
        c2[j] = n2;
      }
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
  }

  void refill() {
    buf_[0] = static_cast<std::uint32_t>(counter_);
    buf_[1] = static_cast<std::uint32_t>(counter_ >> 32);
    buf_[2] = buf_[3] = 0;
    philox_rounds<1>(&buf_[0], &buf_[1], &buf_[2], &buf_[3]);
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
