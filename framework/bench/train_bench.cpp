// Training throughput (examples/s) of a MADE-sized and a NICE-sized model through genlab's real training
// step (train_step: forward, checks, backward, Adam), with 1 and 2 threads, next to the GEMM-bound ceiling
// measured in the same process. Prints a table and one JSON line per (model, threads); asserts nothing.
// scripts/bench_vs_pytorch.sh runs it interleaved with the PyTorch references of ../shared/bench/.
//
// The models mirror ../shared/bench/peers/models.py:
//   made: the real `made` model of the autoregressive plugin, built from framework/bench/made_784_500.yaml:
//         784-500-784, ReLU, natural order, one mask (hidden degrees uniform in [1, 783]; sort_degrees
//         numbers the units by degree, so the GEMM skips the masks' zero blocks), no direct connections, Bernoulli
//         logits, loss = summed BCE per image averaged over the batch of 100. The ceiling still counts the
//         dense FLOPs, as the peers do them.
//   nice: the real `flow` model of the flows plugin, built from the model section of
//         experiments/paper/nice_mnist.yaml (4 additive couplings on the odd/even split, each an MLP
//         392-1000x5 (ReLU)-392, a diagonal scale, logistic prior), fed x = (pixel + U[0,1)) / 256 by the
//         framework's dequantization transform as the trainer does; batch 200.
// The data are synthetic with MNIST's shape (binary pixels for made, 8-bit pixels for nice): the work per
// step does not depend on the values. Protocol as the peers: warm-up steps, then 5 timed windows, median.
//   made8000x2 (only when asked for): the 2 x 8000, 32-mask MADE of the paper table, from
//         framework/bench/made_8000x2_32masks.yaml.
//   iwae50 (only when asked for): the IWAE k = 50 row of experiments/paper/iwae_mnist.yaml (its third run),
//         784-200-200-50 / 50-200-200-784, tanh, batch 20, so 1000 decoder passes per step; Adam with the
//         peers' settings rather than the row's eps; binary data drawn once (the row binarizes each batch
//         afresh, about 4% of its step). No PyTorch peer: it measures our own 1- and 2-thread scaling.
//   build/framework/bench/genlab_bench_train [--models made,nice,made8000x2,iwae50] [--threads 1,2] [--json]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include <oneapi/tbb/task_arena.h>

#include "experiment.hpp"
#include "genlab/params.hpp"
#include "genlab/subnormals.hpp"
#include "genlab/ad/ops.hpp"
#include "genlab/data/transform.hpp"
#include "genlab/linalg/gemm.hpp"
#include "genlab/nn/layers.hpp"
#include "genlab/nn/optim.hpp"
#include "train/train_step.hpp"

using namespace genlab;

namespace {

constexpr Index kPixels = 784;

// The model of run 0 of an experiment file, built by its plugin exactly as the trainer would build it.
const char* const kNiceExperiment = GENLAB_SOURCE_DIR "/experiments/paper/nice_mnist.yaml";
const char* const kMadeExperiment = GENLAB_SOURCE_DIR "/framework/bench/made_784_500.yaml";
const char* const kBigMadeExperiment = GENLAB_SOURCE_DIR "/framework/bench/made_8000x2_32masks.yaml";
const char* const kIwaeExperiment = GENLAB_SOURCE_DIR "/experiments/paper/iwae_mnist.yaml";

std::unique_ptr<Model> plugin_model(const std::string& experiment, Rng& rng, std::size_t run_index = 0) {
  static Registry registry = [] {
    Registry r;
    register_builtins(r);
    load_plugins(r, {GENLAB_PLUGIN_BUILD_DIR});
    return r;
  }();
  const ExperimentPlan plan = plan_experiment(experiment, {}, registry);
  const RunSpec& run = plan.runs.at(run_index);
  return run.component->make_model(Params(run.component->name, *run.config.find("model")),
                                   ModelSetup{kPixels, &rng, 0});
}

struct Spec {
  std::string name;
  Index batch;
  int warmup, steps;
  double exact_flops;  // training FLOPs per example, GEMMs only, no dX for the data-fed layer
  Index gm, gk, gn;    // the dominant GEMM shape, for the ceiling
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// GFLOP/s of our GEMM at one shape (median of 5 trials of >= 0.2 s), in the current arena.
double gemm_gflops(Index m, Index k, Index n) {
  const Matrix a = Matrix::Random(m, k), b = Matrix::Random(k, n);
  Matrix c(m, n);
  std::vector<double> trials;
  for (int t = 0; t < 5; ++t) {
    int reps = 0;
    const auto t0 = std::chrono::steady_clock::now();
    do {
      linalg::gemm(1.0f, linalg::view(a), linalg::view(b), 0.0f, linalg::view(c));
      ++reps;
    } while (seconds_since(t0) < 0.2);
    trials.push_back(2.0 * double(m) * double(k) * double(n) * reps / seconds_since(t0) / 1e9);
  }
  return median(trials);
}

long minor_faults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

struct Result {
  double examples_per_s, ceiling, gemm, faults_per_step;
  std::vector<double> windows;
};

Result measure(const Spec& spec, int threads) {
  Result r{};
  const SubnormalsFlushed flushed;  // as `genlab run` trains (genlab/subnormals.hpp)
  tbb::task_arena(threads).execute([&] {
    Rng rng(0);
    std::unique_ptr<Model> model;
    std::shared_ptr<const BatchTransform> transform;
    if (spec.name == "made") {
      model = plugin_model(kMadeExperiment, rng);
    } else if (spec.name == "made8000x2") {
      model = plugin_model(kBigMadeExperiment, rng);
    } else if (spec.name == "iwae50") {
      model = plugin_model(kIwaeExperiment, rng, 2);
    } else {
      model = plugin_model(kNiceExperiment, rng);
      PixelTransformConfig pc;
      pc.dequantize = true;
      transform = make_pixel_transform(pc);
    }
    // The training set as the peers hold it: 60000 examples in memory, batches gathered in shuffled order.
    const Index n = 60000;
    Matrix data(n, kPixels);
    for (Index i = 0; i < data.size(); ++i)
      data.data()[i] = spec.name != "nice" ? float(rng.below(2)) : float(rng.below(256));
    std::vector<Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Index{0});
    for (Index i = n - 1; i > 0; --i) std::swap(order[std::size_t(i)], order[rng.below(std::uint64_t(i) + 1)]);
    nn::OptimizerConfig oc;  // Adam, lr 1e-3, betas (0.9, 0.999), eps 1e-8: the peers' settings
    auto opt = nn::make_optimizer<float>(oc, model->params());
    ad::Graph<float> g;
    Matrix batch(spec.batch, kPixels);
    std::int64_t step = 0;
    Index cursor = 0;
    auto one_step = [&] {
      if (cursor + spec.batch > n) cursor = 0;
      for (Index b = 0; b < spec.batch; ++b) batch.row(b) = data.row(order[std::size_t(cursor + b)]);
      cursor += spec.batch;
      Rng noise = rng.split(std::uint64_t(step));
      if (transform) transform->apply(batch, noise, nullptr);
      train_step(spec.name, *model, g, batch, noise, *opt, 0.0, 1e-3, {step, 0});
      ++step;
    };
    for (int i = 0; i < spec.warmup; ++i) one_step();
    const long faults0 = minor_faults();
    for (int w = 0; w < 5; ++w) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < spec.steps; ++i) one_step();
      r.windows.push_back(double(spec.steps * spec.batch) / seconds_since(t0));
    }
    r.faults_per_step = double(minor_faults() - faults0) / (5.0 * spec.steps);
    r.examples_per_s = median(r.windows);
    r.gemm = gemm_gflops(spec.gm, spec.gk, spec.gn);
    r.ceiling = r.gemm * 1e9 / spec.exact_flops;
  });
  return r;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> models = {"made", "nice"};
  std::vector<int> threads = {1, 2};
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--models" && i + 1 < argc) {
      models = split(argv[++i]);
    } else if (a == "--threads" && i + 1 < argc) {
      threads.clear();
      for (const auto& t : split(argv[++i])) threads.push_back(std::stoi(t));
    } else if (a == "--json") {
      json = true;
    } else {
      std::fprintf(stderr, "usage: %s [--models made,nice,made8000x2,iwae50] [--threads 1,2] [--json]\n", argv[0]);
      return 2;
    }
  }
  // FLOPs as in ../shared/bench/README.md: 2 in out per Linear forward; training = 3x forward minus the
  // input gradient of the layer fed by data.
  const Spec specs[] = {
      {"made", 100, 50, 200, 3.0 * 2 * (784.0 * 500 * 2) - 2 * 784.0 * 500, 100, 784, 500},
      {"nice", 200, 3, 10, 3.0 * 2 * 4 * (392.0 * 1000 * 2 + 4 * 1000.0 * 1000) - 2 * 392.0 * 1000, 200, 1000, 1000},
      // Not run by default (--models made8000x2): the paper's 2 x 8000 MADE, 32 masks, direct connections.
      {"made8000x2", 100, 3, 8,
       3.0 * 2 * (784.0 * 8000 * 2 + 8000.0 * 8000 + 784.0 * 784) - 2 * (784.0 * 8000 + 784.0 * 784), 100, 8000,
       8000},
      // Not run by default (--models iwae50): the encoder once per example, the decoder 50 times.
      {"iwae50", 20, 20, 100,
       3.0 * 2 * ((784.0 * 200 + 200.0 * 200 + 200.0 * 100) + 50 * (50.0 * 200 + 200.0 * 200 + 200.0 * 784)) -
           2 * 784.0 * 200,
       1000, 200, 784},
  };
  if (!json)
    std::printf("%-6s %7s %14s %24s %16s %12s %12s\n", "model", "threads", "examples/s", "windows (min-max)",
                "GEMM-bound ceil", "of ceiling", "faults/step");
  for (const auto& m : models)
    for (const Spec& spec : specs) {
      if (spec.name != m) continue;
      for (int t : threads) {
        const Result r = measure(spec, t);
        const auto [lo, hi] = std::minmax_element(r.windows.begin(), r.windows.end());
        if (json) {
          std::printf(
              "{\"model\": \"%s\", \"threads\": %d, \"batch\": %ld, \"examples_per_s\": %.1f, \"ceiling\": %.1f, "
              "\"gemm_gflops\": %.1f, \"faults_per_step\": %.1f, \"kernel\": \"%s\"}\n",
              spec.name.c_str(), t, long(spec.batch), r.examples_per_s, r.ceiling, r.gemm, r.faults_per_step,
              linalg::gemm_kernel_name());
        } else {
          char win[64];
          std::snprintf(win, sizeof win, "%.0f-%.0f", *lo, *hi);
          std::printf("%-6s %7d %14.0f %24s %16.0f %11.0f%% %12.1f\n", spec.name.c_str(), t, r.examples_per_s, win,
                      r.ceiling, 100 * r.examples_per_s / r.ceiling, r.faults_per_step);
        }
        std::fflush(stdout);
      }
    }
  return 0;
}
