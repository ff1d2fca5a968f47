#include "median_benchmark.hpp"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "streaming_median.hpp"

namespace genlab::streams {

Schema MedianBenchmark::schema() {
  return Schema()
      .integer("n", 100000, {.min = 1, .max = 1e9}, "stream length")
      .choice("distribution", "random", {"random", "sorted", "reversed", "duplicates"},
              "input order: uniform random, ascending, descending, or random with only 16 distinct values")
      .choice("value_type", "int64", {"int64", "double"}, "element type of the stream")
      .integer("checks", 32, {.min = 1, .max = 100000},
               "reference checkpoints for sampled verification (evenly spaced, the last step included)")
      .integer("exhaustive_below", 10000, {.min = 0, .max = 1000000},
               "streams up to this length are verified at every step against a sorted vector");
}

MedianBenchmark::MedianBenchmark(const Params& p)
    : n_(p.get_int("n")),
      checks_(p.get_int("checks")),
      exhaustive_below_(p.get_int("exhaustive_below")),
      distribution_(p.get_string("distribution")),
      value_type_(p.get_string("value_type")) {}

void MedianBenchmark::run(RunContext& ctx) {
  if (value_type_ == "int64")
    run_typed<std::int64_t>(ctx);
  else
    run_typed<double>(ctx);
}

namespace {

template <class T>
std::vector<T> make_stream(std::int64_t n, const std::string& distribution, Rng& rng) {
  std::vector<T> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    T x;
    if (distribution == "sorted")
      x = static_cast<T>(i);
    else if (distribution == "reversed")
      x = static_cast<T>(n - i);
    else if (distribution == "duplicates")
      x = static_cast<T>(rng.below(16));
    else if constexpr (std::is_floating_point_v<T>)
      x = rng.uniform(-1e6, 1e6);
    else
      x = static_cast<T>(rng.below(std::uint64_t{1} << 31));
    v[static_cast<std::size_t>(i)] = x;
  }
  return v;
}

[[noreturn]] void mismatch(std::int64_t step, double got, double want) {
  throw Error("median mismatch after " + std::to_string(step) + " elements: two heaps give " + std::to_string(got) +
              ", reference gives " + std::to_string(want));
}

}  // namespace

template <class T>
void MedianBenchmark::run_typed(RunContext& ctx) {
  Rng rng = ctx.rng("data");
  const std::vector<T> stream = make_stream<T>(n_, distribution_, rng);
  const bool exhaustive = n_ <= exhaustive_below_;
  StreamingMedian<T> med;
  med.reserve(stream.size());

  if (exhaustive) {
    // Every step against a sorted vector; the timed pass below is separate so checks cost it nothing.
    SortedVectorMedian<T> ref;
    for (std::int64_t i = 0; i < n_; ++i) {
      med.add(stream[static_cast<std::size_t>(i)]);
      ref.add(stream[static_cast<std::size_t>(i)]);
      if (med.median() != ref.median()) mismatch(i + 1, med.median(), ref.median());
    }
    med = StreamingMedian<T>();
    med.reserve(stream.size());
  }

  // Timed pass in segments; each segment ends at a checkpoint verified by selection (outside the timing).
  const std::int64_t segments = std::min<std::int64_t>(checks_, n_);
  std::vector<T> scratch;
  double sum_of_medians = 0;  // a checksum of every answer, also keeps the work from being optimized away
  std::int64_t timed_ns = 0, verified = exhaustive ? n_ : 0;
  std::int64_t done = 0;
  for (std::int64_t s = 1; s <= segments; ++s) {
    const std::int64_t end = n_ * s / segments;
    const auto t0 = std::chrono::steady_clock::now();
    for (std::int64_t i = done; i < end; ++i) {
      med.add(stream[static_cast<std::size_t>(i)]);
      sum_of_medians += med.median();
    }
    const auto t1 = std::chrono::steady_clock::now();
    const auto seg_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
    timed_ns += seg_ns;
    if (!exhaustive) {
      const double want = reference_median(stream, static_cast<std::size_t>(end), scratch);
      if (med.median() != want) mismatch(end, med.median(), want);
      ++verified;
    }
    ctx.log("median", end, med.median());
    ctx.log("segment_op_ns", end, static_cast<double>(seg_ns) / static_cast<double>(end - done));
    done = end;
    ctx.set_progress(static_cast<double>(done) / static_cast<double>(n_));
    ctx.check_stop();
  }
  ctx.set_final("correct", 1.0);
  ctx.set_final("verified_steps", static_cast<double>(verified));
  ctx.set_final("median", med.median());
  ctx.set_final("sum_of_medians", sum_of_medians);
  ctx.set_final("op_ns", static_cast<double>(timed_ns) / static_cast<double>(n_));
  ctx.note(std::string(exhaustive ? "verified at every step" : "verified at sampled checkpoints") +
           " against the reference");
}

}  // namespace genlab::streams
