// The `streams` plugin: algorithms over streams of numbers. First member: the two-heap streaming median.
#include <genlab/plugin.hpp>

#include "median_benchmark.hpp"

namespace {
void register_streams(genlab::Registrar& r) {
  r.add_algorithm<genlab::streams::MedianBenchmark>(
      "streaming_median", "running median of a stream with two heaps, verified and timed per operation",
      genlab::streams::MedianBenchmark::schema());
}
}  // namespace

GENLAB_PLUGIN(streams, "0.1.0", register_streams)
