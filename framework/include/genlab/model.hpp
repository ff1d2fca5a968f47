#pragma once
// Model: a component the generic trainer fits to data. A model is its math: parameters, a loss on a batch,
// and the capabilities it declares (exact log-likelihood, sampling). The trainer owns the loop, batching,
// evaluation, early stopping, checkpoints, NaN detection and logging.
//
// Data are float32 row-major matrices, one example per row.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "genlab/ad/graph.hpp"
#include "genlab/data/transform.hpp"
#include "genlab/error.hpp"
#include "genlab/export.hpp"
#include "genlab/nn/params.hpp"
#include "genlab/rng.hpp"
#include "genlab/value.hpp"

namespace genlab {

/// What a model's constructor gets besides its parameters.
struct ModelSetup {
  Index dim = 0;       ///< number of columns of the data
  Rng* rng = nullptr;  ///< for initial weights (a stream of its own per run)
  Index classes = 0;   ///< number of label classes the dataset has (0: unlabelled)
};

/// What code outside genlab needs, besides the run's /config and /arrays/params.*, to rebuild a trained model
/// and recompute its likelihood (README "Export"): structure the config leaves implicit (a flow's flattened
/// layer list with every default filled in) and constants drawn at construction (orderings, MADE degrees,
/// fixed permutations). Stored as the run file's attribute `model_export` (JSON) and /arrays/export.<name>.
struct ModelExport {
  Value description = Value::map();
  std::vector<std::pair<std::string, Matrix>> arrays;
};

/// A picture a model draws after training: `images` holds one square image per row (values in [0, 1]),
/// laid out `columns` to a row of the grid.
struct Figure {
  std::string name;
  Matrix images;
  Index columns = 1;
};

class GENLAB_EXPORT Model {
 public:
  virtual ~Model();

  /// Every trainable parameter, named.
  virtual nn::ParamSet<float>& params() = 0;

  /// The mean loss over the rows of `batch` (1x1), built on g; the trainer minimizes it.
  /// `rng` serves stochastic losses (sampling inside the loss) and is reproducible per step.
  virtual ad::Var<float> loss(ad::Graph<float>& g, const Matrix& batch, Rng& rng) = 0;

  /// Capability: exact log p(x) in nats per row ([batch x 1]). Default: not offered.
  virtual bool has_log_prob() const { return false; }
  virtual ad::Var<float> log_prob(ad::Graph<float>& g, const Matrix& batch);

  /// Capability: n samples, one per row. Default: not offered.
  virtual bool can_sample() const { return false; }
  virtual Matrix sample(Index n, Rng& rng);
  /// Capability: inpainting. Returns `x` with every entry whose `observed` entry is 0 replaced by a sample
  /// from p(x_missing | x_observed), exactly (a model that can only approximate it does not offer it, or
  /// says so in its summary). Default: not offered.
  virtual bool can_inpaint() const { return false; }
  virtual Matrix inpaint(const Matrix& x, const Matrix& observed, Rng& rng);
  /// What inpaint() computes, for logs and the `genlab inpaint` report. A model whose conditional is not
  /// tractable may offer another documented completion instead of a sample (NICE maximizes log p over the
  /// missing entries from a random start) and must say so here.
  virtual std::string inpaint_method() const { return "exact sample from p(x_missing | x_observed)"; }

  /// Capability: stages. Called by the trainer before the first batch of every epoch, also when a run
  /// resumes mid-epoch, so a model that changes what it trains at some epoch (rectified flow's reflow) must
  /// keep its stage in its parameters (frozen ones, see nn::Parameter) and act only on a change. Default:
  /// nothing to do.
  virtual void begin_epoch(std::int64_t epoch) { (void)epoch; }

  /// Capability: data-dependent initialization (Glow's actnorm). Called once on a fresh run, before the
  /// first update, with training rows after the batch transform; not called when a run resumes from a
  /// checkpoint (the checkpoint holds the initialized parameters). Default: nothing to do.
  virtual void initialize(const Matrix& batch) { (void)batch; }

  /// Capability: estimates or bounds of log p(x) per row ([rows x 1], nats) where there is no exact
  /// log_prob, or besides it (a VAE's ELBO and importance-weighted bounds). After training, the trainer
  /// evaluates each name on the test split, batches in parallel on oneTBB (so this must be safe to call
  /// concurrently: build a graph of your own), and reports test_<name> = -mean (an NLL or a bound on it)
  /// with the batch transform's log-determinant included, and test_<name>_time_s. Names are plain words
  /// such as nll_iwae_k50. Default: none.
  virtual std::vector<std::string> log_likelihood_estimates() const { return {}; }
  virtual Matrix log_likelihood_estimate(const std::string& name, const Matrix& batch, Rng& rng) const;

  /// Capability: the model's own figures of merit on the test split, reported after training as
  /// test_<name> (a rectified flow's straightness and sample quality per number of solver steps). `test`
  /// holds the whole test split after the batch transform; `rng` is the run's own stream for it. Names are
  /// plain words. Default: none.
  virtual std::vector<std::pair<std::string, double>> test_metrics(const Matrix& test, Rng& rng) const;

  /// Capability: classification. A model that trains on labels returns true from uses_labels(): the trainer
  /// then appends each example's label (the dataset's class index, as a float) as one last column of every
  /// batch it passes to loss(), after the batch transform. A model that can classify returns class
  /// probabilities ([rows x C], rows summing to 1) for a batch of features (no label column), and says which
  /// of its C classes a dataset label stands for (a one-vs-rest model maps the other labels to class 0).
  /// The trainer then logs valid_accuracy and valid_cross_entropy per epoch and reports test_accuracy,
  /// test_macro_f1, test_cross_entropy, /arrays/test_confusion (true x predicted) and test_f1 per class.
  virtual bool uses_labels() const { return false; }
  virtual bool can_classify() const { return false; }
  virtual Matrix class_probabilities(const Matrix& features) const;
  virtual Index target_class(Index label) const { return label; }

  /// Capability: the model's own counters for the epoch that just ended (a perceptron's mistakes), logged
  /// by the trainer as train_<name> after every epoch; the model resets them when asked. Counters live in
  /// memory only: a run resumed mid-epoch counts that epoch from the resume point. Default: none.
  virtual std::vector<std::pair<std::string, double>> take_epoch_counters() { return {}; }

  /// Capability: pictures of what the model learned (reconstructions, interpolations, a latent grid),
  /// from the first rows of the test split (`examples`, after the batch transform). The trainer stores
  /// each, composed into one grid picture, as /arrays/figure_<name> (render: genlab png). Default: none.
  virtual std::vector<Figure> figures(const Matrix& examples, Rng& rng) const;

  /// The model's export (see ModelExport), saved with the final parameters. Default: nothing beyond the
  /// config and the parameters (enough for models whose structure the config spells out).
  virtual ModelExport export_model() const { return {}; }
};

/// The splits of a dataset, one example per row.
struct DataSplits {
  Matrix train, valid, test;
  /// Class labels, one row per example (a class index 0..classes-1 as a float); 0 rows when unlabelled.
  Matrix train_labels, valid_labels, test_labels;
  Index classes = 0;
  /// Applied to every batch before the model sees it (nullptr: none); see data/transform.hpp. Likelihoods
  /// the trainer reports include its log-determinant, so they are for the data as stored here.
  std::shared_ptr<const BatchTransform> transform;
  std::string description;  ///< what was generated or read (shown in the run's log)
};

}  // namespace genlab
