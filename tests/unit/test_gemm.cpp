// genlab's packed GEMM against a double-precision reference: every edge of the register tile and of the K
// blocking, transposed and strided operands, alpha/beta, and bitwise independence from the thread count.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <vector>

#include <oneapi/tbb/task_arena.h>

#include "genlab/linalg/gemm.hpp"
#include "genlab/rng.hpp"

using namespace genlab;

namespace {
Matrix random_matrix(Index r, Index c, Rng& rng) {
  Matrix m(r, c);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(rng.normal());
  return m;
}

// Checks C = alpha op(A) op(B) + beta C0 for one shape and transpose setting.
void check_case(Index M, Index K, Index N, bool ta, bool tb, float alpha, float beta, Rng& rng) {
  const Matrix a = ta ? random_matrix(K, M, rng) : random_matrix(M, K, rng);
  const Matrix b = tb ? random_matrix(N, K, rng) : random_matrix(K, N, rng);
  const Matrix c0 = random_matrix(M, N, rng);
  Matrix c = c0;
  if (beta == 0.0f) c.setConstant(std::numeric_limits<float>::quiet_NaN());  // must never be read
  linalg::ConstView av = linalg::view(a), bv = linalg::view(b);
  linalg::gemm(alpha, ta ? av.transposed() : av, tb ? bv.transposed() : bv, beta, linalg::view(c));

  const MatrixD ad = ta ? MatrixD(a.cast<double>().transpose()) : a.cast<double>();
  const MatrixD bd = tb ? MatrixD(b.cast<double>().transpose()) : b.cast<double>();
  const MatrixD ref = double(alpha) * (ad * bd) + double(beta) * c0.cast<double>();
  // float rounding of a K-term sum of N(0,1) products: error grows like sqrt(K) eps.
  const double tol = 1e-5 * std::sqrt(double(K) + 1) * 8;
  INFO("M=" << M << " K=" << K << " N=" << N << " ta=" << ta << " tb=" << tb << " alpha=" << alpha << " beta=" << beta);
  REQUIRE(c.allFinite());
  CHECK((c.cast<double>() - ref).cwiseAbs().maxCoeff() <= tol * (1 + std::abs(alpha)));
}
}  // namespace

TEST_CASE("gemm matches a double reference on tile, block and transpose edges", "[gemm]") {
  Rng rng(11);
  // Sizes straddle the 10-row x 32-column register tile, the 384-deep K block, and the small-product path.
  for (Index M : {1, 4, 9, 10, 11, 37, 100, 133})
    for (Index N : {1, 15, 16, 17, 32, 33, 100})
      for (Index K : {1, 7, 64, 384, 385, 800}) check_case(M, K, N, false, false, 1.0f, 0.0f, rng);
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (float beta : {0.0f, 1.0f, 0.5f}) {
        check_case(57, 400, 70, ta, tb, 1.0f, beta, rng);
        check_case(120, 33, 48, ta, tb, -0.5f, beta, rng);
      }
}

TEST_CASE("gemm reads and writes strided sub-blocks in place", "[gemm]") {
  Rng rng(12);
  const Matrix big_a = random_matrix(60, 90, rng), big_b = random_matrix(80, 70, rng);
  Matrix big_c = random_matrix(50, 100, rng);
  const Matrix before = big_c;
  // A = big_a[5:45, 10:70], B = big_b[3:63, 2:52], C = big_c[4:44, 20:70].
  const linalg::ConstView a{big_a.data() + 5 * 90 + 10, 40, 60, 90, 1};
  const linalg::ConstView b{big_b.data() + 3 * 70 + 2, 60, 50, 70, 1};
  const linalg::View c{big_c.data() + 4 * 100 + 20, 40, 50, 100};
  linalg::gemm(1.0f, a, b, 1.0f, c);
  const MatrixD ref = big_a.block(5, 10, 40, 60).cast<double>() * big_b.block(3, 2, 60, 50).cast<double>() +
                      before.block(4, 20, 40, 50).cast<double>();
  CHECK((big_c.block(4, 20, 40, 50).cast<double>() - ref).cwiseAbs().maxCoeff() < 1e-4);
  // Everything outside the C block is untouched.
  Matrix outside = big_c;
  outside.block(4, 20, 40, 50) = before.block(4, 20, 40, 50);
  CHECK(outside == before);
}

// A masked B (read as B * mask while packing) and a masked product (C = beta C + (alpha A B) * mask), on the
// packed and the small-product paths (and 2 rows: packed when B is masked, Eigen's otherwise), row-major
// and transposed B, one and two K blocks, beta 0 and 1.
TEST_CASE("gemm applies a mask on B and on the product", "[gemm]") {
  Rng rng(13);
  for (const bool tb : {false, true})
    for (const float beta : {0.0f, 1.0f})
      for (const auto& [M, K, N] :
           {std::tuple<Index, Index, Index>{100, 784, 500}, {37, 400, 70}, {2, 400, 70}, {3, 5, 4}}) {
        const Matrix a = random_matrix(M, K, rng);
        const Matrix b = tb ? random_matrix(N, K, rng) : random_matrix(K, N, rng);
        Matrix bm(b.rows(), b.cols()), cm(M, N);
        for (Index i = 0; i < bm.size(); ++i) bm.data()[i] = rng.below(3) == 0 ? 0.0f : 1.0f;
        for (Index i = 0; i < cm.size(); ++i) cm.data()[i] = rng.below(3) == 0 ? 0.0f : 1.0f;
        const Matrix c0 = random_matrix(M, N, rng);
        const linalg::ConstView bv = linalg::view(b).masked(bm.data());
        const MatrixD bd = b.cwiseProduct(bm).cast<double>();
        const MatrixD op_b = tb ? MatrixD(bd.transpose()) : bd;
        const double tol = 1e-5 * std::sqrt(double(K) + 1) * 8;
        INFO("M=" << M << " K=" << K << " N=" << N << " tb=" << tb << " beta=" << beta);

        Matrix c = c0;
        linalg::gemm(1.0f, linalg::view(a), tb ? bv.transposed() : bv, beta, linalg::view(c));
        const MatrixD ref_b = a.cast<double>() * op_b + double(beta) * c0.cast<double>();
        CHECK((c.cast<double>() - ref_b).cwiseAbs().maxCoeff() <= tol);

        linalg::Epilogue epi;
        epi.mask = cm.data();
        epi.mask_stride = N;
        Matrix d = c0;
        const linalg::ConstView plain_b = linalg::view(b);
        linalg::gemm(1.0f, linalg::view(a), tb ? plain_b.transposed() : plain_b, beta, linalg::view(d), epi);
        const MatrixD prod = a.cast<double>() * (tb ? MatrixD(b.cast<double>().transpose()) : b.cast<double>());
        const MatrixD ref_c = prod.cwiseProduct(cm.cast<double>()) + double(beta) * c0.cast<double>();
        CHECK((d.cast<double>() - ref_c).cwiseAbs().maxCoeff() <= tol);
        if (beta == 0.0f) CHECK((d.array() * (1.0f - cm.array())).cwiseAbs().maxCoeff() == 0.0f);
      }
}

TEST_CASE("gemm with an empty inner dimension gives beta C", "[gemm]") {
  const Matrix a(3, 0), b(0, 4);
  Matrix c = Matrix::Constant(3, 4, 2.0f);
  linalg::gemm(1.0f, linalg::view(a), linalg::view(b), 0.5f, linalg::view(c));
  CHECK(c == Matrix::Constant(3, 4, 1.0f));
  linalg::gemm(1.0f, linalg::view(a), linalg::view(b), 0.0f, linalg::view(c));
  CHECK(c == Matrix::Zero(3, 4));
}

TEST_CASE("gemm results are bitwise the same with 1, 2 and 3 threads", "[gemm]") {
  Rng rng(13);
  const Matrix a = random_matrix(200, 1000, rng), b = random_matrix(1000, 392, rng);
  Matrix c1(200, 392), c2(200, 392);
  tbb::task_arena(1).execute([&] { linalg::gemm(1.0f, linalg::view(a), linalg::view(b), 0.0f, linalg::view(c1)); });
  tbb::task_arena(2).execute([&] { linalg::gemm(1.0f, linalg::view(a), linalg::view(b), 0.0f, linalg::view(c2)); });
  CHECK(c1 == c2);
  // Column panels split unevenly (13 panels over 3 threads), beta != 0 and the bias + ReLU epilogue.
  const Matrix c0 = random_matrix(200, 392, rng), bias = random_matrix(1, 392, rng);
  Matrix e1 = c0, e3 = c0;
  const linalg::Epilogue epi{bias.data(), true};
  tbb::task_arena(1).execute(
      [&] { linalg::gemm(0.5f, linalg::view(a), linalg::view(b), 1.0f, linalg::view(e1), epi); });
  tbb::task_arena(3).execute(
      [&] { linalg::gemm(0.5f, linalg::view(a), linalg::view(b), 1.0f, linalg::view(e3), epi); });
  CHECK(e1 == e3);
  const MatrixD ref = (0.5 * (a.cast<double>() * b.cast<double>()) + c0.cast<double>()).rowwise() +
                      bias.cast<double>().row(0);
  CHECK((e1.cast<double>() - ref.cwiseMax(0.0)).cwiseAbs().maxCoeff() < 1e-3);
  // And the transposed (weight-gradient) form, K = batch.
  Matrix d1(1000, 392), d2(1000, 392);
  const Matrix dy = random_matrix(200, 392, rng);
  tbb::task_arena(1).execute(
      [&] { linalg::gemm(1.0f, linalg::view(a).transposed(), linalg::view(dy), 0.0f, linalg::view(d1)); });
  tbb::task_arena(2).execute(
      [&] { linalg::gemm(1.0f, linalg::view(a).transposed(), linalg::view(dy), 0.0f, linalg::view(d2)); });
  CHECK(d1 == d2);
}

// A product of up to 120 rows reads row-major B in place, a taller one packs it; both must do the same
// multiply-adds in the same order, so the first rows of the tall product equal the short product bitwise
// (a run resumed on a build that packs differently gets the same numbers).
TEST_CASE("gemm gives the same bits whether B is packed or read in place", "[gemm]") {
  Rng rng(14);
  for (const auto& [K, N] : {std::tuple<Index, Index>{784, 200}, {200, 50}, {900, 33}, {50, 784}}) {
    const Matrix tall = random_matrix(200, K, rng), b = random_matrix(K, N, rng), bias = random_matrix(1, N, rng);
    const Matrix c0 = random_matrix(200, N, rng);
    for (const Index rows : {Index{10}, Index{20}, Index{37}, Index{120}}) {
      INFO("K=" << K << " N=" << N << " rows=" << rows);
      const linalg::ConstView top{tall.data(), rows, K, K, 1};
      Matrix full = c0, part = c0.topRows(rows);
      const linalg::Epilogue epi{bias.data(), true};
      linalg::gemm(0.5f, linalg::view(tall), linalg::view(b), 1.0f, linalg::view(full), epi);
      linalg::gemm(0.5f, top, linalg::view(b), 1.0f, linalg::view(part), epi);
      CHECK(part == full.topRows(rows));
    }
  }
}

// Masks with structure (MADE's with hidden units sorted by degree: a staircase; FVSBN's triangle) let the
// packed path skip B's all-zero rows in each panel and the tiles a product mask zeroes entirely. The
// results must be bitwise those of the dense product of the materialized W * M (a skipped row would only
// have added zeros), on one and two K blocks, row-major and transposed B, beta 0 and 1, 1 and 2 threads.
TEST_CASE("gemm skips what a structured mask zeroes and gives the bits of the dense product", "[gemm]") {
  Rng rng(15);
  for (const auto& [M, K, N] : {std::tuple<Index, Index, Index>{100, 784, 500}, {100, 500, 784}, {150, 300, 300},
                                {20, 784, 784}})
    for (const bool tb : {false, true})
      for (const float beta : {0.0f, 1.0f})
        for (const int threads : {1, 2}) {
          INFO("M=" << M << " K=" << K << " N=" << N << " tb=" << tb << " beta=" << beta << " threads=" << threads);
          const Matrix a = random_matrix(M, K, rng), c0 = random_matrix(M, N, rng);
          // op(B) is K x N with entry (k, n) kept iff k < stair(n): sorted "degrees", so every panel of 32
          // columns has a zero tail, and some panels (stair 0) are all zero.
          Matrix bm(K, N), cm(M, N);
          for (Index n = 0; n < N; ++n) {
            const Index stair = n < N / 10 ? 0 : K * n / N;
            for (Index k = 0; k < K; ++k) bm(k, n) = k < stair ? 1.0f : 0.0f;
          }
          for (Index i = 0; i < M; ++i)  // product mask: a staircase by rows, zero for whole tiles
            for (Index n = 0; n < N; ++n) cm(i, n) = n * M < (i + 1) * N / 2 ? 1.0f : 0.0f;
          const Matrix b_op = random_matrix(K, N, rng);
          const Matrix b = tb ? Matrix(b_op.transpose()) : b_op, m = tb ? Matrix(bm.transpose()) : bm;
          const Matrix dense = tb ? Matrix(b_op.cwiseProduct(bm).transpose()) : Matrix(b_op.cwiseProduct(bm));
          auto op = [&](const Matrix& x) {
            const linalg::ConstView v = linalg::view(x);
            return tb ? v.transposed() : v;
          };
          tbb::task_arena arena(threads);
          arena.execute([&] {
            Matrix masked = c0, plain = c0;
            const linalg::ConstView mb{b.data(), b.rows(), b.cols(), b.cols(), 1, m.data()};
            linalg::gemm(1.0f, linalg::view(a), tb ? mb.transposed() : mb, beta, linalg::view(masked));
            linalg::gemm(1.0f, linalg::view(a), op(dense), beta, linalg::view(plain));
            CHECK(masked == plain);

            linalg::Epilogue epi;
            epi.mask = cm.data();
            epi.mask_stride = N;
            Matrix skipped = c0, full = c0;
            linalg::gemm(1.0f, linalg::view(a), op(b), beta, linalg::view(skipped), epi);
            linalg::gemm(1.0f, linalg::view(a), op(b), 0.0f, linalg::view(full));
            const Matrix expected = beta == 0.0f ? Matrix(full.cwiseProduct(cm)) : Matrix(full.cwiseProduct(cm) + c0);
            if (beta == 0.0f) CHECK(skipped == expected);
            else CHECK((skipped - expected).cwiseAbs().maxCoeff() <= 1e-5f * (1 + expected.cwiseAbs().maxCoeff()));
          });
        }
}

// A degree mask (entry (i, j) kept iff row[i] <= col[j], or <, or the other way round once transposed) gives
// the same numbers as the 0/1 array it stands for, on B and on the product, transposed or not, on the
// packed path (one and two K blocks, 1 and 2 threads) and the small-product path, random and sorted degrees.
TEST_CASE("gemm with a degree mask equals gemm with the 0/1 array it stands for", "[gemm]") {
  Rng rng(16);
  for (const auto& [M, K, N] : {std::tuple<Index, Index, Index>{100, 784, 500}, {37, 400, 70}, {2, 300, 40},
                                {3, 5, 4}, {130, 50, 90}})
    for (const bool sorted : {false, true})
      for (const bool strict : {false, true})
        for (const bool tb : {false, true})
          for (const int threads : {1, 2}) {
            INFO("M=" << M << " K=" << K << " N=" << N << " sorted=" << sorted << " strict=" << strict
                      << " tb=" << tb << " threads=" << threads);
            // op(B) is K x N; its mask keeps (k, n) iff din[k] <= dout[n] (strict: <).
            std::vector<Index> din(static_cast<std::size_t>(K)), dout(static_cast<std::size_t>(N)),
                drow(static_cast<std::size_t>(M));
            for (Index& d : din) d = Index(rng.below(60));
            for (Index& d : dout) d = Index(rng.below(60));
            for (Index& d : drow) d = Index(rng.below(60));
            if (sorted) std::sort(dout.begin(), dout.end()), std::sort(drow.begin(), drow.end());
            const linalg::DegreeMask on_op_b{din.data(), dout.data(), strict, true};
            Matrix dense_op(K, N), cdense(M, N);
            for (Index k = 0; k < K; ++k)
              for (Index n = 0; n < N; ++n) dense_op(k, n) = on_op_b.keep(k, n) ? 1.0f : 0.0f;
            // The product mask: rows of C against dout, the other way round (dout[n] < drow[i]).
            const linalg::DegreeMask on_c{drow.data(), dout.data(), strict, false};
            for (Index i = 0; i < M; ++i)
              for (Index n = 0; n < N; ++n) cdense(i, n) = on_c.keep(i, n) ? 1.0f : 0.0f;
            const Matrix a = random_matrix(M, K, rng), c0 = random_matrix(M, N, rng);
            const Matrix b_op = random_matrix(K, N, rng);
            // Stored B: op(B) itself, or its transpose read through a transposed view.
            const Matrix b = tb ? Matrix(b_op.transpose()) : b_op, bm = tb ? Matrix(dense_op.transpose()) : dense_op;
            const linalg::DegreeMask on_b = tb ? on_op_b.transposed() : on_op_b;
            auto op = [&](const linalg::ConstView& v) { return tb ? v.transposed() : v; };
            tbb::task_arena(threads).execute([&] {
              for (const float beta : {0.0f, 1.0f}) {
                Matrix by_degrees = c0, by_array = c0;
                linalg::gemm(1.0f, linalg::view(a), op(linalg::view(b).masked(on_b)), beta, linalg::view(by_degrees));
                linalg::gemm(1.0f, linalg::view(a), op(linalg::view(b).masked(bm.data())), beta, linalg::view(by_array));
                CHECK(by_degrees == by_array);
                linalg::Epilogue de, ae;
                de.degrees = on_c;
                ae.mask = cdense.data();
                ae.mask_stride = N;
                Matrix cd = c0, ca = c0;
                linalg::gemm(0.5f, linalg::view(a), linalg::view(b_op), beta, linalg::view(cd), de);
                linalg::gemm(0.5f, linalg::view(a), linalg::view(b_op), beta, linalg::view(ca), ae);
                CHECK(cd == ca);
              }
            });
          }
}
