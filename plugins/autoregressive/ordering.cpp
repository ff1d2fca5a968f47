#include "ordering.hpp"

#include <genlab/error.hpp>

#include <algorithm>
#include <numeric>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

namespace genlab::autoregressive {

Ordering Ordering::from(std::vector<Index> order) {
  Ordering o;
  o.position.assign(order.size(), 0);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const Index d = order[k];
    if (d < 0 || d >= Index(order.size()) || o.position[std::size_t(d)] != 0)
      throw Error("ordering: not a permutation of 0.." + std::to_string(order.size() - 1));
    o.position[std::size_t(d)] = Index(k) + 1;
  }
  o.order = std::move(order);
  return o;
}

Ordering Ordering::natural(Index d) {
  std::vector<Index> order(static_cast<std::size_t>(d));
  std::iota(order.begin(), order.end(), Index{0});
  return from(std::move(order));
}

Ordering Ordering::random(Index d, Rng& rng) {
  std::vector<Index> order(static_cast<std::size_t>(d));
  std::iota(order.begin(), order.end(), Index{0});
  for (Index i = d - 1; i > 0; --i) std::swap(order[std::size_t(i)], order[rng.below(std::uint64_t(i) + 1)]);
  return from(std::move(order));
}

namespace {

// Every mask here has the form mask(r, c) = key[c] >= threshold[r]. The masks of an 8000-unit MADE layer
// have 6M entries and are rebuilt whenever a minibatch draws another mask, so the rows are filled in
// parallel by a compare the compiler vectorizes (keys as floats: degrees and positions are far below
// 2^24, so the comparison is exact).
void threshold_mask(const std::vector<Index>& threshold, const std::vector<Index>& key, Matrix& mask) {
  const Index rows = Index(threshold.size()), cols = Index(key.size());
  mask.resize(rows, cols);
  const std::vector<float> k(key.begin(), key.end());
  const Index grain = std::max<Index>(1, (Index{1} << 16) / std::max<Index>(cols, 1));
  tbb::parallel_for(tbb::blocked_range<Index>(0, rows, grain), [&](const tbb::blocked_range<Index>& r) {
    for (Index i = r.begin(); i < r.end(); ++i) {
      float* __restrict out = mask.data() + i * cols;
      const float t = float(threshold[std::size_t(i)]);
      const float* __restrict kk = k.data();
      for (Index c = 0; c < cols; ++c) out[c] = kk[c] >= t ? 1.0f : 0.0f;
    }
  });
}

std::vector<Index> plus_one(std::vector<Index> v) {
  for (Index& x : v) ++x;
  return v;
}

}  // namespace

Matrix strictly_earlier_mask(const Ordering& o) {
  Matrix m;
  threshold_mask(plus_one(o.position), o.position, m);  // position[i] > position[j]
  return m;
}

std::vector<Index> hidden_degrees(Index units, Index lo, Index d, Rng& rng) {
  std::vector<Index> deg(static_cast<std::size_t>(units));
  const Index hi = std::max<Index>(lo, d - 1);
  for (Index& k : deg) k = lo + Index(rng.below(std::uint64_t(hi - lo + 1)));
  return deg;
}

void hidden_mask(const std::vector<Index>& below, const std::vector<Index>& above, Matrix& mask) {
  threshold_mask(below, above, mask);
}

void output_mask(const std::vector<Index>& below, const Ordering& o, Matrix& mask) {
  threshold_mask(plus_one(below), o.position, mask);  // position[i] > below[k]
}

}  // namespace genlab::autoregressive
