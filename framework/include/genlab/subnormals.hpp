#pragma once
// Subnormal floats (below 1.2e-38 in magnitude) cost x86 cores a microcode assist per operation, about
// a hundred times a normal multiply. Training produces them without anyone asking: a weight that a MADE
// mask cuts off gets only the L2 term as its gradient, Adam walks it to zero, and it ends up, like its
// first moment, subnormal and read by every step (a quarter of an 8000-unit MADE's weights after five
// epochs, which made its steps 7 times slower). genlab therefore runs its work with subnormals flushed
// to zero, as most numerical frameworks on CPUs do; the results differ only in values smaller than
// 1.2e-38, which become 0.
#include "genlab/export.hpp"

namespace genlab {

/// While alive, the calling thread flushes subnormal results to zero and reads subnormal inputs as zero
/// (x86 MXCSR FTZ and DAZ; a no-op elsewhere); the thread's previous mode comes back at the end. oneTBB
/// captures a thread's floating-point mode when it initializes a task_arena, so an arena created under
/// the guard runs all of its tasks, on every worker, in the same mode: create it inside the guard.
class GENLAB_EXPORT SubnormalsFlushed {
 public:
  SubnormalsFlushed();
  ~SubnormalsFlushed();
  SubnormalsFlushed(const SubnormalsFlushed&) = delete;
  SubnormalsFlushed& operator=(const SubnormalsFlushed&) = delete;

  /// Whether the calling thread currently flushes subnormals (both FTZ and DAZ set).
  static bool active();

 private:
  unsigned saved_;
};

}  // namespace genlab
