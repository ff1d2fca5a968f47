// GEMM throughput through genlab's tensor layer (ad::matmul forward, and forward + backward), on the shapes
// of issue 3, with 1 and 2 threads, as GFLOP/s and as a fraction of the FMA peak measured on this machine
// (../shared/bench/README.md: 223 GFLOP/s per core in float32, times the thread count). Prints figures;
// asserts nothing.
//   build/framework/bench/genlab_bench_gemm [nominal_peak_gflops]
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <oneapi/tbb/task_arena.h>

#include "genlab/ad/ops.hpp"
#include "genlab/linalg/gemm.hpp"

using namespace genlab;

namespace {
template <class F>
double best_seconds(F f, int reps) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}
// The FMA peak of this core right now: 16 independent chains of 512-bit FMAs (enough to cover the FMA
// latency on both pipes). The machines are shared and their clock drifts, so GEMM is also reported against
// this same-run figure, not only against the nominal 223 GFLOP/s.
__attribute__((target("avx512f,fma"))) double measured_peak_gflops() {
  if (!__builtin_cpu_supports("avx512f")) return 0;
  double best = 0;
  for (int trial = 0; trial < 5; ++trial) {
    __m512 acc[16];
    for (int i = 0; i < 16; ++i) acc[i] = _mm512_set1_ps(float(i) * 1e-3f);
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    const long iters = 20'000'000;
    const auto t0 = std::chrono::steady_clock::now();
    for (long it = 0; it < iters; ++it)
#pragma GCC unroll 16
      for (int i = 0; i < 16; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    float sink = 0;
    for (int i = 0; i < 16; ++i) sink += _mm512_reduce_add_ps(acc[i]);
    if (sink == 12345.0f) std::puts("");  // keeps the chains alive
    best = std::max(best, double(iters) * 16 * 16 * 2 / s / 1e9);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  // --json: one line per (threads, shape) for scripts/bench_vs_pytorch.sh; otherwise a table.
  bool json = false;
  double peak = 223.0;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--json")
      json = true;
    else
      peak = std::atof(argv[i]);
  }
  const double now = measured_peak_gflops();
  if (!json)
    std::printf(
        "GEMM through ad::matmul (kernel: %s), float32\nFMA peak per core: nominal %.0f GFLOP/s, "
        "measured now %.0f GFLOP/s (16 chains of 512-bit FMAs)\n",
        linalg::gemm_kernel_name(), peak, now);
  for (int threads : {1, 2})
    tbb::task_arena(threads).execute([&] {
      if (!json) std::printf("\n%d thread%s\n", threads, threads > 1 ? "s" : "");
      if (!json)
        std::printf("%-22s %12s %8s %8s %16s %8s %8s\n", "shape (MxK)(KxN)", "fwd GFLOP/s", "nominal", "now",
                    "fwd+bwd GFLOP/s", "nominal", "now");
      const struct { Index m, k, n; } shapes[] = {{100, 784, 500}, {200, 392, 1000}, {200, 1000, 1000}};
      for (const auto& s : shapes) {
        const Matrix a = Matrix::Random(s.m, s.k), b = Matrix::Random(s.k, s.n);
        Matrix gb = Matrix::Zero(s.k, s.n), bv = b;
        ad::Graph<float> g;
        float sink = 0;
        const double flop = 2.0 * double(s.m) * double(s.k) * double(s.n);
        const double fwd = best_seconds(
                               [&] {
                                 for (int i = 0; i < 10; ++i) {
                                   g.reset();
                                   g.set_grad_enabled(false);
                                   sink += ad::matmul(g.constant(a), g.parameter(bv, gb)).value()(0, 0);
                                 }
                               },
                               5) /
                           10;
        g.set_grad_enabled(true);
        // Backward of a weight-like operand: dB = A^T dY (dA is not needed: the input is data).
        const double both = best_seconds(
                                [&] {
                                  for (int i = 0; i < 10; ++i) {
                                    g.reset();
                                    const auto y = ad::matmul(g.constant(a), g.parameter(bv, gb));
                                    g.backward(ad::sum(y));
                                    sink += gb(0, 0);
                                  }
                                },
                                5) /
                            10;
        char shape[32];
        std::snprintf(shape, sizeof shape, "(%ldx%ld)(%ldx%ld)", long(s.m), long(s.k), long(s.k), long(s.n));
        const double gf = flop / fwd / 1e9, gb2 = 2 * flop / both / 1e9;
        if (json) {
          std::printf(
              "{\"threads\": %d, \"M\": %ld, \"K\": %ld, \"N\": %ld, \"gflops\": %.1f, "
              "\"gflops_fwd_bwd\": %.1f, \"peak_now\": %.1f, \"kernel\": \"%s\"}\n",
              threads, long(s.m), long(s.k), long(s.n), gf, gb2, now, linalg::gemm_kernel_name());
          continue;
        }
        std::printf("%-22s %12.1f %7.0f%% %7.0f%% %16.1f %7.0f%% %7.0f%%   (checksum %g)\n", shape, gf,
                    100 * gf / (peak * threads), 100 * gf / (now * threads), gb2, 100 * gb2 / (peak * threads),
                    100 * gb2 / (now * threads), double(sink));
      }
    });
  return 0;
}
