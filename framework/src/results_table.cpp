#include "results_table.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "genlab/error.hpp"
#include "h5io.hpp"
#include "result_store.hpp"
#include "yaml_loader.hpp"

namespace genlab {
namespace fs = std::filesystem;

namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

Value swept_of(const RunRecord& r) {
  try {
    Value v = parse_yaml(r.swept_json, "swept");
    return v.is_map() ? v : Value::map();
  } catch (const Error&) {
    return Value::map();
  }
}

}  // namespace

std::vector<RunRecord> read_results(const std::string& dir, std::vector<std::string>* problems) {
  std::error_code ec;
  if (!fs::is_directory(dir + "/runs", ec)) throw IoError(dir + ": not a genlab results directory (no runs/ folder)");
  ResultStore store(dir);
  return store.scan_runs(problems);
}

void print_runs_table(const std::vector<RunRecord>& runs, std::ostream& out) {
  std::vector<std::string> swept_keys, final_keys;
  std::vector<Value> swept;
  for (const auto& r : runs) {
    swept.push_back(swept_of(r));
    for (const auto& [k, v] : swept.back().as_map())
      if (std::find(swept_keys.begin(), swept_keys.end(), k) == swept_keys.end()) swept_keys.push_back(k);
    for (const auto& [k, v] : r.finals)
      if (std::find(final_keys.begin(), final_keys.end(), k) == final_keys.end()) final_keys.push_back(k);
  }
  std::vector<std::string> header{"#", "run", "status"};
  // "algorithm.n" reads as "n": the component's section is implied.
  for (const auto& k : swept_keys) header.push_back(k.rfind("algorithm.", 0) == 0 ? k.substr(10) : k);
  for (const auto& k : final_keys) header.push_back(k);
  header.push_back("time_s");
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& r = runs[i];
    std::vector<std::string> row{std::to_string(r.index), r.id.substr(0, 12), r.status};
    for (const auto& k : swept_keys) {
      const Value* v = swept[i].find(k);
      row.push_back(v ? v->brief() : "");
    }
    for (const auto& k : final_keys) {
      std::string cell;
      for (const auto& [n, v] : r.finals)
        if (n == k) cell = number(v);
      row.push_back(cell);
    }
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.2f", r.end_time - r.start_time);
    row.push_back(secs);
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      std::string cell = row[c];
      cell.resize(width[c], ' ');
      line += (c ? "  " : "") + cell;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  emit(header);
  std::vector<std::string> rule;
  for (auto w : width) rule.emplace_back(w, '-');
  emit(rule);
  for (const auto& row : rows) emit(row);
  for (const auto& r : runs)
    if (r.status != "ok") out << "run " << r.id.substr(0, 12) << " " << r.status << ": " << r.error << "\n";
}

std::string find_run_file(const std::string& dir, const std::string& id_prefix) {
  if (id_prefix.empty()) throw Error(dir + ": no run id given (--run ID, any unique prefix)");
  std::vector<std::string> matches;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir + "/runs", ec)) {
    const std::string stem = e.path().stem().string();
    if (e.path().extension() == ".h5" && stem.rfind(id_prefix.substr(0, 16), 0) == 0)
      matches.push_back(e.path().string());
  }
  if (matches.empty()) throw Error(dir + ": no run with id starting '" + id_prefix + "'");
  if (matches.size() > 1)
    throw Error(dir + ": run id prefix '" + id_prefix + "' is ambiguous (" + std::to_string(matches.size()) + " runs)");
  return matches[0];
}

void print_run_details(const std::string& dir, const std::string& id_prefix, std::ostream& out) {
  const std::string path = find_run_file(dir, id_prefix);
  const RunRecord r = h5::read_run(path, true);
  out << "run " << r.id << "\n  file: " << path << "\n  status: " << r.status << "\n";
  if (!r.error.empty()) out << "  error: " << r.error << "\n";
  out << "  component: " << r.component << " (plugin " << r.plugin << " " << r.plugin_version << ")\n";
  out << "  duration: " << number(r.end_time - r.start_time) << " s on " << r.host << "\n";
  out << "config:\n";
  std::string line;
  for (char ch : r.config_yaml) {
    line += ch;
    if (ch == '\n') out << "  " << line, line.clear();
  }
  out << "final metrics:\n";
  for (const auto& [k, v] : r.finals) out << "  " << k << ": " << number(v) << "\n";
  out << "metric series:\n";
  for (const auto& [k, s] : r.metrics)
    out << "  " << k << ": " << s.value.size() << " points"
        << (s.value.empty() ? "" : ", last " + number(s.value.back()) + " at step " + std::to_string(s.step.back()))
        << "\n";
  if (!r.arrays.empty()) out << "arrays:\n";
  for (const auto& [k, a] : r.arrays) out << "  " << k << ": " << a.rows << " x " << a.cols << "\n";
  if (!r.log.empty()) out << "log:\n" << r.log;
}

}  // namespace genlab
