#include "results_table.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "genlab/error.hpp"
#include "h5io.hpp"
#include "result_store.hpp"
#include "results_query.hpp"

namespace genlab {
namespace fs = std::filesystem;


std::vector<RunRecord> read_results(const std::string& dir, std::vector<std::string>* problems) {
  std::error_code ec;
  if (!fs::is_directory(dir + "/runs", ec)) throw IoError(dir + ": not a genlab results directory (no runs/ folder)");
  ResultStore store(dir);
  return store.scan_runs(problems);
}

namespace {

double age_seconds(const fs::path& p) {
  std::error_code ec;
  const auto t = fs::last_write_time(p, ec);
  if (ec) return 0;
  return std::chrono::duration<double>(fs::file_time_type::clock::now() - t).count();
}

std::string describe_duration(double seconds) {
  char buf[64];
  seconds = std::max(0.0, seconds);
  if (seconds < 120)
    std::snprintf(buf, sizeof buf, "%.0f s", seconds);
  else if (seconds < 7200)
    std::snprintf(buf, sizeof buf, "%.0f min", seconds / 60);
  else
    std::snprintf(buf, sizeof buf, "%.1f h", seconds / 3600);
  return buf;
}

std::string describe_age(double seconds) { return describe_duration(seconds) + " ago"; }

}  // namespace

// "7.3% done in 6.2 h; 79 h more at that rate": how far a long run is and what it still needs, from the
// progress its component reported and its running time over all sessions. A resumed run that has run long
// enough in its current attempt is projected at that attempt's rate (a new build or a quieter machine
// changes a run's speed), with the whole run's average beside it. A trainer's progress is over
// train.epochs, which early stopping may cut short.
std::string describe_progress(const CheckpointRecord& c) {
  if (c.progress <= 0 || c.progress > 1 || c.elapsed_s <= 0) return "";
  char pct[32];
  std::snprintf(pct, sizeof pct, "%.1f%%", 100 * c.progress);
  std::string s = std::string(pct) + " done in " + describe_duration(c.elapsed_s);
  if (c.progress >= 1) return s;
  const double average_rest = c.elapsed_s * (1 - c.progress) / c.progress;
  const double attempt_done = c.progress - c.attempt_start_progress;
  const double attempt_time = c.elapsed_s - c.attempt_start_elapsed_s;
  constexpr double kMinAttemptSeconds = 60;  // shorter attempts say more about start-up than about speed
  if (c.attempt_start_elapsed_s > 0 && c.attempt_start_progress >= 0 && attempt_done > 0 &&
      attempt_time >= kMinAttemptSeconds)
    return s + "; " + describe_duration(attempt_time * (1 - c.progress) / attempt_done) +
           " more at this session's rate (" + describe_duration(average_rest) + " at the run's average)";
  return s + "; " + describe_duration(average_rest) + " more at that rate";
}

namespace {

// One unfinished run: a header line (id, holder, step, age), its progress when known, then the last value
// of each series with its number of points.
void print_unfinished(const ResultStore::Unfinished& u, const CheckpointRecord& c, double age, std::ostream& out) {
  out << "  " << u.id16 << "  "
      << (u.running ? "running (" + u.holder + ")" : "stopped (resumes with the same genlab run command)")
      << ", checkpoint at step " << c.step << ", " << describe_age(age) << "\n";
  if (const std::string p = describe_progress(c); !p.empty()) out << "    " << p << "\n";
  std::string line = "    ";
  for (const auto& [name, series] : c.metrics) {
    if (series.value.empty()) continue;
    const std::string item =
        "  " + name + " " + format_metric(series.value.back()) + " [" + std::to_string(series.value.size()) + "]";
    if (line.size() + item.size() > 110) out << line << "\n", line = "    ";
    line += item;
  }
  if (line.size() > 4) out << line << "\n";
}

}  // namespace

void print_unfinished_runs(const std::string& dir, std::ostream& out, std::vector<std::string>* problems) {
  std::error_code ec;
  if (!fs::is_directory(dir + "/checkpoints", ec)) return;  // (and show creates nothing)
  const ResultStore store(dir);
  const auto unfinished = store.unfinished_runs();
  if (unfinished.empty()) return;
  out << "\nnot finished: " << unfinished.size() << (unfinished.size() == 1 ? " run" : " runs")
      << " (from the last checkpoint; [n] = points in the series)\n";
  for (const auto& u : unfinished) {
    const std::string path = store.checkpoint_path(u.id16);
    try {
      print_unfinished(u, h5::read_checkpoint(path, false), age_seconds(path), out);
    } catch (const std::exception& e) {
      if (problems) problems->push_back(e.what());
    }
  }
}

void print_runs_table(const std::vector<RunRecord>& runs, std::ostream& out) {
  render_results_table(build_results_table(runs, ShowOptions{}), "table", out);
}

namespace {

// Run ids are stored under their first 16 characters: a longer prefix matches on those.
bool id_matches(const std::string& id16, const std::string& id_prefix) {
  return id16.rfind(id_prefix.substr(0, 16), 0) == 0;
}

// Run files whose id starts with the prefix, except the ids in `except`.
std::vector<std::string> run_files_matching(const std::string& dir, const std::string& id_prefix,
                                            const std::vector<std::string>& except = {}) {
  if (id_prefix.empty()) throw Error(dir + ": no run id given (--run ID, any unique prefix)");
  std::vector<std::string> matches;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir + "/runs", ec)) {
    const std::string stem = e.path().stem().string();
    if (e.path().extension() == ".h5" && id_matches(stem, id_prefix) &&
        std::find(except.begin(), except.end(), stem) == except.end())
      matches.push_back(e.path().string());
  }
  return matches;
}

void require_unique(const std::string& dir, const std::string& id_prefix, std::size_t matches) {
  if (matches == 0) throw Error(dir + ": no run with id starting '" + id_prefix + "'");
  if (matches > 1)
    throw Error(dir + ": run id prefix '" + id_prefix + "' is ambiguous (" + std::to_string(matches) + " runs)");
}

}  // namespace

std::string find_run_file(const std::string& dir, const std::string& id_prefix) {
  const auto matches = run_files_matching(dir, id_prefix);
  require_unique(dir, id_prefix, matches.size());
  return matches[0];
}

namespace {
void print_config(const std::string& yaml, std::ostream& out) {
  out << "config:\n";
  std::string line;
  for (char ch : yaml) {
    line += ch;
    if (ch == '\n') out << "  " << line, line.clear();
  }
}
}  // namespace

void print_run_details(const std::string& dir, const std::string& id_prefix, std::ostream& out) {
  // The prefix may name a run that has not finished (a checkpoint, and no run file or an interrupted
  // run's); it must be unique over finished and unfinished runs together, an interrupted run counting once.
  std::optional<ResultStore> store;
  std::vector<ResultStore::Unfinished> unfinished;
  std::vector<std::string> unfinished_ids;
  std::error_code ec;
  if (!id_prefix.empty() && fs::is_directory(dir + "/checkpoints", ec)) {
    store.emplace(dir);
    for (auto& u : store->unfinished_runs())
      if (id_matches(u.id16, id_prefix)) unfinished_ids.push_back(u.id16), unfinished.push_back(std::move(u));
  }
  const auto finished = run_files_matching(dir, id_prefix, unfinished_ids);
  require_unique(dir, id_prefix, unfinished.size() + finished.size());
  if (!unfinished.empty()) {
    const std::string path = store->checkpoint_path(unfinished[0].id16);
    const CheckpointRecord c = h5::read_checkpoint(path, false);
    out << "run " << c.run_id << " (not finished)\n  checkpoint: " << path << "\n";
    print_unfinished(unfinished[0], c, age_seconds(path), out);
    if (!c.config_yaml.empty()) print_config(c.config_yaml, out);
    if (!c.log.empty()) out << "log:\n" << c.log << (c.log.back() == '\n' ? "" : "\n");
    return;
  }
  const std::string path = finished[0];
  const RunRecord r = h5::read_run(path, true);
  out << "run " << r.id << "\n  file: " << path << "\n  status: " << r.status << "\n";
  if (!r.error.empty()) out << "  error: " << r.error << "\n";
  out << "  component: " << r.component << " (plugin " << r.plugin << " " << r.plugin_version << ")\n";
  out << "  duration: " << format_metric(r.end_time - r.start_time) << " s on " << r.host << "\n";
  print_config(r.config_yaml, out);
  out << "final metrics:\n";
  for (const auto& [k, v] : r.finals) out << "  " << k << ": " << format_metric(v) << "\n";
  out << "metric series:\n";
  for (const auto& [k, s] : r.metrics)
    out << "  " << k << ": " << s.value.size() << " points"
        << (s.value.empty() ? "" : ", last " + format_metric(s.value.back()) + " at step " + std::to_string(s.step.back()))
        << "\n";
  if (!r.arrays.empty()) out << "arrays:\n";
  for (const auto& [k, a] : r.arrays) out << "  " << k << ": " << a.rows << " x " << a.cols << "\n";
  if (!r.log.empty()) out << "log:\n" << r.log;
}

void print_run_log(const std::string& dir, const std::string& id_prefix, std::ostream& out) {
  const RunRecord r = h5::read_run(find_run_file(dir, id_prefix), true);
  out << r.log;
  if (!r.log.empty() && r.log.back() != '\n') out << "\n";
  if (r.status != "ok") out << r.status << ": " << r.error << "\n";
}

}  // namespace genlab
