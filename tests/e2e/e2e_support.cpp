#include "e2e_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

#include "h5io.hpp"

namespace genlab::testing {

std::vector<fs::path> run_files(const fs::path& results) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(results / "runs", ec))
    if (e.path().extension() == ".h5") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

bool is_timing(const std::string& name) {
  return name.find("time") != std::string::npos || (name.size() > 3 && name.compare(name.size() - 3, 3, "_ns") == 0);
}

void require_same_results(const fs::path& a, const fs::path& b, bool compare_log) {
  const auto fa = run_files(a), fb = run_files(b);
  REQUIRE(fa.size() == fb.size());
  REQUIRE(!fa.empty());
  for (std::size_t i = 0; i < fa.size(); ++i) {
    INFO("run file " << fa[i].filename());
    REQUIRE(fa[i].filename() == fb[i].filename());
    const RunRecord x = h5::read_run(fa[i].string(), true), y = h5::read_run(fb[i].string(), true);
    CHECK(x.id == y.id);
    CHECK(x.status == y.status);
    CHECK(x.error == y.error);
    CHECK(x.config_json == y.config_json);
    CHECK(x.swept_json == y.swept_json);
    CHECK(x.index == y.index);
    if (compare_log) CHECK(x.log == y.log);
    std::size_t compared = 0;
    REQUIRE(x.finals.size() == y.finals.size());
    for (std::size_t k = 0; k < x.finals.size(); ++k) {
      CHECK(x.finals[k].first == y.finals[k].first);
      if (is_timing(x.finals[k].first)) continue;
      CHECK(x.finals[k].second == y.finals[k].second);  // bitwise, not approximately
      ++compared;
    }
    REQUIRE(x.metrics.size() == y.metrics.size());
    for (std::size_t k = 0; k < x.metrics.size(); ++k) {
      CHECK(x.metrics[k].first == y.metrics[k].first);
      if (is_timing(x.metrics[k].first)) continue;
      CHECK(x.metrics[k].second.step == y.metrics[k].second.step);
      CHECK(x.metrics[k].second.value == y.metrics[k].second.value);
      ++compared;
    }
    REQUIRE(x.arrays.size() == y.arrays.size());
    for (std::size_t k = 0; k < x.arrays.size(); ++k) CHECK(x.arrays[k].second.data == y.arrays[k].second.data);
    CHECK(compared > 0);
  }
}

void require_h5py_check(const fs::path& results, int expected, bool allow_failed) {
  std::vector<std::string> args{"/usr/bin/python3", std::string(GENLAB_SOURCE_DIR) + "/tests/e2e/check_results.py",
                                results.string(), std::to_string(expected)};
  if (allow_failed) args.push_back("--allow-failed");
  const ProcessResult r = run(args, {}, results.parent_path().string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
}

static const char* kProbeSweep =
    "name: probes\nseed: 3\nalgorithm: {name: probe, steps: 5, sleep_ms: %SLEEP%}\n"
    "sweep:\n  grid:\n    algorithm.value: [%VALUES%]\n";

std::string probe_sweep(int sleep_ms, int runs) {
  std::string s = kProbeSweep, values;
  for (int i = 1; i <= runs; ++i) values += std::to_string(i) + (i < runs ? ", " : "");
  s.replace(s.find("%SLEEP%"), 7, std::to_string(sleep_ms));
  s.replace(s.find("%VALUES%"), 8, values);
  return s;
}

}  // namespace genlab::testing
