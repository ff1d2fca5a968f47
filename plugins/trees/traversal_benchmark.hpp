#pragma once
#include <genlab/algorithm.hpp>
#include <genlab/params.hpp>
#include <genlab/schema.hpp>

namespace genlab::trees {

/// One tree (generated or given in level-order form), every traversal order by every method: each
/// variant's output is checked against the iterative one, Morris is checked to leave the tree as it
/// found it, and each is timed (best of `repeats`) with its peak auxiliary entries and bytes logged.
class TraversalBenchmark final : public Algorithm {
 public:
  explicit TraversalBenchmark(const Params& p);
  void run(RunContext& ctx) override;
  static Schema schema();

 private:
  std::string shape_, level_order_, orders_, methods_;
  std::int64_t n_, max_depth_, repeats_;
};

}  // namespace genlab::trees
