// The subnormal-flushing guard: it sets and restores the calling thread's mode, and an arena initialized
// under it runs every task, on whichever thread, in that mode.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include "genlab/subnormals.hpp"

using genlab::SubnormalsFlushed;

TEST_CASE("SubnormalsFlushed sets the mode for its lifetime and restores the thread's own", "[numerics]") {
#if defined(__x86_64__) || defined(__i386__)
  const bool before = SubnormalsFlushed::active();
  volatile float tiny = 1e-39f;  // subnormal
  {
    const SubnormalsFlushed guard;
    CHECK(SubnormalsFlushed::active());
    CHECK(tiny * 1.0f == 0.0f);       // read as zero (DAZ)
    volatile float small = 1e-30f;
    CHECK(small * 1e-10f == 0.0f);    // a subnormal result is flushed (FTZ)
    {
      const SubnormalsFlushed nested;  // nesting keeps the mode, and the outer guard's restore still holds
      CHECK(SubnormalsFlushed::active());
    }
    CHECK(SubnormalsFlushed::active());
  }
  CHECK(SubnormalsFlushed::active() == before);
  if (!before) CHECK(tiny * 1.0f != 0.0f);  // gradual underflow again
#else
  SUCCEED("flushing subnormals is implemented for x86's MXCSR only");
#endif
}

TEST_CASE("an arena created under the guard runs all of its tasks with subnormals flushed", "[numerics]") {
#if defined(__x86_64__) || defined(__i386__)
  std::atomic<int> flushed{0};
  constexpr int kTasks = 128;
  {
    const SubnormalsFlushed guard;
    tbb::task_arena arena(2);
    arena.execute([&] {
      tbb::parallel_for(0, kTasks, [&](int) {
        flushed += SubnormalsFlushed::active() ? 1 : 0;
        std::this_thread::sleep_for(std::chrono::microseconds(200));  // lets the worker join
      });
    });
  }
  CHECK(flushed.load() == kTasks);
#else
  SUCCEED("flushing subnormals is implemented for x86's MXCSR only");
#endif
}
