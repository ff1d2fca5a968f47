#include "classification.hpp"

#include <cmath>

#include "genlab/error.hpp"

namespace genlab {

void append_labels(const Matrix& batch, const Matrix& labels, Matrix& out) {
  out.resize(batch.rows(), batch.cols() + 1);
  out.leftCols(batch.cols()) = batch;
  out.rightCols(1) = labels;
}

ClassificationResult evaluate_classification(const Model& m, const Matrix& data, const Matrix& labels,
                                             const BatchTransform* transform, Index batch_size, Rng transform_rng) {
  ClassificationResult r;
  Matrix batch;
  double ce = 0;
  for (Index start = 0, k = 0; start < data.rows(); start += batch_size, ++k) {
    const Index rows = std::min(batch_size, data.rows() - start);
    batch = data.middleRows(start, rows);
    if (transform) {
      Rng tr = transform_rng.split(static_cast<std::uint64_t>(k));
      transform->apply(batch, tr, nullptr);
    }
    const Matrix p = m.class_probabilities(batch);
    if (p.rows() != rows || p.cols() < 2)
      throw ShapeError("class_probabilities returned " + std::to_string(p.rows()) + "x" + std::to_string(p.cols()) +
                       " for " + std::to_string(rows) + " rows (at least 2 classes expected)");
    if (r.confusion.size() == 0) r.confusion = MatrixD::Zero(p.cols(), p.cols());
    for (Index i = 0; i < rows; ++i) {
      const Index t = m.target_class(Index(labels(start + i, 0)));
      if (t < 0 || t >= p.cols())
        throw Error("target_class maps label " + std::to_string(Index(labels(start + i, 0))) + " to class " +
                    std::to_string(t) + ", outside the model's " + std::to_string(p.cols()));
      Index pred = 0;
      p.row(i).maxCoeff(&pred);
      r.confusion(t, pred) += 1;
      ce -= std::log(std::max(double(p(i, t)), 1e-300));
    }
  }
  const Index c = r.confusion.rows();
  r.cross_entropy = ce / double(data.rows());
  r.accuracy = r.confusion.trace() / double(data.rows());
  r.f1.assign(std::size_t(c), 0.0);
  for (Index k = 0; k < c; ++k) {
    const double tp = r.confusion(k, k), fp = r.confusion.col(k).sum() - tp, fn = r.confusion.row(k).sum() - tp;
    r.f1[std::size_t(k)] = tp + fp + fn == 0 ? 1.0 : 2 * tp / (2 * tp + fp + fn);
    r.macro_f1 += r.f1[std::size_t(k)] / double(c);
  }
  return r;
}

}  // namespace genlab
