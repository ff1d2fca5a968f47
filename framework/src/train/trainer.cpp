#include "trainer.hpp"

#include <chrono>
#include <cmath>
#include <numeric>

#include <tbb/parallel_for.h>

#include "genlab/ad/ops.hpp"
#include "genlab/nn/optim.hpp"
#include "classification.hpp"
#include "io/png.hpp"
#include "train_config.hpp"
#include "train_step.hpp"

namespace genlab {
namespace {

constexpr Index kFigureExamples = 16;  // test images handed to Model::figures
constexpr Index kInitRows = 1000;      // training rows handed to Model::initialize

// Everything the loop needs to continue exactly where a checkpoint left it.
struct LoopState {
  std::int64_t epoch = 0, batch = 0, step = 0, bad_epochs = 0;
  double best = 0, loss_sum = 0;
  std::int64_t loss_count = 0;
  bool has_best = false;
  double train_seconds = 0;  ///< training wall time of earlier attempts (the max_wall_time budget spans them)
  std::vector<double> pack() const {
    return {double(epoch), double(batch), double(step),       double(bad_epochs),
            best,          loss_sum,      double(loss_count), has_best ? 1.0 : 0.0, train_seconds};
  }
  void unpack(const std::vector<double>& v) {
    // 8 values: a checkpoint from before the wall-time budget (its earlier time is not known: 0).
    if (v.size() != 8 && v.size() != 9)
      throw Error("checkpoint: trainer state has " + std::to_string(v.size()) + " values, expected 9");
    epoch = std::int64_t(v[0]), batch = std::int64_t(v[1]), step = std::int64_t(v[2]), bad_epochs = std::int64_t(v[3]);
    best = v[4], loss_sum = v[5], loss_count = std::int64_t(v[6]), has_best = v[7] != 0;
    train_seconds = v.size() == 9 ? v[8] : 0.0;
  }
};

NamedArray to_array(const std::string& name, const Matrix& m) {
  NamedArray a{name, m.rows(), m.cols(), {}};
  a.data.assign(m.data(), m.data() + m.size());
  return a;
}

void from_array(const NamedArray& a, Matrix& m) {
  if (a.rows != m.rows() || a.cols != m.cols())
    throw Error("checkpoint: '" + a.name + "' is " + std::to_string(a.rows) + "x" + std::to_string(a.cols) +
                ", the model's is " + std::to_string(m.rows()) + "x" + std::to_string(m.cols()));
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(a.data[static_cast<std::size_t>(i)]);
}

void check_split(const Matrix& m, const char* split, Index dim, const std::string& dataset) {
  if (m.rows() == 0) throw Error("dataset " + dataset + ": the " + split + " split is empty");
  if (m.cols() != dim)
    throw Error("dataset " + dataset + ": the " + split + " split has " + std::to_string(m.cols()) +
                " columns, train has " + std::to_string(dim));
  if (!m.allFinite()) throw NumericalError("dataset " + dataset + ": the " + split + " split contains NaN or Inf");
}

// Mean loss and (if offered) mean NLL over a split, in evaluation batches, no gradients.
struct Evaluation {
  double loss = 0, nll = NAN;
};

// With a batch transform t, the NLL is that of the stored data: -log p(x) = -log p_model(t(x)) - log|det dt/dx|.
// The transform's randomness (dequantization noise) depends on the batch only, not on the epoch, so that
// validation NLLs of different epochs are measured on the same noisy data.
// `labels` (models that train on them): appended to each batch for the loss, after the transform.
Evaluation evaluate(Model& m, ad::Graph<float>& g, const Matrix& data, const Matrix* labels,
                    const BatchTransform* transform, Index batch_size, Rng rng, Rng transform_rng) {
  Evaluation e;
  double loss_sum = 0, nll_sum = 0;
  g.set_grad_enabled(false);
  Matrix batch, log_det, labelled;
  for (Index start = 0, k = 0; start < data.rows(); start += batch_size, ++k) {
    const Index rows = std::min(batch_size, data.rows() - start);
    batch = data.middleRows(start, rows);
    Rng r = rng.split(static_cast<std::uint64_t>(k));
    if (transform) {
      Rng tr = transform_rng.split(static_cast<std::uint64_t>(k));
      transform->apply(batch, tr, &log_det);
    }
    g.reset();
    if (labels) append_labels(batch, labels->middleRows(start, rows), labelled);
    loss_sum += double(m.loss(g, labels ? labelled : batch, r).value()(0, 0)) * double(rows);
    if (m.has_log_prob()) {
      g.reset();
      nll_sum -= m.log_prob(g, batch).value().template cast<double>().sum();
      if (transform) nll_sum -= log_det.cast<double>().sum();
    }
  }
  g.set_grad_enabled(true);
  e.loss = loss_sum / double(data.rows());
  if (m.has_log_prob()) e.nll = nll_sum / double(data.rows());
  return e;
}

// The model's log-likelihood estimates on a split, batch by batch in parallel (each batch its own random
// stream, so the result does not depend on the number of threads), with the transform's log-determinant.
// The transform is applied with the same streams as evaluate(), so every estimate sees the same data.
void report_estimates(const Model& m, const Matrix& data, const BatchTransform* transform, Index batch_size,
                      Rng rng, Rng transform_rng, const std::string& split, RunContext& ctx) {
  const std::vector<std::string> names = m.log_likelihood_estimates();
  if (names.empty()) return;
  const Index batches = (data.rows() + batch_size - 1) / batch_size;
  std::vector<Matrix> inputs(static_cast<std::size_t>(batches));
  double log_det_sum = 0;
  for (Index k = 0; k < batches; ++k) {
    const Index start = k * batch_size, rows = std::min(batch_size, data.rows() - start);
    Matrix& batch = inputs[static_cast<std::size_t>(k)];
    batch = data.middleRows(start, rows);
    if (transform) {
      Matrix log_det;
      Rng tr = transform_rng.split(static_cast<std::uint64_t>(k));
      transform->apply(batch, tr, &log_det);
      log_det_sum += log_det.cast<double>().sum();
    }
  }
  for (std::size_t e = 0; e < names.size(); ++e) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<double> sums(static_cast<std::size_t>(batches), 0.0);
    const Rng estimate_rng = rng.split(e);
    tbb::parallel_for(Index{0}, batches, [&](Index k) {
      Rng r = estimate_rng.split(static_cast<std::uint64_t>(k));
      const Matrix& batch = inputs[static_cast<std::size_t>(k)];
      const Matrix v = m.log_likelihood_estimate(names[e], batch, r);
      if (v.rows() != batch.rows() || v.cols() != 1)
        throw ShapeError("log_likelihood_estimate '" + names[e] + "' returned " + std::to_string(v.rows()) + "x" +
                         std::to_string(v.cols()) + " for a batch of " + std::to_string(batch.rows()));
      sums[static_cast<std::size_t>(k)] = v.cast<double>().sum();
      ctx.check_stop();
    });
    double total = 0;
    for (double s : sums) total += s;  // in batch order: the same sum whatever the threads did
    const double value = -(total + log_det_sum) / double(data.rows());
    if (!std::isfinite(value)) throw NumericalError("estimate '" + names[e] + "' on the " + split + " split is not finite");
    ctx.set_final(split + "_" + names[e], value);
    ctx.set_final(split + "_" + names[e] + "_time_s",
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
}

// The model's own test metrics (Model::test_metrics), on the test split after the transform.
void report_model_metrics(const Model& m, const DataSplits& data, RunContext& ctx) {
  Matrix test = data.test;
  if (data.transform) {
    Rng tr = ctx.rng("eval_transform").split(2);
    data.transform->apply(test, tr, nullptr);
  }
  Rng rng = ctx.rng("test_metrics");
  for (const auto& [name, value] : m.test_metrics(test, rng)) {
    if (!std::isfinite(value)) throw NumericalError("test metric '" + name + "' is not finite");
    ctx.set_final("test_" + name, value);
  }
}

// Data-dependent initialization on the first `rows` training rows, through the batch transform.
void initialize_model(Model& m, const DataSplits& data, Index rows, Rng rng) {
  Matrix batch = data.train.topRows(rows);
  if (data.transform) data.transform->apply(batch, rng, nullptr);
  m.initialize(batch);
}

}  // namespace

void report_test_metrics(Model& model, ad::Graph<float>& g, const DataSplits& data, Index eval_batch_size,
                         RunContext& ctx) {
  const Matrix* test_labels = model.uses_labels() ? &data.test_labels : nullptr;
  const Evaluation t = evaluate(model, g, data.test, test_labels, data.transform.get(), eval_batch_size,
                                ctx.rng("eval").split(~std::uint64_t{0}), ctx.rng("eval_transform").split(1));
  ctx.set_final("test_loss", t.loss);
  if (model.has_log_prob()) {
    ctx.set_final("test_nll", t.nll);
    ctx.set_final("test_bits_per_dim", t.nll / (double(data.test.cols()) * std::log(2.0)));
  }
  if (model.can_classify()) {
    const ClassificationResult c = evaluate_classification(model, data.test, data.test_labels, data.transform.get(),
                                                           eval_batch_size, ctx.rng("eval_transform").split(1));
    ctx.set_final("test_accuracy", c.accuracy);
    ctx.set_final("test_macro_f1", c.macro_f1);
    ctx.set_final("test_cross_entropy", c.cross_entropy);
    ctx.save_array("test_confusion", c.confusion.rows(), c.confusion.cols(), c.confusion.data());
    ctx.save_array("test_f1", 1, Index(c.f1.size()), c.f1.data());
  }
  report_estimates(model, data.test, data.transform.get(), eval_batch_size, ctx.rng("estimates"),
                   ctx.rng("eval_transform").split(1), "test", ctx);
  report_model_metrics(model, data, ctx);
}

void train_model(const ComponentInfo& model_info, const ComponentInfo& dataset_info, const Value& config,
                 RunContext& ctx) {
  TrainConfig tc = read_train_config(Params("train", *config.find("train")));
  const EvalConfig ec = read_eval_config(Params("eval", *config.find("eval")));

  Rng data_rng = ctx.rng("data");
  DataSplits data = dataset_info.make_dataset(Params(dataset_info.name, *config.find("dataset")), data_rng);
  const Index dim = data.train.cols();
  check_split(data.train, "train", dim, dataset_info.name);
  check_split(data.valid, "valid", dim, dataset_info.name);
  check_split(data.test, "test", dim, dataset_info.name);
  ctx.note(data.description);
  if (data.transform) ctx.note("batch transform: " + data.transform->describe());

  Rng init_rng = ctx.rng("init");
  std::unique_ptr<Model> model = model_info.make_model(Params(model_info.name, *config.find("model")),
                                                       ModelSetup{dim, &init_rng, data.classes});
  const bool labelled = model->uses_labels() || model->can_classify();
  if (labelled) {
    if (data.classes == 0)
      throw Error("model " + model_info.name + " needs labels and dataset " + dataset_info.name + " has none");
    const std::pair<const Matrix*, const Matrix*> splits[] = {
        {&data.train, &data.train_labels}, {&data.valid, &data.valid_labels}, {&data.test, &data.test_labels}};
    for (const auto& [x, y] : splits)
      if (y->rows() != x->rows() || y->cols() != 1)
        throw Error("dataset " + dataset_info.name + ": " + std::to_string(y->rows()) + " labels for " +
                    std::to_string(x->rows()) + " examples");
  }
  const Matrix* valid_labels = model->uses_labels() ? &data.valid_labels : nullptr;
  auto& params = model->params();
  auto optimizer = nn::make_optimizer<float>(tc.optimizer, params);
  const bool has_nll = model->has_log_prob();
  const std::string valid_metric = has_nll ? "valid_nll" : "valid_loss";

  LoopState st;
  std::vector<Matrix> best(params.size());
  if (auto c = ctx.restore_checkpoint()) {
    std::vector<NamedArray> opt_state;
    for (const auto& a : c->arrays) {
      if (a.name == "trainer") {
        st.unpack(a.data);
      } else if (a.name.rfind("param:", 0) == 0 || a.name.rfind("best:", 0) == 0) {
        const bool is_best = a.name[0] == 'b';
        const std::string pname = a.name.substr(is_best ? 5 : 6);
        std::size_t k = 0;
        for (auto& p : params.all()) {
          if (p.name == pname) {
            if (is_best)
              best[k] = p.value, from_array(a, best[k]);
            else
              from_array(a, p.value);
          }
          ++k;
        }
      } else if (a.name.rfind("opt:", 0) == 0) {
        NamedArray o = a;
        o.name = a.name.substr(4);
        opt_state.push_back(std::move(o));
      }
    }
    optimizer->load_state(opt_state);
  } else {
    initialize_model(*model, data, std::min<Index>(data.train.rows(), kInitRows), ctx.rng("initialize"));
  }
  const auto t0 = std::chrono::steady_clock::now();
  const double seconds_before = st.train_seconds;
  auto trained_seconds = [&] {
    return seconds_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  auto save_checkpoint = [&] {
    Checkpoint c;
    c.step = st.step;
    st.train_seconds = trained_seconds();
    const std::vector<double> packed = st.pack();
    c.arrays.push_back(NamedArray{"trainer", 1, std::int64_t(packed.size()), packed});
    std::size_t k = 0;
    for (const auto& p : params.all()) {
      c.arrays.push_back(to_array("param:" + p.name, p.value));
      if (st.has_best) c.arrays.push_back(to_array("best:" + p.name, best[k]));
      ++k;
    }
    for (auto& a : optimizer->state()) {
      a.name = "opt:" + a.name;
      c.arrays.push_back(std::move(a));
    }
    ctx.save_checkpoint(c);
  };

  const Index n = data.train.rows();
  const Index batch_size = std::min<Index>(tc.batch_size, n);
  const Index batches = n / batch_size;  // a last partial batch is dropped: every step has the same shapes
  tc.schedule.total_steps = tc.epochs * batches;  // the cosine schedule's horizon
  const Rng order_rng = ctx.rng("order"), step_rng = ctx.rng("step"), eval_rng = ctx.rng("eval"),
            transform_rng = ctx.rng("transform");
  ad::Graph<float> g;
  Matrix batch(batch_size, dim), batch_labels(batch_size, 1), labelled_batch;
  std::vector<Index> order(static_cast<std::size_t>(n));
  bool stopped_early = false, budget_hit = false;

  for (; st.epoch < tc.epochs; ++st.epoch, st.batch = 0) {
    // The epoch's order depends on the epoch only, so a resumed run sees the same batches.
    std::iota(order.begin(), order.end(), Index{0});
    Rng shuffle = order_rng.split(static_cast<std::uint64_t>(st.epoch));
    for (Index i = n - 1; i > 0; --i) std::swap(order[std::size_t(i)], order[shuffle.below(std::uint64_t(i) + 1)]);
    model->begin_epoch(st.epoch);
    for (; st.batch < batches; ++st.batch) {
      for (Index r = 0; r < batch_size; ++r) {
        const Index i = order[std::size_t(st.batch * batch_size + r)];
        batch.row(r) = data.train.row(i);
        if (labelled) batch_labels(r, 0) = data.train_labels(i, 0);
      }
      if (data.transform) {  // fresh dequantization noise / binarization for every step
        Rng tr = transform_rng.split(static_cast<std::uint64_t>(st.step));
        data.transform->apply(batch, tr, nullptr);
      }
      if (model->uses_labels()) append_labels(batch, batch_labels, labelled_batch);
      Rng noise = step_rng.split(static_cast<std::uint64_t>(st.step));
      const float lv = train_step(model_info.name, *model, g, model->uses_labels() ? labelled_batch : batch, noise,
                                  *optimizer, tc.clip_norm, tc.schedule.lr(st.step, st.epoch), {st.step, st.epoch});
      ++st.step;
      st.loss_sum += lv;
      ++st.loss_count;
      ctx.set_progress((double(st.epoch) + double(st.batch + 1) / double(batches)) / double(tc.epochs));
      // A run asked to stop (Ctrl-C, a scheduler's SIGTERM) saves the updates it has done, so that the rerun
      // continues from here rather than from the last periodic checkpoint (an epoch of a big model is minutes).
      if (tc.checkpoint_every > 0 && (st.step % tc.checkpoint_every == 0 || ctx.stop_requested())) {
        ++st.batch;  // the checkpoint resumes at the next batch
        save_checkpoint();
        --st.batch;
      }
      ctx.check_stop();
      if (tc.max_wall_time > 0 && trained_seconds() >= tc.max_wall_time) {
        budget_hit = true;
        break;
      }
    }
    if (budget_hit) {
      // Mid-epoch: the partial epoch is not validated; the best parameters so far are evaluated.
      char budget[32];
      std::snprintf(budget, sizeof budget, "%g", tc.max_wall_time);
      ctx.note(std::string("stopped by train.max_wall_time = ") + budget + " s after " +
               std::to_string(st.step) + " updates (epoch " + std::to_string(st.epoch) + ", batch " +
               std::to_string(st.batch + 1) + " of " + std::to_string(batches) + ")");
      break;
    }
    ctx.log("train_loss", st.epoch, st.loss_sum / double(std::max<std::int64_t>(1, st.loss_count)));
    ctx.log("lr", st.epoch, tc.schedule.lr(st.step, st.epoch));
    for (const auto& [name, value] : model->take_epoch_counters()) ctx.log("train_" + name, st.epoch, value);
    st.loss_sum = 0;
    st.loss_count = 0;
    // Validation after every valid_every-th epoch and after the last: the best-epoch selection and early
    // stopping see only those epochs.
    const bool validate = (st.epoch + 1) % tc.valid_every == 0 || st.epoch + 1 == tc.epochs;
    Evaluation v;
    if (validate) {
      v = evaluate(*model, g, data.valid, valid_labels, data.transform.get(), ec.batch_size,
                   eval_rng.split(std::uint64_t(st.epoch)), ctx.rng("eval_transform").split(0));
      ctx.log("valid_loss", st.epoch, v.loss);
      if (has_nll) ctx.log("valid_nll", st.epoch, v.nll);
      if (model->can_classify()) {
        const ClassificationResult c = evaluate_classification(*model, data.valid, data.valid_labels,
                                                               data.transform.get(), ec.batch_size,
                                                               ctx.rng("eval_transform").split(0));
        ctx.log("valid_accuracy", st.epoch, c.accuracy);
        ctx.log("valid_macro_f1", st.epoch, c.macro_f1);
        ctx.log("valid_cross_entropy", st.epoch, c.cross_entropy);
      }
    }
    if (tc.log_test_every > 0 && (st.epoch + 1) % tc.log_test_every == 0) {
      // A learning curve on the test split, for reports only: model selection reads the valid split alone.
      const Evaluation t = evaluate(*model, g, data.test, model->uses_labels() ? &data.test_labels : nullptr,
                                    data.transform.get(), ec.batch_size, eval_rng.split(~std::uint64_t{0}),
                                    ctx.rng("eval_transform").split(1));
      ctx.log(has_nll ? "test_nll" : "test_loss", st.epoch, has_nll ? t.nll : t.loss);
    }
    if (!validate) continue;
    const double metric = has_nll ? v.nll : v.loss;
    if (!st.has_best || metric < st.best) {
      st.has_best = true;
      st.best = metric;
      st.bad_epochs = 0;
      std::size_t k = 0;
      for (const auto& p : params.all()) best[k++] = p.value;
    } else if (tc.patience > 0 && (st.bad_epochs += tc.valid_every) >= tc.patience) {
      ctx.note("early stop after epoch " + std::to_string(st.epoch) + ": " + valid_metric + " did not improve for " +
               std::to_string(tc.patience) + " epochs");
      stopped_early = true;
      ++st.epoch;
      break;
    }
  }
  // Evaluate the parameters that did best on the validation split.
  if (st.has_best) {
    std::size_t k = 0;
    for (auto& p : params.all()) p.value = best[k++];
  }
  const double train_time = trained_seconds();
  ctx.set_final(has_nll ? "best_valid_nll" : "best_valid_loss", st.best);
  ctx.set_final("epochs", double(st.epoch));
  ctx.set_final("steps", double(st.step));
  ctx.set_final("train_time_s", train_time);  // "time": excluded from determinism comparisons
  if (stopped_early) ctx.set_final("stopped_early", 1.0);
  if (budget_hit) ctx.set_final("budget_limited", 1.0);
  report_test_metrics(*model, g, data, ec.batch_size, ctx);
  if (ec.samples > 0 && model->can_sample()) {
    Rng sample_rng = ctx.rng("samples");
    Matrix s = model->sample(ec.samples, sample_rng);
    if (data.transform) data.transform->invert(s);  // back to the dataset's value space
    const MatrixD sd = s.cast<double>();
    ctx.save_array("samples", sd.rows(), sd.cols(), sd.data());
  }
  {
    // Figures from the first test images, in the model's space (after the batch transform).
    Matrix examples = data.test.topRows(std::min<Index>(data.test.rows(), kFigureExamples));
    if (data.transform) {
      Rng tr = ctx.rng("figures").split(0);
      data.transform->apply(examples, tr, nullptr);
    }
    Rng fr = ctx.rng("figures").split(1);
    for (const Figure& f : model->figures(examples, fr)) {
      const GrayImage im = image_grid(f.images, f.columns);
      MatrixD picture(im.height, im.width);
      for (Index i = 0; i < picture.size(); ++i) picture.data()[i] = double(im.pixels[std::size_t(i)]) / 255.0;
      ctx.save_array("figure_" + f.name, picture.rows(), picture.cols(), picture.data());
    }
  }
  for (const auto& p : params.all()) {
    const MatrixD v = p.value.cast<double>();
    ctx.save_array("params." + p.name, v.rows(), v.cols(), v.data());
  }
  const ModelExport ex = model->export_model();
  ctx.set_model_export(ex.description.json());
  for (const auto& [name, m] : ex.arrays) {
    const MatrixD v = m.cast<double>();
    ctx.save_array("export." + name, v.rows(), v.cols(), v.data());
  }
}

}  // namespace genlab
