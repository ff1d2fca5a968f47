#pragma once
#include <genlab/algorithm.hpp>
#include <genlab/params.hpp>
#include <genlab/schema.hpp>

namespace genlab::streams {

/// Top-K (or bottom-K) of a generated stream by our bounded binary heap, std::priority_queue (bounded the
/// same way), std::partial_sort, std::nth_element, and Boost.Heap's d-ary, pairing and Fibonacci heaps
/// (bounded). Every answer must equal ours exactly; each is timed (ns per stream element, best of repeats).
class TopKBenchmark final : public Algorithm {
 public:
  explicit TopKBenchmark(const Params& p);
  void run(RunContext& ctx) override;
  static Schema schema();

 private:
  std::int64_t n_, k_, repeats_;
  std::string distribution_, direction_, methods_;
};

}  // namespace genlab::streams
