#pragma once
#include <genlab/algorithm.hpp>
#include <genlab/params.hpp>
#include <genlab/schema.hpp>

namespace genlab::streams {

/// Benchmark run of the two-heap streaming median: generates a stream, times add()+median() per element,
/// verifies against a reference (every step for small n, sampled checkpoints for large n).
class MedianBenchmark final : public Algorithm {
 public:
  explicit MedianBenchmark(const Params& p);
  void run(RunContext& ctx) override;
  static Schema schema();

 private:
  template <class T>
  void run_typed(RunContext& ctx);

  std::int64_t n_, checks_, exhaustive_below_;
  std::string distribution_, value_type_;
};

}  // namespace genlab::streams
