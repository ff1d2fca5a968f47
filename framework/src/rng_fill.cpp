// Rng::fill_normal: bulk single-precision Box-Muller over Eigen's vectorized log, sin and cos.
#include <algorithm>
#include <vector>

#include <Eigen/Core>

#include "genlab/rng.hpp"

namespace genlab {

void Rng::fill_normal(float* out, std::size_t n) {
  constexpr std::size_t kPairs = 1024;  // pairs per pass: the scratch arrays stay in L1/L2
  constexpr float kTwoPi = 6.283185307179586f;
  constexpr float k24 = 0x1.0p-24f;
  thread_local std::vector<std::uint64_t> bits;
  thread_local Eigen::ArrayXf u, v, r, t;
  bits.resize(kPairs);
  for (std::size_t done = 0; done < n;) {
    const std::size_t pairs = std::min(kPairs, (n - done + 1) / 2);
    const auto np = static_cast<Eigen::Index>(pairs);
    // Padded to whole 16-float packets, so that every value goes through the vectorized functions (a
    // scalar tail would compute with std::log and friends, whose last bits differ): each value then
    // depends on its own draw only, not on n or on where it falls in a pass.
    const Eigen::Index padded = (np + 15) / 16 * 16;
    fill_u64(bits.data(), pairs);
    u.resize(padded);
    v.resize(padded);
    for (Eigen::Index i = 0; i < np; ++i) {
      const std::uint64_t b = bits[static_cast<std::size_t>(i)];
      u[i] = float((b >> 40) + 1) * k24;                 // (0, 1]: the log is finite
      v[i] = float((b >> 8) & 0xFFFFFFu) * k24 * kTwoPi;  // [0, 2 pi)
    }
    u.tail(padded - np).setOnes();
    v.tail(padded - np).setZero();
    r = (-2.0f * u.log()).sqrt();
    t = r * v.cos();
    u = r * v.sin();
    for (std::size_t i = 0; i < pairs; ++i) {
      out[done++] = t[Eigen::Index(i)];
      if (done < n) out[done++] = u[Eigen::Index(i)];
    }
  }
}

}  // namespace genlab
