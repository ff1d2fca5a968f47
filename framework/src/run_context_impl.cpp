#include "run_context_impl.hpp"

#include <cmath>

#include "genlab/error.hpp"
#include "sha256.hpp"

namespace genlab {

RunContextImpl::RunContextImpl(const RunSpec& spec, const std::atomic<bool>& stop)
    : spec_(spec), stop_(stop), start_(std::chrono::steady_clock::now()) {}

double RunContextImpl::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

Rng RunContextImpl::rng(std::string_view purpose) const {
  const std::string h = sha256_hex(std::to_string(spec_.seed) + "/" + spec_.id + "/" + std::string(purpose));
  return Rng(std::stoull(h.substr(0, 16), nullptr, 16));
}

void RunContextImpl::log(const std::string& metric, std::int64_t step, double value) {
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

void RunContextImpl::take_results(RunRecord& r) {
  std::lock_guard<std::mutex> lock(mutex_);
  r.metrics = std::move(metrics_);
  r.finals = std::move(finals_);
  r.arrays = std::move(arrays_);
  r.log = std::move(log_);
}

}  // namespace genlab
