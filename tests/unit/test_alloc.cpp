// Counts heap allocations in the steady state of a training step: graph reset, forward, backward,
// optimizer update. Its own test program, because it replaces malloc for the whole process (glibc's
// __libc_malloc does the work). Not built under AddressSanitizer, which owns malloc itself.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <cstdlib>

#include <oneapi/tbb/task_arena.h>

#include "genlab/ad/ops.hpp"
#include "genlab/nn/layers.hpp"
#include "genlab/nn/optim.hpp"
#include "registry.hpp"

extern "C" void* __libc_malloc(std::size_t);
extern "C" void* __libc_calloc(std::size_t, std::size_t);
extern "C" void* __libc_realloc(void*, std::size_t);

namespace {
std::atomic<long> g_allocations{0};
std::atomic<bool> g_counting{false};
void note() {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

extern "C" void* malloc(std::size_t n) {
  note();
  return __libc_malloc(n);
}
extern "C" void* calloc(std::size_t n, std::size_t s) {
  note();
  return __libc_calloc(n, s);
}
extern "C" void* realloc(void* p, std::size_t n) {
  note();
  return __libc_realloc(p, n);
}

using namespace genlab;

namespace {
// Runs `step` a few times to warm up, then counts allocations over further steps.
template <class Step>
long allocations_in_steady_state(Step step) {
  for (int i = 0; i < 3; ++i) step();
  g_allocations = 0;
  g_counting = true;
  for (int i = 0; i < 5; ++i) step();
  g_counting = false;
  return g_allocations.load();
}
}  // namespace

TEST_CASE("the counter sees allocations (so a zero below means something)", "[alloc]") {
  const Matrix x = Matrix::Random(16, 8);
  float sink = 0;
  CHECK(allocations_in_steady_state([&] {
          const Matrix fresh = x * x.transpose();  // a new matrix every time
          sink += fresh(0, 0);
        }) >= 5);
  CHECK(std::isfinite(sink));
}

TEST_CASE("an MLP training step allocates nothing in the steady state", "[alloc]") {
  Rng rng(1);
  nn::ParamSet<float> ps;
  nn::Mlp<float> mlp(ps, "net", {8, 32, 32, 4}, nn::Activation::Relu, rng);
  nn::OptimizerConfig cfg;  // adam
  auto opt = nn::make_optimizer(cfg, ps);
  const Matrix x = Matrix::Random(16, 8), y = Matrix::Random(16, 4);
  ad::Graph<float> g;
  const long n = allocations_in_steady_state([&] {
    g.reset();
    const auto loss = ad::mean(ad::square(ad::sub(mlp(g, g.constant(x)), g.constant(y))));
    g.backward(loss);
    nn::clip_grad_norm(ps, 1.0);
    opt->step(ps, 1e-3);
  });
  CHECK(n == 0);
}

TEST_CASE("a plugin model's training step allocates nothing in the steady state", "[alloc]") {
  Registry reg;
  load_plugins(reg, {GENLAB_PLUGIN_DIR});
  const ComponentInfo* c = reg.find("gaussian_mixture");
  REQUIRE(c);
  Rng rng(2);
  auto model =
      c->make_model(Params("gaussian_mixture", c->schema.resolve(Value::map(), "model", {})), ModelSetup{2, &rng});
  auto opt = nn::make_optimizer(nn::OptimizerConfig{}, model->params());
  const Matrix batch = Matrix::Random(64, 2);
  ad::Graph<float> g;
  std::uint64_t step = 0;
  const long n = allocations_in_steady_state([&] {
    g.reset();
    Rng noise = rng.split(step++);
    const auto loss = model->loss(g, batch, noise);
    g.backward(loss);
    opt->step(model->params(), 1e-3);
  });
  CHECK(n == 0);
}

// Shapes large enough for the packed GEMM and its oneTBB tasks (a 784-500-784 autoencoder step at batch 100):
// packing buffers are per-thread caches, filled during warm-up. One thread, so every thread has warmed up.
TEST_CASE("a GEMM-sized training step allocates nothing in the steady state", "[alloc]") {
  Rng rng(3);
  nn::ParamSet<float> ps;
  nn::Mlp<float> mlp(ps, "net", {784, 500, 784}, nn::Activation::Relu, rng);
  auto opt = nn::make_optimizer(nn::OptimizerConfig{}, ps);
  const Matrix x = Matrix::Random(100, 784);
  ad::Graph<float> g;
  long n = -1;
  tbb::task_arena(1).execute([&] {
    n = allocations_in_steady_state([&] {
      g.reset();
      const auto loss = ad::mean(ad::square(ad::sub(mlp(g, g.constant(x)), g.constant(x))));
      g.backward(loss);
      opt->step(ps, 1e-3);
    });
  });
  CHECK(n == 0);
}
