#pragma once
// Algorithm: a component that runs an algorithm benchmark: it generates its inputs from its parameters and
// the run's RNG, runs each implementation, verifies against a reference, and logs metrics and timings.
// A failed verification is an exception (the run is recorded as failed with the message).
#include "genlab/export.hpp"
#include "genlab/run_context.hpp"

namespace genlab {

class GENLAB_EXPORT Algorithm {
 public:
  virtual ~Algorithm();
  virtual void run(RunContext& ctx) = 0;
};

}  // namespace genlab
