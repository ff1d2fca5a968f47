#include "run_context_impl.hpp"

#include <cmath>
#include <filesystem>

#include "crash_point.hpp"
#include "h5io.hpp"

#include "genlab/error.hpp"
#include "sha256.hpp"

namespace genlab {

RunContextImpl::RunContextImpl(const RunSpec& spec, const std::atomic<bool>& stop, std::string checkpoint_path)
    : spec_(spec),
      stop_(stop),
      checkpoint_path_(std::move(checkpoint_path)),
      start_(std::chrono::steady_clock::now()) {}

double RunContextImpl::elapsed() const {
  return time_offset_ + std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

namespace {
// Names become HDF5 link names: no '/', not empty. Said loudly rather than silently rewritten.
void check_name(const char* what, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
    throw Error(std::string(what) + " name '" + name + "' is not allowed (empty, or contains '/'): use '_' or '.'");
}
}  // namespace

namespace {
std::vector<std::pair<std::string, ArrayData>> to_arrays(const std::vector<NamedArray>& in) {
  std::vector<std::pair<std::string, ArrayData>> out;
  for (const auto& a : in) {
    if (static_cast<std::int64_t>(a.data.size()) != a.rows * a.cols)
      throw Error("checkpoint array '" + a.name + "': " + std::to_string(a.data.size()) + " values for shape " +
                  std::to_string(a.rows) + " x " + std::to_string(a.cols));
    out.emplace_back(a.name, ArrayData{a.rows, a.cols, a.data});
  }
  return out;
}
}  // namespace

void RunContextImpl::save_checkpoint(const Checkpoint& c) {
  CheckpointRecord rec;
  rec.run_id = spec_.id;
  rec.step = c.step;
  rec.config_yaml = spec_.config.yaml();
  rec.config_json = spec_.config.canonical_json();
  for (const auto& a : c.arrays) check_name("checkpoint array", a.name);
  rec.state = to_arrays(c.arrays);
  rec.progress = progress();
  rec.elapsed_s = elapsed();
  rec.attempt_start_progress = attempt_start_progress_;
  rec.attempt_start_elapsed_s = time_offset_;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    rec.metrics = metrics_;
    rec.finals = finals_;
    rec.arrays = arrays_;
    rec.log = log_;
  }
  h5::write_checkpoint(checkpoint_path_, rec);
  crash_point("checkpoint.after_write");
}

std::optional<Checkpoint> RunContextImpl::restore_checkpoint() {
  std::error_code ec;
  if (!std::filesystem::exists(checkpoint_path_, ec)) return std::nullopt;
  CheckpointRecord rec;
  try {
    rec = h5::read_checkpoint(checkpoint_path_);
  } catch (const Error& e) {
    note(std::string("ignored an unreadable checkpoint, starting over: ") + e.what());
    return std::nullopt;
  }
  if (rec.run_id != spec_.id) {
    note("ignored a checkpoint of another run (" + rec.run_id.substr(0, 16) + "), starting over");
    return std::nullopt;
  }
  Checkpoint out;
  out.step = rec.step;
  for (auto& [name, a] : rec.state) out.arrays.push_back(NamedArray{name, a.rows, a.cols, std::move(a.data)});
  std::lock_guard<std::mutex> lock(mutex_);
  metrics_ = std::move(rec.metrics);
  metric_slot_.clear();
  time_offset_ = 0;
  for (std::size_t i = 0; i < metrics_.size(); ++i) {
    metric_slot_[metrics_[i].first] = i;
    if (!metrics_[i].second.wall_time.empty())
      time_offset_ = std::max(time_offset_, metrics_[i].second.wall_time.back());
  }
  start_ = std::chrono::steady_clock::now();
  attempt_start_progress_ = std::max(0.0, rec.progress);  // a file older than progress records: from 0
  finals_ = std::move(rec.finals);
  arrays_ = std::move(rec.arrays);
  log_ = std::move(rec.log) + "resumed from checkpoint at step " + std::to_string(rec.step) + "\n";
  return out;
}

Rng run_stream(std::int64_t seed, const std::string& run_id, std::string_view purpose) {
  const std::string h = sha256_hex(std::to_string(seed) + "/" + run_id + "/" + std::string(purpose));
  return Rng(std::stoull(h.substr(0, 16), nullptr, 16));
}

Rng RunContextImpl::rng(std::string_view purpose) const { return run_stream(spec_.seed, spec_.id, purpose); }

void RunContextImpl::log(const std::string& metric, std::int64_t step, double value) {
  check_name("metric", metric);
  if (!std::isfinite(value))
    throw NumericalError("metric '" + metric + "' is " + (std::isnan(value) ? "NaN" : "infinite") + " at step " +
                         std::to_string(step));
  std::lock_guard<std::mutex> lock(mutex_);
  auto [it, inserted] = metric_slot_.emplace(metric, metrics_.size());
  if (inserted) metrics_.emplace_back(metric, Series{});
  Series& s = metrics_[it->second].second;
  s.step.push_back(step);
  s.wall_time.push_back(elapsed());
  s.value.push_back(value);
}

void RunContextImpl::set_final(const std::string& metric, double value) {
  check_name("final metric", metric);
  if (!std::isfinite(value))
    throw NumericalError("final metric '" + metric + "' is " + (std::isnan(value) ? "NaN" : "infinite"));
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [k, v] : finals_)
    if (k == metric) {
      v = value;
      return;
    }
  finals_.emplace_back(metric, value);
}

void RunContextImpl::save_array(const std::string& name, std::int64_t rows, std::int64_t cols, const double* data) {
  check_name("array", name);
  if (rows < 0 || cols < 0) throw Error("save_array '" + name + "': negative shape");
  ArrayData a;
  a.rows = rows;
  a.cols = cols;
  a.data.assign(data, data + rows * cols);
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [k, v] : arrays_)
    if (k == name) {
      v = std::move(a);
      return;
    }
  arrays_.emplace_back(name, std::move(a));
}

void RunContextImpl::note(const std::string& text) {
  std::lock_guard<std::mutex> lock(mutex_);
  log_ += text;
  if (log_.empty() || log_.back() != '\n') log_ += '\n';
}

void RunContextImpl::set_model_export(const std::string& json) {
  std::lock_guard<std::mutex> lock(mutex_);
  model_export_ = json;
}

void RunContextImpl::take_results(RunRecord& r) {
  std::lock_guard<std::mutex> lock(mutex_);
  r.metrics = std::move(metrics_);
  r.finals = std::move(finals_);
  r.arrays = std::move(arrays_);
  r.log = std::move(log_);
  r.model_export = std::move(model_export_);
}

}  // namespace genlab
