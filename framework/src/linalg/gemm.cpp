// Packed, register-blocked SGEMM (the BLIS loop structure) with an AVX-512 micro-kernel, and Eigen as the
// fallback on CPUs without AVX-512 and for products too small to pay for packing.
//
// Why our own kernel: measured on the target machine (Zen 5, AVX-512, ../shared/bench/README.md), Eigen 3.4
// reaches 115-134 GFLOP/s single-threaded on our shapes; OpenBLAS's AVX-512 kernel ~180, but the machines
// preset OPENBLAS_CORETYPE=Haswell (AVX2, ~100) and we may not touch that variable; Debian's BLIS 0.9
// autodetects this CPU as "generic" (33 GFLOP/s) and can be steered to its skx kernel only through an
// environment variable or unexported symbols. A ~200-line kernel with runtime dispatch avoids all three.
//
// Loop structure, for C (M x N) += A (M x K) B (K x N):
//   for each K block of KC:            pack B[kc x N] into NR-wide column panels (shared by all tasks;
//                                      a small M reads row-major B in place instead: reads_b_in_place)
//     parallel for each row chunk:     pack A[chunk x kc] into MR-tall row panels (per-thread buffer)
//       for each NR panel of B:        (stays in L1 while the chunk's A panels stream from L2)
//         for each MR panel of A:      micro-kernel: MR x NR tile of C in registers, kc rank-1 updates
//                                      (only over the panel's rows that a mask leaves nonzero)
// Every C element sees the same FMA sequence whatever the chunking, so results do not depend on threads.
#include "genlab/linalg/gemm.hpp"

#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include "genlab/error.hpp"

namespace genlab::linalg {
namespace {

constexpr Index MR = 10;  // rows of the register tile: 10 x 2 zmm accumulators; 10 divides batch sizes 100, 200
constexpr Index NV = 2;   // 16-float vectors per tile row
constexpr Index NR = 16 * NV;
constexpr Index KC = 384;  // depth of one packed block: a B micro-panel (KC x NR floats) is 48 KiB
constexpr Index MC = 120;  // rows per task: the packed A chunk (MC x KC) is 180 KiB, inside the 1 MiB L2

// Products below this many multiply-adds go to Eigen: packing would cost more than it saves.
constexpr double kSmallProduct = 32.0 * 32 * 32;

// A cache-line aligned float buffer that only grows. One per thread (thread_local): it is a cache, not
// state, and keeping it is what makes the steady state allocation-free.
struct Buffer {
  float* data = nullptr;
  std::size_t size = 0;
  ~Buffer() { std::free(data); }
  float* reserve(std::size_t n) {
    if (n > size) {
      std::free(data);
      size = std::max(n, size + size / 2);
      data = static_cast<float*>(std::aligned_alloc(64, (size * sizeof(float) + 63) / 64 * 64));
      if (data == nullptr) throw std::bad_alloc();
    }
    return data;
  }
};
thread_local Buffer tls_a, tls_b;

// The rows [lo, hi) of a packed B panel outside which every entry is zero (see nonzero_rows).
struct KRange {
  Index lo, hi;
};
// Per-thread and only growing, like Buffer: the packed B panels' ranges.
struct RangeBuffer {
  std::vector<KRange> data;
  KRange* reserve(Index n) {
    if (data.size() < std::size_t(n)) data.resize(std::size_t(n));
    return data.data();
  }
};
thread_local RangeBuffer tls_ranges;

bool cpu_has_avx512() {
  static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
  return ok;
}

// The packing routines run only on the AVX-512 path. Packing is pure data movement, and at batch sizes of
// 100-200 it is a sixth of a training step if done element by element (each packed weight is used by only
// M rows), so it moves whole vectors: row-major B by (masked) vector copies; the layouts that need a
// transpose (B = W^T in backward, row-major A) read 16 contiguous floats from each of 16 source lines and
// transpose the 16 x 16 block in registers. (Gathers were tried first: slower than scalar code here.)
#define GENLAB_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma")))

// Lane mask of the first n lanes (n clamped to 0..16).
inline __mmask16 first_lanes(Index n) {
  return static_cast<__mmask16>((1u << std::clamp<Index>(n, 0, 16)) - 1u);
}

// Which of 16 columns (degrees col[0..n), n clamped to 0..16) a degree mask keeps in a row of degree rd.
template <int Pred>
GENLAB_AVX512 inline __mmask16 keep_lanes_as(Index rd, const Index* col, Index n) {
  const __mmask8 l0 = static_cast<__mmask8>(first_lanes(n)), l1 = static_cast<__mmask8>(first_lanes(n - 8));
  const __m512i r = _mm512_set1_epi64(rd);
  const __mmask8 k0 = _mm512_mask_cmp_epi64_mask(l0, _mm512_maskz_loadu_epi64(l0, col), r, Pred);
  const __mmask8 k1 = _mm512_mask_cmp_epi64_mask(l1, _mm512_maskz_loadu_epi64(l1, col + 8), r, Pred);
  return static_cast<__mmask16>(k0 | (unsigned(k1) << 8));
}
GENLAB_AVX512 inline __mmask16 keep_lanes(const DegreeMask& d, Index rd, const Index* col, Index n) {
  // row_first keeps rd <= c (strict: <), that is c >= rd (c > rd); otherwise c <= rd (c < rd).
  if (d.row_first) return d.strict ? keep_lanes_as<_MM_CMPINT_NLE>(rd, col, n) : keep_lanes_as<_MM_CMPINT_NLT>(rd, col, n);
  return d.strict ? keep_lanes_as<_MM_CMPINT_LT>(rd, col, n) : keep_lanes_as<_MM_CMPINT_LE>(rd, col, n);
}

// In-register transpose: afterwards r[t] lane i holds what r[i] lane t held.
GENLAB_AVX512 inline void transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 8; ++i) {  // interleave 32-bit elements of row pairs, within 128-bit lanes
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; ++i) {  // then 64-bit pairs: r[4i + m] lane L = column 4L + m of rows 4i..4i+3
    const __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 1]);
    const __m512d c = _mm512_castps_pd(t[4 * i + 2]), d = _mm512_castps_pd(t[4 * i + 3]);
    r[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
    r[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
    r[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
    r[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
  }
  for (int m = 0; m < 4; ++m) {  // finally gather the four row groups' 128-bit lanes for each column
    const __m512 v0 = _mm512_shuffle_f32x4(r[m], r[4 + m], 0x44), v1 = _mm512_shuffle_f32x4(r[m], r[4 + m], 0xEE);
    const __m512 w0 = _mm512_shuffle_f32x4(r[8 + m], r[12 + m], 0x44);
    const __m512 w1 = _mm512_shuffle_f32x4(r[8 + m], r[12 + m], 0xEE);
    t[m] = _mm512_shuffle_f32x4(v0, w0, 0x88);
    t[4 + m] = _mm512_shuffle_f32x4(v0, w0, 0xDD);
    t[8 + m] = _mm512_shuffle_f32x4(v1, w1, 0x88);
    t[12 + m] = _mm512_shuffle_f32x4(v1, w1, 0xDD);
  }
  for (int i = 0; i < 16; ++i) r[i] = t[i];
}

// out(k, i) = src_i[k] for k < kc and i < lines (16 source lines, each contiguous along k; lines past
// `lines` read as zero), times msrc_i[k] when msrc (laid out like src) is set: 16 k at a time, the first
// `lanes` lanes of each transposed row stored at dst + k * dst_stride.
GENLAB_AVX512 void transpose_lines(const float* src, const float* msrc, Index src_stride, Index lines, Index kc,
                                   float* dst, Index dst_stride, __mmask16 lanes) {
  for (Index k = 0; k < kc; k += 16) {
    const Index nk = std::min<Index>(16, kc - k);
    const __mmask16 km = first_lanes(nk);
    __m512 r[16];
    for (Index i = 0; i < 16; ++i)
      r[i] = i < lines ? _mm512_maskz_loadu_ps(km, src + i * src_stride + k) : _mm512_setzero_ps();
    if (msrc != nullptr)
      for (Index i = 0; i < lines && i < 16; ++i)
        r[i] = _mm512_mul_ps(r[i], _mm512_maskz_loadu_ps(km, msrc + i * src_stride + k));
    transpose16(r);
    for (Index t = 0; t < nk; ++t) _mm512_mask_storeu_ps(dst + (k + t) * dst_stride, lanes, r[t]);
  }
}

// The rows [lo, hi) of a packed B panel (kc x NR) outside which every entry is zero. A masked weight with
// structure (MADE with sort_degrees, FVSBN's triangle) has long zero runs at one end of
// each panel; the kernel then skips their multiply-adds. Skipping is exact: a zero row adds a * 0 = +-0 to
// each accumulator, which leaves it unchanged (for finite A; a masked-out connection does not carry an
// infinite or NaN input to the output, as it would in a dense product with a zeroed weight).
GENLAB_AVX512 KRange nonzero_rows(const float* panel, Index kc) {
  static_assert(NR == 32, "nonzero_rows tests two 16-float vectors per packed row");
  const __m512 zero = _mm512_setzero_ps();
  auto any = [&](Index k) {
    const float* r = panel + k * NR;
    return (_mm512_cmpneq_ps_mask(_mm512_load_ps(r), zero) | _mm512_cmpneq_ps_mask(_mm512_load_ps(r + 16), zero)) != 0;
  };
  Index lo = 0, hi = kc;
  while (lo < hi && !any(lo)) ++lo;
  while (hi > lo && !any(hi - 1)) --hi;
  return {lo, hi};
}

// B[k0:k0+kc, :] (times its mask, if any) into panels of NR columns, each kc x NR row-major; columns past N
// are zero. Masking here is one more load per vector, where a separate W * M pass would stream three arrays.
// ranges[p - p0] receives each panel's nonzero rows: found by a scan when B is masked, all kc otherwise.
GENLAB_AVX512 void pack_b(const ConstView& b, Index k0, Index kc, Index p0, Index p1, float* dst, KRange* ranges) {
  static_assert(NR == 32, "pack_b moves two 16-float vectors per packed row");
  for (Index p = p0; p < p1; ++p) {
    const Index j0 = p * NR, nj = std::min(NR, b.cols - j0);
    float* d = dst + (p - p0) * kc * NR;
    if (b.col_stride == 1) {  // B row-major (a weight in the forward pass)
      const __mmask16 m0 = first_lanes(nj), m1 = first_lanes(nj - 16);
      const Index off = k0 * b.row_stride + j0;
      const float* s = b.data + off;
      if (b.mask == nullptr) {
        for (Index k = 0; k < kc; ++k, d += NR, s += b.row_stride) {
          _mm512_store_ps(d, _mm512_maskz_loadu_ps(m0, s));
          _mm512_store_ps(d + 16, _mm512_maskz_loadu_ps(m1, s + 16));
        }
      } else {
        const float* ms = b.mask + off;
        for (Index k = 0; k < kc; ++k, d += NR, s += b.row_stride, ms += b.row_stride) {
          _mm512_store_ps(d, _mm512_mul_ps(_mm512_maskz_loadu_ps(m0, s), _mm512_maskz_loadu_ps(m0, ms)));
          _mm512_store_ps(d + 16, _mm512_mul_ps(_mm512_maskz_loadu_ps(m1, s + 16), _mm512_maskz_loadu_ps(m1, ms + 16)));
        }
      }
    } else if (b.row_stride == 1) {  // B transposed (W^T in backward): column j of B is contiguous along k
      for (Index h = 0; h < NR; h += 16) {
        const Index off = k0 + (j0 + h) * b.col_stride;
        transpose_lines(b.data + off, b.mask != nullptr ? b.mask + off : nullptr, b.col_stride,
                        std::max<Index>(0, nj - h), kc, d + h, NR, first_lanes(16));
      }
    } else {
      for (Index k = 0; k < kc; ++k, d += NR) {
        const Index off = (k0 + k) * b.row_stride + j0 * b.col_stride;
        const float* s = b.data + off;
        for (Index j = 0; j < nj; ++j)
          d[j] = b.mask != nullptr ? s[j * b.col_stride] * b.mask[off + j * b.col_stride] : s[j * b.col_stride];
        for (Index j = nj; j < NR; ++j) d[j] = 0.0f;
      }
    }
    float* panel = dst + (p - p0) * kc * NR;
    if (b.degrees)  // packed unmasked above; the degree mask zeroes entries in place, from registers only
      for (Index k = 0; k < kc; ++k)
        for (Index h = 0; h < NR; h += 16) {
          float* row = panel + k * NR + h;
          const __mmask16 keep = keep_lanes(b.degrees, b.degrees.row[k0 + k], b.degrees.col + j0 + h, nj - h);
          _mm512_store_ps(row, _mm512_maskz_mov_ps(keep, _mm512_load_ps(row)));
        }
    ranges[p - p0] = b.has_mask() ? nonzero_rows(panel, kc) : KRange{0, kc};
  }
}

// Whether a degree mask keeps any entry of the block rows [0, m) x columns [0, n) of its (offset) degrees:
// only the extreme degrees matter.
bool any_kept(const DegreeMask& d, Index m, Index n) {
  const auto [rlo, rhi] = std::minmax_element(d.row, d.row + m);
  const auto [clo, chi] = std::minmax_element(d.col, d.col + n);
  return d.row_first ? (d.strict ? *rlo < *chi : *rlo <= *chi) : (d.strict ? *clo < *rhi : *clo <= *rhi);
}

// Whether the m x n block of a product mask at `mask` (row stride ld) has a nonzero entry; a tile whose
// mask is all zero needs no multiply-adds (a masked weight gradient with structure: see nonzero_rows).
GENLAB_AVX512 bool any_nonzero(const float* mask, Index ld, Index m, Index n) {
  const __m512 zero = _mm512_setzero_ps();
  for (Index i = 0; i < m; ++i)
    for (Index j = 0; j < n; j += 16)
      if (_mm512_cmpneq_ps_mask(_mm512_maskz_loadu_ps(first_lanes(n - j), mask + i * ld + j), zero) != 0) return true;
  return false;
}

// A[i0:i0+mi, k0:k0+kc] into panels of MR rows, each kc x MR (k-major); rows past mi are zero.
GENLAB_AVX512 void pack_a(const ConstView& a, Index i0, Index mi, Index k0, Index kc, float* dst) {
  static_assert(MR <= 16, "pack_a moves one vector per packed column");
  for (Index p = 0; p * MR < mi; ++p) {
    const Index r0 = i0 + p * MR, nr = std::min(MR, mi - p * MR);
    float* d = dst + p * kc * MR;
    if (a.row_stride == 1) {  // A transposed (x^T in a weight gradient): the MR values of a k are adjacent
      const __mmask16 rows = first_lanes(nr), all = first_lanes(MR);
      const float* s = a.data + r0 + k0 * a.col_stride;
      for (Index k = 0; k < kc; ++k, s += a.col_stride)
        _mm512_mask_storeu_ps(d + k * MR, all, _mm512_maskz_loadu_ps(rows, s));
    } else if (a.col_stride == 1) {  // A row-major: row i is contiguous along k
      transpose_lines(a.data + r0 * a.row_stride + k0, nullptr, a.row_stride, nr, kc, d, MR, first_lanes(MR));
    } else {
      for (Index k = 0; k < kc; ++k)
        for (Index i = 0; i < MR; ++i)
          d[k * MR + i] = i < nr ? a.data[(r0 + i) * a.row_stride + (k0 + k) * a.col_stride] : 0.0f;
    }
  }
}

// C[0:m, 0:n] = alpha * (a_panel b_panel) * cmask + beta * C, with m <= MR and n <= NR. beta == 0 never
// reads C. The epilogue's bias and mask pointers are already offset to the tile; nullptr-bias and relu =
// false when this is not the last K block (the mask acts in every block: it multiplies each block's product).
// Direct: b is B itself (row-major, row stride ldb), not a packed panel; only the first n of its NR
// columns exist, so the loads are masked to them (the lanes past n are computed on zeros and never stored).
// cdeg (or nullptr): a degree mask on C with its degree pointers offset to this tile.
template <bool Direct>
GENLAB_AVX512 void kernel_avx512(Index kc, const float* __restrict a, const float* __restrict b, Index ldb, float* c,
                                 Index ldc, Index m, Index n, float alpha, float beta, const float* bias, bool relu,
                                 const float* cmask, Index ldm, const DegreeMask* cdeg) {
  __m512 acc[MR][NV];
#pragma GCC unroll 10
  for (Index i = 0; i < MR; ++i)
#pragma GCC unroll 2
    for (Index v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();
  __mmask16 bmask[NV];
  for (Index v = 0; v < NV; ++v) bmask[v] = first_lanes(n - 16 * v);
  for (Index k = 0; k < kc; ++k, a += MR, b += Direct ? ldb : NR) {
    __m512 bv[NV];
#pragma GCC unroll 2
    for (Index v = 0; v < NV; ++v)
      bv[v] = Direct ? _mm512_maskz_loadu_ps(bmask[v], b + 16 * v) : _mm512_load_ps(b + 16 * v);
#pragma GCC unroll 10
    for (Index i = 0; i < MR; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i]);
#pragma GCC unroll 2
      for (Index v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
    }
  }
  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta), zero = _mm512_setzero_ps();
  __mmask16 mask[NV];
  __m512 bias_v[NV];
  for (Index v = 0; v < NV; ++v) {
    mask[v] = first_lanes(n - 16 * v);
    bias_v[v] = bias != nullptr ? _mm512_maskz_loadu_ps(mask[v], bias + 16 * v) : zero;
  }
#pragma GCC unroll 10
  for (Index i = 0; i < MR; ++i) {
    if (i >= m) break;
    float* row = c + i * ldc;
#pragma GCC unroll 2
    for (Index v = 0; v < NV; ++v) {
      __m512 r = _mm512_mul_ps(va, acc[i][v]);
      if (cmask != nullptr) r = _mm512_mul_ps(r, _mm512_maskz_loadu_ps(mask[v], cmask + i * ldm + 16 * v));
      if (cdeg != nullptr) r = _mm512_maskz_mov_ps(keep_lanes(*cdeg, cdeg->row[i], cdeg->col + 16 * v, n - 16 * v), r);
      if (beta != 0.0f) r = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(mask[v], row + 16 * v), r);
      if (bias != nullptr) r = _mm512_add_ps(r, bias_v[v]);
      if (relu) r = _mm512_max_ps(zero, r);  // max returns its second operand when one is NaN
      _mm512_mask_storeu_ps(row + 16 * v, mask[v], r);
    }
  }
}

// Calls f with `v` as an Eigen map whose inner stride is 1 (row- or column-major with an outer stride), so
// Eigen takes its allocation-free paths (lazy product for small sizes) rather than copying a strided operand.
template <class F>
void with_eigen_map(const ConstView& v, F&& f) {
  using RowMap =
      Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0, Eigen::OuterStride<>>;
  using ColMap =
      Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>, 0, Eigen::OuterStride<>>;
  if (v.col_stride == 1) {
    f(RowMap(v.data, v.rows, v.cols, Eigen::OuterStride<>(v.row_stride)));
  } else {
    GENLAB_ASSERT(v.row_stride == 1, "gemm: an operand needs one unit stride");
    f(ColMap(v.data, v.rows, v.cols, Eigen::OuterStride<>(v.col_stride)));
  }
}

void gemm_eigen(float alpha, const ConstView& a, const ConstView& b, float beta, const View& c) {
  Eigen::Map<Matrix, 0, Eigen::OuterStride<>> cm(c.data, c.rows, c.cols, Eigen::OuterStride<>(c.row_stride));
  with_eigen_map(a, [&](const auto& am) {
    with_eigen_map(b, [&](const auto& bm) {
      if (beta == 0.0f) {
        cm.noalias() = alpha * (am * bm);
      } else {
        if (beta != 1.0f) cm *= beta;
        cm.noalias() += alpha * (am * bm);
      }
    });
  });
}

// Where the kernel reads B for one K block: B's panels p0.. packed at `packed`, or (packed == nullptr) B
// itself, row-major, rows k0.. of `direct`.
struct BPanels {
  const float* packed;
  const ConstView* direct;
  Index k0;
  const KRange* ranges;  // per packed panel (from p0): the rows that are not all zero
};

// Up to MC rows, row-major B is read in place instead of packed. Packing moves every element of B once
// and each packed element then serves M / MR register tiles: at M = 20 (a batch-20 VAE) that is two tiles,
// and packing cost about as much as the multiply-adds it fed. Read in place, B's rows are strided and not
// 64-byte aligned, which costs the kernel less than the packing pass did: one thread, in-place against
// packed, +20-35% GFLOP/s at M = 20 (the IWAE layers), +4-8% at M = 60-100, even at M = 200 (2026-12-06).
// Masked B is still packed: the mask is applied there.
constexpr Index kDirectMaxRows = MC;
bool reads_b_in_place(const ConstView& b, Index m) {
  return m <= kDirectMaxRows && b.col_stride == 1 && !b.has_mask();
}

// The row tiles of C[i0:i0+mi, panels p0, p0 + step, ... < p1) for one K block, from A packed at `ap` and B
// as `bs` says (packed panels stored in that order). The epilogue acts in the last K block only.
GENLAB_AVX512 void run_tiles(const float* ap, const BPanels& bs, Index i0, Index mi, Index p0, Index p1, Index step,
                             Index kc, bool last, float alpha, float beta_k, const View& c, const Epilogue& epi) {
  for (Index pj = p0, slot = 0; pj < p1; pj += step, ++slot) {
    const Index j0 = pj * NR, nj = std::min(NR, c.cols - j0);
    for (Index pi = 0; pi * MR < mi; ++pi) {
      float* ct = c.data + (i0 + pi * MR) * c.row_stride + j0;
      const Index mt = std::min(MR, mi - pi * MR);
      const float* bias = last && epi.bias != nullptr ? epi.bias + j0 : nullptr;
      const float* cmask = epi.mask != nullptr ? epi.mask + (i0 + pi * MR) * epi.mask_stride + j0 : nullptr;
      // The K rows that contribute: B's nonzero rows, none when the product mask zeroes the whole tile (the
      // kernel still runs its epilogue on zero accumulators: beta C, the bias, the ReLU).
      DegreeMask cdeg = epi.degrees;
      if (cdeg) cdeg.row += i0 + pi * MR, cdeg.col += j0;
      KRange kr = bs.packed != nullptr ? bs.ranges[slot] : KRange{0, kc};
      if (cmask != nullptr && !any_nonzero(cmask, epi.mask_stride, mt, nj)) kr = {0, 0};
      if (cdeg && !any_kept(cdeg, mt, nj)) kr = {0, 0};
      const DegreeMask* cd = cdeg ? &cdeg : nullptr;
      const Index kn = std::max<Index>(0, kr.hi - kr.lo);
      const float* at = ap + pi * kc * MR + kr.lo * MR;
      if (bs.packed != nullptr)
        kernel_avx512<false>(kn, at, bs.packed + slot * kc * NR + kr.lo * NR, NR, ct, c.row_stride, mt, nj,
                             alpha, beta_k, bias, last && epi.relu, cmask, epi.mask_stride, cd);
      else
        kernel_avx512<true>(kn, at, bs.direct->data + (bs.k0 + kr.lo) * bs.direct->row_stride + j0,
                            bs.direct->row_stride, ct, c.row_stride, mt, nj, alpha, beta_k, bias, last && epi.relu,
                            cmask, epi.mask_stride, cd);
    }
  }
}

// Several threads, split by columns: each takes every tasks-th of B's column panels and does every K block
// and every row of C for it, packing its own B panels and all of A. Splitting rows instead (below) has
// every thread read the whole packed B, half of it just written by the other core, with a barrier after
// each K block's packing; here packed B never leaves the core that packed it, and there is no barrier.
// Each thread packs A in full, which costs little at these shapes (A is M x K, the product M x K x N).
// With a mask (on B or on the product), panels are dealt round-robin rather than in contiguous ranges: a
// structured mask makes their work uneven (a staircase: the panels of one end skip most of their rows,
// see nonzero_rows), and dealt in turn each thread gets a share of every part of the staircase. Without
// one, contiguous ranges: interleaved 32-column panels had the threads write neighbouring parts of the
// same cache lines of C (2 threads, MADE's 784 x 500 forward product: 8-10% slower).
// (MADE 784-500-784 with sorted degrees, 2 threads, alternated 3 times: 47-54k examples/s with
// contiguous ranges, 48-68k round-robin.)
void gemm_packed_by_columns(float alpha, const ConstView& a, const ConstView& b, float beta, const View& c,
                            const Epilogue& epi, Index tasks) {
  const Index M = c.rows, N = c.cols, K = a.cols;
  const Index panels_n = (N + NR - 1) / NR;
  const bool in_place = reads_b_in_place(b, M);
  tbb::this_task_arena::isolate([&] {
    tbb::parallel_for(
        tbb::blocked_range<Index>(0, tasks, 1),
        [&](const tbb::blocked_range<Index>& r) {
          for (Index t = r.begin(); t != r.end(); ++t) {
            const bool dealt = b.has_mask() || epi.has_mask();
            // This task's panels: first, first + step, ... below last; `mine` of them.
            const Index first = dealt ? t : panels_n * t / tasks, step = dealt ? tasks : 1;
            const Index last = dealt ? panels_n : panels_n * (t + 1) / tasks;
            const Index mine = (last - first + step - 1) / step;
            float* bp = in_place ? nullptr : tls_b.reserve(static_cast<std::size_t>(std::min(K, KC) * mine * NR));
            float* ap = tls_a.reserve(static_cast<std::size_t>(MC * KC));
            KRange* ranges = tls_ranges.reserve(mine);
            for (Index k0 = 0; k0 < K; k0 += KC) {
              const Index kc = std::min(KC, K - k0);
              if (!in_place)
                for (Index slot = 0; slot < mine; ++slot) {
                  const Index p = first + slot * step;
                  pack_b(b, k0, kc, p, p + 1, bp + slot * kc * NR, ranges + slot);
                }
              const BPanels bs{bp, &b, k0, ranges};
              for (Index i0 = 0; i0 < M; i0 += MC) {
                const Index mi = std::min(MC, M - i0);
                pack_a(a, i0, mi, k0, kc, ap);
                run_tiles(ap, bs, i0, mi, first, last, step, kc, k0 + kc == K, alpha, k0 == 0 ? beta : 1.0f, c,
                          epi);
              }
            }
          }
        },
        tbb::simple_partitioner());
  });
}

void gemm_packed(float alpha, const ConstView& a, const ConstView& b, float beta, const View& c,
                 const Epilogue& epi) {
  const Index M = c.rows, N = c.cols, K = a.cols;
  const Index panels_n = (N + NR - 1) / NR;
  const Index panels_m = (M + MR - 1) / MR;
  // Rows per task: at most MC, and enough chunks for two threads when M is small (batch-100 products).
  const Index chunk_panels = std::clamp<Index>((panels_m + 1) / 2, 1, MC / MR);
  const Index chunks = (panels_m + chunk_panels - 1) / chunk_panels;
  const bool parallel = 2.0 * double(M) * double(N) * double(K) > 4e6;
  const Index threads = tbb::this_task_arena::max_concurrency();
  if (parallel && threads > 1 && panels_n >= 2 * threads) {
    gemm_packed_by_columns(alpha, a, b, beta, c, epi, threads);
    return;
  }
  const bool in_place = reads_b_in_place(b, M);
  float* bp = in_place ? nullptr : tls_b.reserve(static_cast<std::size_t>(std::min(K, KC) * panels_n * NR));
  KRange* ranges = tls_ranges.reserve(panels_n);  // written by the packing tasks, each its own panels

  tbb::this_task_arena::isolate([&] {
    for (Index k0 = 0; k0 < K; k0 += KC) {
      const Index kc = std::min(KC, K - k0);
      const float beta_k = k0 == 0 ? beta : 1.0f;  // later K blocks add to what the first one wrote
      const bool last = k0 + kc == K;             // the epilogue acts on the finished sum only
      const BPanels bs{bp, &b, k0, ranges};
      if (!in_place && parallel && panels_n > 8) {
        tbb::parallel_for(tbb::blocked_range<Index>(0, panels_n, 8),
                          [&](const tbb::blocked_range<Index>& r) {
                            pack_b(b, k0, kc, r.begin(), r.end(), bp + r.begin() * kc * NR, ranges + r.begin());
                          });
      } else if (!in_place) {
        pack_b(b, k0, kc, 0, panels_n, bp, ranges);
      }
      auto run_chunk = [&](Index chunk) {
        const Index i0 = chunk * chunk_panels * MR, mi = std::min(chunk_panels * MR, M - i0);
        float* ap = tls_a.reserve(static_cast<std::size_t>(chunk_panels * MR * KC));
        pack_a(a, i0, mi, k0, kc, ap);
        run_tiles(ap, bs, i0, mi, 0, panels_n, 1, kc, last, alpha, beta_k, c, epi);
      };
      if (parallel && chunks > 1) {
        tbb::parallel_for(
            tbb::blocked_range<Index>(0, chunks, 1),
            [&](const tbb::blocked_range<Index>& r) {
              for (Index ch = r.begin(); ch != r.end(); ++ch) run_chunk(ch);
            },
            tbb::simple_partitioner());
      } else {
        for (Index ch = 0; ch < chunks; ++ch) run_chunk(ch);
      }
    }
  });
}

// The epilogue's bias and ReLU as a pass of their own, for the paths that do not fuse them.
void apply_epilogue(const View& c, const Epilogue& epi) {
  if (epi.bias == nullptr && !epi.relu) return;
  for (Index i = 0; i < c.rows; ++i) {
    float* row = c.data + i * c.row_stride;
    if (epi.bias != nullptr)
      for (Index j = 0; j < c.cols; ++j) row[j] += epi.bias[j];
    if (epi.relu)
      for (Index j = 0; j < c.cols; ++j) row[j] = row[j] > 0.0f || row[j] != row[j] ? row[j] : 0.0f;
  }
}

// The Eigen path reads plain arrays: a masked B is copied out masked, and a masked product goes through a
// scratch C. Both buffers are per-thread and only grow in use (Eigen reallocates on a size change only).
void gemm_small(float alpha, const ConstView& a, const ConstView& b, float beta, const View& c, const Epilogue& epi) {
  thread_local Matrix masked_b, product;
  ConstView bv = b;
  if (b.has_mask()) {
    masked_b.resize(b.rows, b.cols);
    for (Index i = 0; i < b.rows; ++i)
      for (Index j = 0; j < b.cols; ++j) {
        const Index at = i * b.row_stride + j * b.col_stride;
        masked_b(i, j) = b.mask != nullptr ? b.data[at] * b.mask[at] : b.degrees.keep(i, j) ? b.data[at] : 0.0f;
      }
    bv = view(masked_b);
  }
  if (!epi.has_mask()) {
    gemm_eigen(alpha, a, bv, beta, c);
  } else {
    product.resize(c.rows, c.cols);
    gemm_eigen(alpha, a, bv, 0.0f, view(product));
    for (Index i = 0; i < c.rows; ++i)
      for (Index j = 0; j < c.cols; ++j) {
        float& x = c.data[i * c.row_stride + j];
        const float p = epi.mask != nullptr ? product(i, j) * epi.mask[i * epi.mask_stride + j]
                                            : epi.degrees.keep(i, j) ? product(i, j) : 0.0f;
        x = beta == 0.0f ? p : beta * x + p;
      }
  }
  apply_epilogue(c, epi);
}

}  // namespace

void gemm(float alpha, const ConstView& a, const ConstView& b, float beta, const View& c) {
  gemm(alpha, a, b, beta, c, Epilogue{});
}

void gemm(float alpha, const ConstView& a, const ConstView& b, float beta, const View& c, const Epilogue& epi) {
  GENLAB_ASSERT(a.cols == b.rows && c.rows == a.rows && c.cols == b.cols, "gemm: operand shapes disagree");
  GENLAB_ASSERT(!a.has_mask(), "gemm: only B may carry a mask");
  GENLAB_ASSERT(!(b.mask != nullptr && b.degrees) && !(epi.mask != nullptr && epi.degrees),
                "gemm: a mask is either an array or degrees, not both");
  if (c.rows == 0 || c.cols == 0) return;
  if (a.cols == 0) {  // empty sum
    for (Index i = 0; i < c.rows; ++i)
      for (Index j = 0; j < c.cols; ++j) {
        float& x = c.data[i * c.row_stride + j];
        x = beta == 0.0f ? 0.0f : beta * x;
      }
    apply_epilogue(c, epi);
    return;
  }
  // Fewer than 4 rows go to Eigen's matrix-vector code, unless B is masked: the small path then copies
  // B * M out element by element, ten times slower than packing it (1-3 rows: MADE's ancestral sampling,
  // where a 32-mask mixture draws about 3 samples per mask).
  const bool few_rows = c.rows < 4 && !b.has_mask();
  if (!cpu_has_avx512() || double(c.rows) * double(c.cols) * double(a.cols) < kSmallProduct || few_rows) {
    gemm_small(alpha, a, b, beta, c, epi);
  } else {
    gemm_packed(alpha, a, b, beta, c, epi);
  }
}

const char* gemm_kernel_name() {
  return cpu_has_avx512() ? "packed avx512 10x32" : "eigen";
}

}  // namespace genlab::linalg
