#pragma once
#include <genlab/algorithm.hpp>
#include <genlab/params.hpp>
#include <genlab/schema.hpp>

#include "network.hpp"

namespace genlab::cnn {

/// Receptive field, effective stride and padding and the first unit's centre for every layer of a
/// builtin or YAML-described network, checked by brute force (impulses on a 1-D canvas) and, for the
/// builtins, against the Distill article's table.
class ReceptiveFieldRun final : public Algorithm {
 public:
  explicit ReceptiveFieldRun(const Params& p);
  void run(RunContext& ctx) override;
  static Schema schema();

 private:
  std::string network_name_, layer_;
  Network net_;
  std::int64_t input_size_;
  bool brute_force_;
};

}  // namespace genlab::cnn
