// GEMM throughput through genlab's tensor layer (ad::matmul forward, and forward + backward), on the shapes
// of issue 3, with 1 and 2 threads, as GFLOP/s and as a fraction of the FMA peak measured on this machine
// (../shared/bench/README.md: 223 GFLOP/s per core in float32, times the thread count). Prints figures;
// asserts nothing.
//   build/framework/bench/genlab_bench_gemm [peak_gflops]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
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
}  // namespace

int main(int argc, char** argv) {
  const double peak = argc > 1 ? std::atof(argv[1]) : 223.0;
  std::printf("GEMM through ad::matmul (kernel: %s), float32; FMA peak %.0f GFLOP/s per core\n",
              linalg::gemm_kernel_name(), peak);
  for (int threads : {1, 2})
    tbb::task_arena(threads).execute([&] {
      std::printf("\n%d thread%s\n", threads, threads > 1 ? "s" : "");
      std::printf("%-22s %12s %8s %18s %8s\n", "shape (MxK)(KxN)", "fwd GFLOP/s", "of peak", "fwd+bwd GFLOP/s",
                  "of peak");
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
        std::printf("%-22s %12.1f %7.0f%% %18.1f %7.0f%%   (checksum %g)\n", shape, flop / fwd / 1e9,
                    100 * flop / fwd / 1e9 / (peak * threads), 2 * flop / both / 1e9,
                    100 * 2 * flop / both / 1e9 / (peak * threads), double(sink));
      }
    });
  return 0;
}
