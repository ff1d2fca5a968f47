#include "post_run.hpp"

#include <algorithm>
#include <cmath>

#include "genlab/error.hpp"
#include "genlab/plots2d.hpp"
#include "h5io.hpp"
#include "results_table.hpp"
#include "io/png.hpp"
#include "run_context_impl.hpp"
#include "train/reload.hpp"
#include "train/trainer.hpp"

#include <chrono>
#include <ctime>

namespace genlab {
namespace {

// The command's own random stream: a function of the run and --seed, so a command repeated gives the same
// pictures, and different seeds different ones.
Rng command_stream(const ReloadedRun& r, const std::string& command, std::uint64_t seed) {
  return run_stream(r.record.seed, r.record.id, command + "/" + std::to_string(seed));
}

std::string array_path(const ReloadedRun& r, const std::string& name) { return r.path + ":/arrays/" + name; }

}  // namespace

Matrix observed_pattern(const std::string& pattern, std::int64_t side) {
  Matrix m = Matrix::Ones(1, side * side);
  const std::int64_t h = side / 2, q = side / 4;
  for (std::int64_t y = 0; y < side; ++y)
    for (std::int64_t x = 0; x < side; ++x) {
      bool missing = false;
      if (pattern == "bottom") missing = y >= h;
      else if (pattern == "top") missing = y < h;
      else if (pattern == "left") missing = x < h;
      else if (pattern == "right") missing = x >= h;
      else if (pattern == "center") missing = y >= q && y < q + h && x >= q && x < q + h;
      else throw ConfigError("--pattern: unknown pattern '" + pattern + "' (bottom, top, left, right, center)");
      if (missing) m(0, y * side + x) = 0.0f;
    }
  return m;
}

namespace {

// What `genlab eval` hands to the test-metric code: the run's own streams, and pockets for the finals and
// arrays it sets (written to the run file afterwards, under the eval_ prefix).
class EvalContext final : public RunContext {
 public:
  explicit EvalContext(const RunRecord& r) : record_(r) {}
  const std::string& run_id() const override { return record_.id; }
  std::int64_t seed() const override { return record_.seed; }
  Rng rng(std::string_view purpose) const override { return run_stream(record_.seed, record_.id, purpose); }
  void log(const std::string&, std::int64_t, double) override {}
  void set_final(const std::string& metric, double value) override {
    if (!std::isfinite(value)) throw NumericalError("eval: " + metric + " is not finite");
    finals.emplace_back(metric, value);
  }
  void save_array(const std::string& name, std::int64_t rows, std::int64_t cols, const double* data) override {
    arrays.emplace_back(name, ArrayData{rows, cols, std::vector<double>(data, data + rows * cols)});
  }
  void note(const std::string&) override {}
  void set_model_export(const std::string&) override {}
  void save_checkpoint(const Checkpoint&) override {}
  std::optional<Checkpoint> restore_checkpoint() override { return std::nullopt; }
  void set_progress(double) override {}
  bool stop_requested() const override { return false; }

  std::vector<std::pair<std::string, double>> finals;
  std::vector<std::pair<std::string, ArrayData>> arrays;

 private:
  const RunRecord& record_;
};

}  // namespace

void eval_command(const PostRunOptions& o, const Registry& registry, std::ostream& out) {
  ReloadedRun r = reload_run(o.dir, o.run_id, registry, o.overrides);
  EvalContext ctx(r.record);
  ad::Graph<float> g;
  const Index batch_size = r.config.find("eval")->find("batch_size")->as_int();
  const auto t0 = std::chrono::steady_clock::now();
  report_test_metrics(*r.model, g, r.data, batch_size, ctx);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<std::pair<std::string, double>> finals;
  std::vector<std::pair<std::string, ArrayData>> arrays;
  for (const auto& [k, v] : ctx.finals) finals.emplace_back("eval_" + k, v);
  for (auto& [k, a] : ctx.arrays) arrays.emplace_back("eval_" + k, std::move(a));
  std::string settings;
  for (const auto& s : o.overrides) settings += " --set " + s;
  const std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  add_run_results(o.dir, r, finals, arrays,
                  std::string("genlab eval ") + when + (settings.empty() ? " (the run's own settings)" : settings) +
                      ": " + std::to_string(finals.size()) + " metrics as eval_*");
  out << "eval: run " << r.record.id.substr(0, 16) << " (" << r.model_info->name << "), " << seconds << " s\n";
  for (const auto& [k, v] : finals) {
    double trained = std::nan("");
    for (const auto& [n, x] : r.record.finals)
      if (n == k.substr(5)) trained = x;
    out << "  " << k << " = " << v;
    if (std::isfinite(trained)) out << "   (at training: " << trained << ")";
    out << "\n";
  }
}

void sample_command(const PostRunOptions& o, const Registry& registry, std::ostream& out) {
  ReloadedRun r = reload_run(o.dir, o.run_id, registry);
  if (!r.model->can_sample()) throw NotSupported("sample: model '" + r.model_info->name + "' cannot sample");
  if (o.count < 1) throw ConfigError("sample: -n must be at least 1");
  Rng rng = command_stream(r, "sample", o.seed);
  Matrix s = r.model->sample(o.count, rng);
  if (r.data.transform) r.data.transform->invert(s);  // back to the dataset's value space
  const std::string name = "samples_s" + std::to_string(o.seed);
  add_run_arrays(o.dir, r, {{name, s}});
  out << "sample: " << s.rows() << " samples of " << r.model_info->name << " -> " << array_path(r, name) << "\n";
  if (!o.output.empty() && s.cols() == 2) {  // points: a scatter (a 2D histogram over [-4, 4]^2)
    const Figure f = scatter_figure(s, 256);
    write_png(o.output, image_grid(f.images, f.columns));
    out << "sample: scatter over [-4, 4]^2 -> " << o.output << "\n";
  } else if (!o.output.empty()) {
    const auto columns = std::int64_t(std::ceil(std::sqrt(double(s.rows()))));
    write_png(o.output, image_grid(s, columns));
    out << "sample: grid -> " << o.output << "\n";
  }
}

void inpaint_command(const PostRunOptions& o, const Registry& registry, std::ostream& out) {
  ReloadedRun r = reload_run(o.dir, o.run_id, registry);
  if (!r.model->can_inpaint()) throw NotSupported("inpaint: model '" + r.model_info->name + "' cannot inpaint");
  const Matrix& test = r.data.test;
  if (o.count < 1 || o.count > test.rows())
    throw ConfigError("inpaint: -n must be in [1, " + std::to_string(test.rows()) + "] (the test split's size)");
  if (o.draws < 1) throw ConfigError("inpaint: --draws must be at least 1");
  const std::int64_t side = square_side(test.cols(), "inpaint");
  const Matrix observed = observed_pattern(o.pattern, side).replicate(o.count, 1);

  Rng rng = command_stream(r, "inpaint", o.seed);
  Matrix x = test.topRows(o.count);
  if (r.data.transform) {  // the model's space (e.g. a dynamic binarization of the grey test images)
    Rng tr = rng.split(0);
    r.data.transform->apply(x, tr, nullptr);
  }
  Matrix draws(o.count * o.draws, test.cols());
  for (std::int64_t d = 0; d < o.draws; ++d) {
    Rng dr = rng.split(std::uint64_t(d) + 1);
    Matrix filled = r.model->inpaint(x, observed, dr);
    if (r.data.transform) r.data.transform->invert(filled);
    for (std::int64_t i = 0; i < o.count; ++i) draws.row(i * o.draws + d) = filled.row(i);
  }
  if (r.data.transform) r.data.transform->invert(x);
  const std::string base = "inpaint_" + o.pattern + "_s" + std::to_string(o.seed);
  add_run_arrays(o.dir, r, {{base + "_input", x}, {base + "_observed", observed}, {base + "_draws", draws}});
  out << "inpaint: " << o.count << " test images x " << o.draws << " completions, " << o.pattern
      << " missing (" << r.model->inpaint_method() << ") -> " << array_path(r, base + "_{input,observed,draws}")
      << "\n";
  if (!o.output.empty()) {
    const std::int64_t columns = 2 + o.draws;
    Matrix tiles(o.count * columns, test.cols());
    for (std::int64_t i = 0; i < o.count; ++i) {
      tiles.row(i * columns) = x.row(i);
      tiles.row(i * columns + 1) =
          (x.row(i).array() * observed.row(i).array() + 0.5f * (1.0f - observed.row(i).array())).matrix();
      for (std::int64_t d = 0; d < o.draws; ++d) tiles.row(i * columns + 2 + d) = draws.row(i * o.draws + d);
    }
    write_png(o.output, image_grid(tiles, columns));
    out << "inpaint: grid (original, observed, " << o.draws << " completions per row) -> " << o.output << "\n";
  }
}

void png_command(const PostRunOptions& o, std::ostream& out) {
  if (o.array.empty()) throw ConfigError("png: --array NAME is required (genlab show RESULTS --run ID lists them)");
  if (o.output.empty()) throw ConfigError("png: -o FILE.png is required");
  const std::string path = find_run_file(o.dir, o.run_id);
  const RunRecord r = h5::read_run(path, true);
  const ArrayData* a = nullptr;
  std::string names;
  for (const auto& [name, data] : r.arrays) {
    if (name == o.array) a = &data;
    names += " " + name;
  }
  if (!a) throw Error("png: run " + r.id.substr(0, 16) + " has no array '" + o.array + "' (it has:" + names + ")");
  Matrix m(a->rows, a->cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = float(a->data[std::size_t(i)]);
  GrayImage im;
  if (o.array.rfind("figure_", 0) == 0) {
    im.width = m.cols();
    im.height = m.rows();
    im.pixels.resize(std::size_t(m.size()));
    for (Index i = 0; i < m.size(); ++i)
      im.pixels[std::size_t(i)] = std::uint8_t(std::lround(255.0f * std::clamp(m.data()[i], 0.0f, 1.0f)));
  } else {
    const std::int64_t columns = o.columns > 0 ? o.columns : std::int64_t(std::ceil(std::sqrt(double(m.rows()))));
    im = image_grid(m, columns);
  }
  write_png(o.output, im);
  out << "png: " << path << ":/arrays/" << o.array << " -> " << o.output << " (" << im.width << "x" << im.height
      << ")\n";
}

}  // namespace genlab
