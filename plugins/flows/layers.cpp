#include "layers.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <Eigen/LU>
#include <genlab/ad/graph_pool.hpp>
#include <genlab/ad/ops.hpp>
#include <genlab/error.hpp>
#include <genlab/nn/init.hpp>
#include <genlab/schema.hpp>

namespace genlab::flows {
namespace {

using Indices = std::vector<Index>;

Matrix gather_cols(const Matrix& m, const Indices& idx) {
  Matrix out(m.rows(), Index(idx.size()));
  for (std::size_t j = 0; j < idx.size(); ++j) out.col(Index(j)) = m.col(idx[j]);
  return out;
}

Indices inverse_permutation(const Indices& perm) {
  Indices inv(perm.size());
  for (std::size_t j = 0; j < perm.size(); ++j) inv[std::size_t(perm[j])] = Index(j);
  return inv;
}

std::string join(const std::vector<Index>& sizes, const char* sep) {
  std::string s;
  for (std::size_t i = 0; i < sizes.size(); ++i) s += (i ? sep : "") + std::to_string(sizes[i]);
  return s;
}

// A network evaluated outside any training graph (inverse passes), on a graph leased from `pool`.
Matrix evaluate(const nn::Mlp<float>& mlp, const Matrix& x, ad::GraphPool<float>& pool) {
  const auto g = pool.lease();
  return mlp(*g, g->constant_view(x)).value();
}

Matrix index_row(const Indices& idx) {
  Matrix m(1, Index(idx.size()));
  for (std::size_t j = 0; j < idx.size(); ++j) m(0, Index(j)) = float(idx[j]);
  return m;
}

enum class Split { OddEven, Halves };

// Couplings (Dinh et al. 2014, 2016): x is split into a conditioning part x1 (the `parity` half) and a
// transformed part x2; y1 = x1 and y2 = x2 + m(x1) (additive) or x2 exp(s(x1)) + t(x1) (affine). The split is
// a column permutation to [x1 | x2], undone at the end, so any partition costs the same.
class Coupling final : public Layer {
 public:
  Coupling(bool affine, Split split, int parity, const std::vector<Index>& hidden, nn::Activation act,
           const std::string& act_name, double clamp, Index dim, nn::ParamSet<float>& params, const std::string& name,
           Rng& rng)
      : affine_(affine), clamp_(float(clamp)), split_(split), parity_(parity), act_name_(act_name) {
    Indices cond, trans;
    for (Index i = 0; i < dim; ++i) {
      const bool first = split == Split::OddEven ? i % 2 == 0 : i < (dim + 1) / 2;
      (first == (parity == 0) ? cond : trans).push_back(i);
    }
    d1_ = Index(cond.size());
    d2_ = Index(trans.size());
    perm_ = cond;
    perm_.insert(perm_.end(), trans.begin(), trans.end());
    inv_perm_ = inverse_permutation(perm_);
    sizes_ = {d1_};
    sizes_.insert(sizes_.end(), hidden.begin(), hidden.end());
    sizes_.push_back(affine ? 2 * d2_ : d2_);
    // The last layer starts at zero: every coupling starts as the identity.
    mlp_ = nn::Mlp<float>(params, name + ".mlp", sizes_, act, rng, /*zero_last=*/true);
  }

  Step forward(ad::Graph<float>& g, const V& x) const override {
    const V xp = ad::permute_cols(x, perm_);
    const V x1 = ad::slice_cols(xp, 0, d1_), x2 = ad::slice_cols(xp, d1_, d2_);
    const V out = mlp_(g, x1);
    Step s;
    V y2;
    if (affine_) {
      const V log_scale = soft_clamp(ad::slice_cols(out, 0, d2_));
      y2 = ad::add(ad::mul(x2, ad::exp(log_scale)), ad::slice_cols(out, d2_, d2_));
      s.log_det = ad::sum_cols(log_scale);
      s.has_log_det = true;
    } else {
      y2 = ad::add(x2, out);
    }
    s.y = ad::permute_cols(ad::concat_cols(x1, y2), inv_perm_);
    return s;
  }

  Matrix inverse(const Matrix& y) const override {
    const Matrix yp = gather_cols(y, perm_);
    const Matrix y1 = yp.leftCols(d1_);
    const Matrix out = evaluate(mlp_, y1, graphs_);
    Matrix xp(y.rows(), y.cols());
    xp.leftCols(d1_) = y1;
    if (affine_) {
      const Matrix raw = out.leftCols(d2_);
      const Matrix log_scale = (clamp_ * (raw.array() / clamp_).tanh()).matrix();
      xp.rightCols(d2_) = ((yp.rightCols(d2_) - out.rightCols(d2_)).array() * (-log_scale.array()).exp()).matrix();
    } else {
      xp.rightCols(d2_) = yp.rightCols(d2_) - out;
    }
    return gather_cols(xp, inv_perm_);
  }

  std::string describe() const override {
    std::string s = std::string(affine_ ? "affine_coupling " : "additive_coupling ") +
                    (split_ == Split::OddEven ? "odd_even" : "halves") + " parity " + std::to_string(parity_) +
                    ", MLP " + join(sizes_, "-") + " " + act_name_;
    if (affine_) {
      char c[32];
      std::snprintf(c, sizeof c, ", clamp %g", double(clamp_));
      s += c;
    }
    return s;
  }

  std::string type() const override { return affine_ ? "affine_coupling" : "additive_coupling"; }
  void export_to(const std::string&, Value& e, std::vector<std::pair<std::string, Matrix>>&) const override {
    e.set("split", split_ == Split::OddEven ? "odd_even" : "halves");
    e.set("parity", parity_);
    Value::List hidden;
    for (std::size_t i = 1; i + 1 < sizes_.size(); ++i) hidden.emplace_back(std::int64_t(sizes_[i]));
    e.set("hidden", Value(std::move(hidden)));
    e.set("activation", act_name_);
    if (affine_) e.set("clamp", double(clamp_));
    Value::List cond, trans;
    for (Index j = 0; j < d1_; ++j) cond.emplace_back(std::int64_t(perm_[std::size_t(j)]));
    for (Index j = d1_; j < d1_ + d2_; ++j) trans.emplace_back(std::int64_t(perm_[std::size_t(j)]));
    e.set("conditioning", Value(std::move(cond)));
    e.set("transformed", Value(std::move(trans)));
  }

 private:
  // s = c tanh(s' / c): |s| < c keeps exp(s) bounded early in training; close to s' when |s'| << c.
  V soft_clamp(const V& raw) const { return ad::scale(ad::tanh(ad::scale(raw, 1.0f / clamp_)), clamp_); }

  bool affine_;
  float clamp_;
  Split split_;
  int parity_;
  std::string act_name_;
  Index d1_ = 0, d2_ = 0;
  Indices perm_, inv_perm_;
  std::vector<Index> sizes_;
  nn::Mlp<float> mlp_;
  mutable ad::GraphPool<float> graphs_;  // inverse passes (sampling), possibly concurrent
};

// y = x exp(s), one learned log-scale per dimension (NICE's final diagonal layer).
class Scale final : public Layer {
 public:
  Scale(Index dim, nn::ParamSet<float>& params, const std::string& name)
      : s_(&params.add(name + ".log_scale", Matrix::Zero(1, dim))) {}
  Step forward(ad::Graph<float>& g, const V& x) const override {
    const V s = s_->var(g);
    return {ad::mul(x, ad::exp(s)), ad::sum(s), true};
  }
  Matrix inverse(const Matrix& y) const override {
    return (y.array().rowwise() * (-s_->value.array()).exp().row(0)).matrix();
  }
  std::string describe() const override { return "scale (diagonal exp(s))"; }
  std::string type() const override { return "scale"; }
  void export_to(const std::string&, Value&, std::vector<std::pair<std::string, Matrix>>&) const override {}

 private:
  nn::Parameter<float>* s_;
};

// y = (x + b) exp(s) per dimension; b and s are set from the first data so that y starts with zero mean and
// unit variance in every dimension (Kingma & Dhariwal 2018), then trained like any parameter.
class ActNorm final : public Layer {
 public:
  ActNorm(Index dim, nn::ParamSet<float>& params, const std::string& name)
      : b_(&params.add(name + ".bias", Matrix::Zero(1, dim))), s_(&params.add(name + ".log_scale", Matrix::Zero(1, dim))) {}
  Step forward(ad::Graph<float>& g, const V& x) const override {
    const V s = s_->var(g);
    return {ad::mul(ad::add(x, b_->var(g)), ad::exp(s)), ad::sum(s), true};
  }
  Matrix inverse(const Matrix& y) const override {
    Matrix x = (y.array().rowwise() * (-s_->value.array()).exp().row(0)).matrix();
    x.rowwise() -= b_->value.row(0);
    return x;
  }
  void initialize(const Matrix& x) override {
    const Eigen::RowVectorXd mean = x.cast<double>().colwise().mean();
    const Eigen::RowVectorXd var = (x.cast<double>().rowwise() - mean).array().square().colwise().mean();
    b_->value = (-mean).cast<float>();
    s_->value = (-(var.array().sqrt() + 1e-6).log()).matrix().cast<float>();
  }
  std::string describe() const override { return "actnorm (data-initialized)"; }
  std::string type() const override { return "actnorm"; }
  void export_to(const std::string&, Value&, std::vector<std::pair<std::string, Matrix>>&) const override {}

 private:
  nn::Parameter<float>* b_;
  nn::Parameter<float>* s_;
};

// An invertible linear map y = x W with W = P L U (Kingma & Dhariwal 2018): P a fixed permutation, L unit
// lower triangular, U upper triangular with diagonal sign * exp(log_s), so log |det W| = sum log_s costs O(D).
// Starts at the LU factors of a random rotation.
class LuLinear final : public Layer {
 public:
  LuLinear(Index dim, nn::ParamSet<float>& params, const std::string& name, Rng& rng) : dim_(dim) {
    const Eigen::MatrixXd q = nn::orthogonal<float>(dim, dim, rng).cast<double>();
    const Eigen::PartialPivLU<Eigen::MatrixXd> lu(q);  // P q = L U, so q = P^T L U
    const Eigen::MatrixXd f = lu.matrixLU();
    const Eigen::MatrixXd pt = Eigen::MatrixXd(lu.permutationP().transpose());
    p_ = pt.cast<float>();
    identity_ = Matrix::Identity(dim, dim);
    lower_mask_ = Matrix::Zero(dim, dim);
    upper_mask_ = Matrix::Zero(dim, dim);
    sign_.resize(1, dim);
    Matrix l0 = Matrix::Zero(dim, dim), u0 = Matrix::Zero(dim, dim), log_s0(1, dim);
    for (Index i = 0; i < dim; ++i) {
      for (Index j = 0; j < dim; ++j) {
        if (j < i) lower_mask_(i, j) = 1, l0(i, j) = float(f(i, j));
        if (j > i) upper_mask_(i, j) = 1, u0(i, j) = float(f(i, j));
      }
      sign_(0, i) = f(i, i) < 0 ? -1.0f : 1.0f;
      log_s0(0, i) = float(std::log(std::abs(f(i, i))));
    }
    l_ = &params.add(name + ".lower", l0);
    u_ = &params.add(name + ".upper", u0);
    log_s_ = &params.add(name + ".log_s", log_s0);
  }

  Step forward(ad::Graph<float>& g, const V& x) const override {
    const V log_s = log_s_->var(g);
    const V eye = g.constant_view(identity_);
    const V lower = ad::add(ad::mask(l_->var(g), lower_mask_), eye);
    const V diag = ad::mul(eye, ad::mul(g.constant_view(sign_), ad::exp(log_s)));  // rows of I scaled: diag(.)
    const V upper = ad::add(ad::mask(u_->var(g), upper_mask_), diag);
    const V w = ad::matmul(g.constant_view(p_), ad::matmul(lower, upper));
    return {ad::matmul(x, w), ad::sum(log_s), true};
  }

  Matrix inverse(const Matrix& y) const override {
    const Eigen::MatrixXd w = weight();
    // x W = y  <=>  W^T x^T = y^T
    const Eigen::MatrixXd xt = w.transpose().partialPivLu().solve(y.cast<double>().transpose());
    return xt.transpose().cast<float>();
  }

  std::string describe() const override { return "lu_linear " + std::to_string(dim_) + "x" + std::to_string(dim_); }
  std::string type() const override { return "lu_linear"; }
  void export_to(const std::string& name, Value&, std::vector<std::pair<std::string, Matrix>>& arrays) const override {
    arrays.emplace_back(name + ".P", p_);
    arrays.emplace_back(name + ".sign", sign_);
  }

 private:
  Eigen::MatrixXd weight() const {
    Eigen::MatrixXd lower = (l_->value.array() * lower_mask_.array()).matrix().cast<double>();
    Eigen::MatrixXd upper = (u_->value.array() * upper_mask_.array()).matrix().cast<double>();
    for (Index i = 0; i < dim_; ++i) {
      lower(i, i) = 1.0;
      upper(i, i) = double(sign_(0, i)) * std::exp(double(log_s_->value(0, i)));
    }
    return p_.cast<double>() * lower * upper;
  }

  Index dim_;
  Matrix p_, identity_, lower_mask_, upper_mask_, sign_;  // constants the graph reads in place
  nn::Parameter<float>* l_ = nullptr;
  nn::Parameter<float>* u_ = nullptr;
  nn::Parameter<float>* log_s_ = nullptr;
};

// A fixed permutation of the dimensions (volume-preserving).
class Permute final : public Layer {
 public:
  Permute(Index dim, bool random, Rng& rng) : random_(random) {
    perm_.resize(std::size_t(dim));
    if (random) {
      std::iota(perm_.begin(), perm_.end(), Index{0});
      for (Index i = dim - 1; i > 0; --i) std::swap(perm_[std::size_t(i)], perm_[rng.below(std::uint64_t(i) + 1)]);
    } else {
      for (Index i = 0; i < dim; ++i) perm_[std::size_t(i)] = dim - 1 - i;
    }
    inv_ = inverse_permutation(perm_);
  }
  Step forward(ad::Graph<float>&, const V& x) const override { return {ad::permute_cols(x, perm_), V(), false}; }
  Matrix inverse(const Matrix& y) const override { return gather_cols(y, inv_); }
  std::string describe() const override { return random_ ? "permute (random, fixed)" : "permute (reverse)"; }
  std::string type() const override { return "permute"; }
  void export_to(const std::string& name, Value& e, std::vector<std::pair<std::string, Matrix>>& arrays) const override {
    e.set("order", random_ ? "random" : "reverse");
    arrays.emplace_back(name + ".perm", index_row(perm_));
  }

 private:
  bool random_;
  Indices perm_, inv_;
};

// ---- parsing ----

[[noreturn]] void fail(const Value& at, const std::string& path, const std::string& msg) {
  throw ConfigError(at.mark.str() + ": " + path + ": " + msg);
}

const std::vector<std::string> kTypes = {"additive_coupling", "affine_coupling", "scale", "actnorm", "lu_linear",
                                         "permute"};

void check_keys(const Value& v, const std::string& path, const std::vector<std::string>& allowed) {
  for (const auto& [k, x] : v.as_map())
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      const std::string guess = did_you_mean(k, allowed);
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(x, path + "." + k,
           "unknown key '" + k + "' (this layer takes " + list + ")" + (guess.empty() ? "" : "; did you mean '" + guess + "'?"));
    }
}

std::string choice(const Value& v, const std::string& key, const std::string& path, const std::string& def,
                   const std::vector<std::string>& options) {
  const Value* x = v.find(key);
  if (!x) return def;
  if (x->kind() != Value::Kind::String || std::find(options.begin(), options.end(), x->as_string()) == options.end()) {
    std::string list;
    for (const auto& o : options) list += (list.empty() ? "" : ", ") + o;
    fail(*x, path + "." + key, "expected one of {" + list + "}, got " + x->display());
  }
  return x->as_string();
}

struct Builder {
  Index dim;
  nn::ParamSet<float>& params;
  Rng& rng;
  Layers layers;

  void add_layer(const Value& v, const std::string& path, bool flip) {
    const Value* type = v.find("type");
    if (!type || type->kind() != Value::Kind::String) fail(type ? *type : v, path + ".type", "every layer needs a type");
    const std::string t = type->as_string();
    if (std::find(kTypes.begin(), kTypes.end(), t) == kTypes.end()) {
      const std::string guess = did_you_mean(t, kTypes);
      fail(*type, path + ".type",
           "unknown layer type '" + t +
               "' (expected additive_coupling, affine_coupling, scale, actnorm, lu_linear or permute)" +
               (guess.empty() ? "" : "; did you mean '" + guess + "'?"));
    }
    const std::string name = "l" + std::to_string(layers.size()) + "." + t;
    if (t == "additive_coupling" || t == "affine_coupling") {
      const bool affine = t == "affine_coupling";
      std::vector<std::string> keys = {"type", "split", "parity", "hidden", "activation"};
      if (affine) keys.push_back("clamp");
      check_keys(v, path, keys);
      if (dim < 2) fail(v, path, "a coupling needs data of at least 2 dimensions, these have " + std::to_string(dim));
      const Split split = choice(v, "split", path, "odd_even", {"odd_even", "halves"}) == "halves" ? Split::Halves
                                                                                                  : Split::OddEven;
      int parity = 0;
      if (const Value* p = v.find("parity")) {
        if (p->kind() != Value::Kind::Int || (p->as_int() != 0 && p->as_int() != 1))
          fail(*p, path + ".parity", "expected 0 or 1 (which part conditions), got " + p->display());
        parity = int(p->as_int());
      }
      if (flip) parity = 1 - parity;
      std::vector<Index> hidden = {64, 64};
      if (const Value* h = v.find("hidden")) {
        if (!h->is_list()) fail(*h, path + ".hidden", "expected a list of hidden layer sizes");
        hidden.clear();
        for (std::size_t i = 0; i < h->as_list().size(); ++i) {
          const Value& e = h->as_list()[i];
          if (e.kind() != Value::Kind::Int || e.as_int() < 1 || e.as_int() > 1000000)
            fail(e, path + ".hidden[" + std::to_string(i) + "]", "expected a size in [1, 1e6], got " + e.display());
          hidden.push_back(Index(e.as_int()));
        }
      }
      const std::string act = choice(v, "activation", path, "relu", {"relu", "tanh", "elu", "leaky_relu", "softplus"});
      double clamp = 2.0;
      if (const Value* c = v.find("clamp")) {
        if ((c->kind() != Value::Kind::Int && c->kind() != Value::Kind::Float) || !(c->as_number() > 0))
          fail(*c, path + ".clamp", "expected a positive bound on |log scale|, got " + c->display());
        clamp = c->as_number();
      }
      layers.push_back(std::make_unique<Coupling>(affine, split, parity, hidden, nn::activation_from_name(act), act,
                                                  clamp, dim, params, name, rng));
    } else if (t == "permute") {
      check_keys(v, path, {"type", "order"});
      const bool random = choice(v, "order", path, "reverse", {"reverse", "random"}) == "random";
      layers.push_back(std::make_unique<Permute>(dim, random, rng));
    } else {
      check_keys(v, path, {"type"});
      if (t == "scale") layers.push_back(std::make_unique<Scale>(dim, params, name));
      if (t == "actnorm") layers.push_back(std::make_unique<ActNorm>(dim, params, name));
      if (t == "lu_linear") layers.push_back(std::make_unique<LuLinear>(dim, params, name, rng));
    }
  }

  void add_list(const Value& list, const std::string& path, bool flip) {
    if (!list.is_list() || list.as_list().empty()) fail(list, path, "expected a non-empty list of layers");
    for (std::size_t i = 0; i < list.as_list().size(); ++i) {
      const Value& item = list.as_list()[i];
      const std::string p = path + "[" + std::to_string(i) + "]";
      if (!item.is_map()) fail(item, p, std::string("expected a map describing a layer, got ") + item.kind_name());
      if (item.find("repeat") || item.find("layers")) {
        check_keys(item, p, {"repeat", "layers"});
        const Value* n = item.find("repeat");
        if (!n || n->kind() != Value::Kind::Int || n->as_int() < 1 || n->as_int() > 10000)
          fail(n ? *n : item, p + ".repeat", "a block needs `repeat`: a count in [1, 10000]");
        const Value* body = item.find("layers");
        if (!body) fail(item, p + ".layers", "a block needs `layers`: the list to repeat");
        for (std::int64_t r = 0; r < n->as_int(); ++r) add_list(*body, p + ".layers", flip != (r % 2 == 1));
      } else {
        add_layer(item, p, flip);
      }
    }
  }
};

}  // namespace

Layers build_layers(const Value& spec, Index dim, nn::ParamSet<float>& params, Rng& rng, const std::string& where) {
  Builder b{dim, params, rng, {}};
  b.add_list(spec, where, false);
  return std::move(b.layers);
}

Value export_layers(const Layers& layers, std::vector<std::pair<std::string, Matrix>>& arrays) {
  Value::List out;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const std::string name = "l" + std::to_string(i) + "." + layers[i]->type();
    Value e = Value::map();
    e.set("type", layers[i]->type());
    e.set("params", name);
    layers[i]->export_to(name, e, arrays);
    out.push_back(std::move(e));
  }
  return Value(std::move(out));
}

}  // namespace genlab::flows
