#pragma once
#include <genlab/algorithm.hpp>
#include <genlab/params.hpp>
#include <genlab/schema.hpp>

namespace genlab::graph {

/// One graph (generated or read from a file), a minimum spanning forest by every implementation: each is
/// checked to be a spanning forest of the graph with the same total weight as Boost.Graph's Kruskal (and
/// the same edges when weights are distinct), and timed (best of `repeats`) against it.
class MstBenchmark final : public Algorithm {
 public:
  explicit MstBenchmark(const Params& p);
  void run(RunContext& ctx) override;
  static Schema schema();

 private:
  std::string input_, path_, implementations_;
  std::int64_t n_, m_, weight_levels_, repeats_;
  std::vector<std::int64_t> threads_;
};

}  // namespace genlab::graph
