// The `streams` plugin: algorithms over streams of numbers. The two-heap streaming median and heap top-K.
#include <genlab/plugin.hpp>

#include "median_benchmark.hpp"
#include "top_k_benchmark.hpp"

namespace {
void register_streams(genlab::Registrar& r) {
  r.add_algorithm<genlab::streams::MedianBenchmark>(
      "streaming_median", "running median of a stream with two heaps, verified and timed per operation",
      genlab::streams::MedianBenchmark::schema());
  r.add_algorithm<genlab::streams::TopKBenchmark>(
      "top_k", "top-K / bottom-K of a stream: our binary heap against std and Boost.Heap, verified and timed",
      genlab::streams::TopKBenchmark::schema());
}
}  // namespace

GENLAB_PLUGIN(streams, "0.1.0", register_streams)
