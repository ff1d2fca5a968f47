#include "made.hpp"

#include <algorithm>
#include <cmath>

#include <genlab/error.hpp>
#include <genlab/nn/dropout.hpp>
#include <genlab/nn/init.hpp>

namespace genlab::autoregressive {

Schema Made::schema() {
  return Schema()
      .int_list("hidden", std::vector<std::int64_t>{500}, {.min = 1}, "hidden layer sizes")
      .choice("activation", "relu", {"relu", "tanh", "sigmoid", "elu", "softplus"}, "hidden activation")
      .integer("masks", 1, {.min = 1, .max = 10000}, "size of the mask pool (connectivity-agnostic training if > 1)")
      .integer("eval_masks", 0, {.min = 0, .max = 10000},
               "masks averaged by the test likelihood and used by sampling (0: all of the pool)")
      .choice("ordering", "natural", {"natural", "random"},
              "natural: every mask uses the natural order (only the hidden connectivity varies); random: each mask "
              "draws its own ordering (order-agnostic training)")
      .boolean("direct", false, "direct input-to-output connections (a masked D x D linear map)")
      .real("dropout", 0.0, {.min = 0, .max = 0.95},
            "dropout rate on every hidden layer's output while training (inverted: evaluation uses all units)")
      .keeps_ids_at_default()
      .boolean("sort_degrees", false,
               "number the hidden units by degree (masks: 1 only): the same model, but its masks become "
               "staircases and the GEMM skips their zero blocks, about half of every product")
      .keeps_ids_at_default()
      .boolean("condition_on_mask", false,
               "every layer also adds (U * M)^T 1 / sqrt(fan_in) to its pre-activations, a learned bias that depends "
               "on the selected mask (the authors' release: use_cond_mask, summed), so a network trained under "
               "many masks knows which one it runs under")
      .keeps_ids_at_default()
      .choice("init", "glorot", {"glorot", "he", "orthogonal"}, "weight initialization");
}

Made::Made(const Params& p, const ModelSetup& s)
    : activation_(nn::activation_from_name(p.get_string("activation"))), dropout_(p.get_float("dropout")) {
  const Index d = s.dim;
  if (d < 2) throw ConfigError("made: needs at least 2 dimensions");
  const auto hidden = p.get_int_list("hidden");
  const int k = int(p.get_int("masks"));
  eval_masks_ = p.get_int("eval_masks") == 0 ? k : int(p.get_int("eval_masks"));
  if (eval_masks_ > k)
    throw ConfigError("made: eval_masks (" + std::to_string(eval_masks_) + ") exceeds masks (" + std::to_string(k) + ")");
  // Sorting changes which unit gets which degree, so a run trained before this option existed (unsorted)
  // would not reload into a sorted model: it is opt-in. With several masks a sorted degree vector per mask
  // would give each unit nearly the same degree in every mask, which defeats connectivity-agnostic
  // training: refused.
  const bool sort_degrees = p.get_bool("sort_degrees");
  if (sort_degrees && k > 1)
    throw ConfigError("made: sort_degrees needs masks: 1 (with " + std::to_string(k) +
                      " masks, sorted degrees would give each unit about the same degree in every mask)");
  const std::string init_name = p.get_string("init");
  const nn::Init init = init_name == "orthogonal" ? nn::Init::Orthogonal : init_name == "he" ? nn::Init::He : nn::Init::Glorot;
  // The pool: orderings and hidden degrees, drawn once from the run's init stream (a resumed run rebuilds
  // the same pool). Masks themselves are built when a mask is selected: storing K of them for big layers
  // would take K times the weights' memory.
  Rng& rng = *s.rng;
  for (int m = 0; m < k; ++m) {
    Connectivity c{p.get_string("ordering") == "random" ? Ordering::random(d, rng) : Ordering::natural(d), {}};
    Index lo = 1;
    for (std::int64_t units : hidden) {
      c.degrees.push_back(hidden_degrees(Index(units), lo, d, rng));
      // The units are exchangeable (their initial weights are drawn the same way for each), so numbering
      // them by degree gives the same model, with masks that are staircases.
      if (sort_degrees) std::sort(c.degrees.back().begin(), c.degrees.back().end());
      lo = *std::min_element(c.degrees.back().begin(), c.degrees.back().end());
    }
    pool_.push_back(std::move(c));
  }
  const bool conditioned = p.get_bool("condition_on_mask");
  Index in = d;
  for (std::size_t l = 0; l < hidden.size(); ++l) {
    layers_.emplace_back(params_, "hidden" + std::to_string(l), in, Index(hidden[l]), rng, init, conditioned);
    in = Index(hidden[l]);
  }
  layers_.emplace_back(params_, "out", in, d, rng, init, conditioned);
  if (p.get_bool("direct")) direct_ = &params_.add("direct.W", Matrix::Zero(d, d));
  select(0);
}

void Made::select(int k) {
  if (k == current_) return;
  // The masks are degree masks: a hidden unit of degree m sees the units below of degree <= m (inputs:
  // their positions in the ordering), output i the units of degree < position[i]. Selecting a mask copies
  // the degree vectors; no mask of the weights' size is built or stored.
  const Connectivity& c = pool_[std::size_t(k)];
  const std::vector<Index>* below = &c.order.position;
  for (std::size_t l = 0; l < c.degrees.size(); ++l) {
    layers_[l].set_degrees(*below, c.degrees[l], false);
    below = &c.degrees[l];
  }
  layers_.back().set_degrees(*below, c.order.position, true);
  current_ = k;
}

ModelExport Made::export_model() const {
  ModelExport ex = BinaryAutoregressive::export_model();
  for (std::size_t k = 0; k < pool_.size(); ++k)
    for (std::size_t l = 0; l < pool_[k].degrees.size(); ++l) {
      const std::vector<Index>& deg = pool_[k].degrees[l];
      Matrix m(1, Index(deg.size()));
      for (std::size_t j = 0; j < deg.size(); ++j) m(0, Index(j)) = float(deg[j]);
      ex.arrays.emplace_back("degrees_" + std::to_string(k) + "_" + std::to_string(l), std::move(m));
    }
  return ex;
}

V Made::logits(ad::Graph<float>& g, const V& x, int k, Rng* train_noise) {
  GENLAB_ASSERT(k == current_, "made: logits for a mask that is not selected");
  V h = x;
  for (std::size_t l = 0; l + 1 < layers_.size(); ++l) {
    h = layers_[l](g, h, activation_);
    // Dropout multiplies hidden units by per-example constants: it removes paths, never adds one, so the
    // autoregressive property holds under any dropout mask.
    if (train_noise && dropout_ > 0) h = nn::dropout(g, h, dropout_, *train_noise);
  }
  V out = layers_.back()(g, h);
  if (direct_) out = ad::add(out, ad::masked_matmul(x, direct_->var(g), direct_degrees()));
  return out;
}

void Made::incremental(Matrix& x, const Matrix* keep, int k, Index from, Rng* rng, Matrix* logits_out) {
  select(k);
  const Connectivity& c = pool_[std::size_t(k)];
  const Index n = x.rows(), d = c.order.size(), hidden = Index(c.degrees.size());
  const std::vector<Index>& pos = c.order.position;
  // Pre-activations of every hidden layer and the output logits, starting from the biases (under mask k:
  // with condition_on_mask they depend on it).
  std::vector<Matrix> pre(static_cast<std::size_t>(hidden));
  for (Index l = 0; l < hidden; ++l) pre[std::size_t(l)] = layers_[std::size_t(l)].effective_bias().replicate(n, 1);
  Matrix z = layers_.back().effective_bias().replicate(n, 1);
  // The units of each layer by degree: they become final together.
  std::vector<std::vector<std::vector<Index>>> by_degree(static_cast<std::size_t>(hidden),
                                                         std::vector<std::vector<Index>>(std::size_t(d + 1)));
  for (Index l = 0; l < hidden; ++l)
    for (std::size_t j = 0; j < c.degrees[std::size_t(l)].size(); ++j)
      by_degree[std::size_t(l)][std::size_t(c.degrees[std::size_t(l)][j])].push_back(Index(j));
  // target += v * row over the entries the mask keeps: degree >= s (hidden), or position > s (output).
  auto add_row = [](float* target, const float* row, float v, const Index* deg, Index count, Index s, bool strict) {
    for (Index j = 0; j < count; ++j) target[j] += (strict ? deg[j] > s : deg[j] >= s) ? v * row[j] : 0.0f;
  };
  ad::Graph<float> g;
  g.set_grad_enabled(false);
  for (Index s = 1; s <= d; ++s) {
    const Index dim = c.order.order[std::size_t(s - 1)];
    if (logits_out != nullptr) logits_out->col(dim) = z.col(dim);
    if (rng != nullptr && s > from)
      for (Index r = 0; r < n; ++r) {
        if (keep != nullptr && (*keep)(r, dim) != 0.0f) continue;
        const double p = 1.0 / (1.0 + std::exp(-double(z(r, dim))));
        x(r, dim) = rng->uniform() < p ? 1.0f : 0.0f;
      }
    // x_dim is known: into the first layer (units of degree >= s) and the direct connections (outputs after s).
    const Matrix& w0 = layers_.front().weight().value;
    const std::vector<Index>& first = hidden > 0 ? c.degrees.front() : pos;
    for (Index r = 0; r < n; ++r) {
      const float v = x(r, dim);
      if (v == 0.0f) continue;
      if (hidden > 0)
        add_row(pre.front().row(r).data(), w0.row(dim).data(), v, first.data(), w0.cols(), s, false);
      else
        add_row(z.row(r).data(), w0.row(dim).data(), v, pos.data(), d, s, true);
      if (direct_) add_row(z.row(r).data(), direct_->value.row(dim).data(), v, pos.data(), d, s, true);
    }
    // The units of degree s, layer by layer: activate, then feed the layer above (or the output).
    for (Index l = 0; l < hidden; ++l) {
      const std::vector<Index>& units = by_degree[std::size_t(l)][std::size_t(s)];
      if (units.empty()) continue;
      Matrix a(n, Index(units.size()));
      for (std::size_t t = 0; t < units.size(); ++t) a.col(Index(t)) = pre[std::size_t(l)].col(units[t]);
      g.reset();
      const Matrix h = nn::activate(g.constant(a), activation_).value();
      const bool to_output = l + 1 == hidden;
      const Matrix& w = layers_[std::size_t(l + 1)].weight().value;
      Matrix& target = to_output ? z : pre[std::size_t(l + 1)];
      const Index* deg = to_output ? pos.data() : c.degrees[std::size_t(l + 1)].data();
      for (std::size_t t = 0; t < units.size(); ++t)
        for (Index r = 0; r < n; ++r) {
          const float v = h(r, Index(t));
          if (v != 0.0f) add_row(target.row(r).data(), w.row(units[t]).data(), v, deg, w.cols(), s, to_output);
        }
    }
  }
}

ad::Degrees Made::direct_degrees() const {
  const std::vector<Index>& pos = pool_[std::size_t(current_)].order.position;
  return {&pos, &pos, true};  // input j reaches output i iff position[j] < position[i]
}

Matrix Made::direct_mask() const {
  return direct_degrees().dense();
}

void Made::ancestral(Matrix& x, const Matrix* keep, int k, Index from, Rng& rng) {
  incremental(x, keep, k, from, &rng, nullptr);
}

Matrix Made::incremental_logits(const Matrix& x, int k) {
  Matrix copy = x, out(x.rows(), x.cols());
  incremental(copy, nullptr, k, 0, nullptr, &out);
  return out;
}

}  // namespace genlab::autoregressive
