#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "experiment.hpp"
#include "genlab/error.hpp"
#include "test_support.hpp"

using namespace genlab;
using genlab::testing::test_registry;
namespace fs = std::filesystem;

namespace {

ExperimentPlan plan(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  return plan_experiment_text(yaml, "exp.yaml", sets, test_registry());
}

std::string plan_error(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  try {
    plan(yaml, sets);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("golden error messages for bad experiment files", "[experiment][golden]") {
  const fs::path dir = fs::path(GENLAB_TEST_DATA_DIR) / "bad_experiments";
  // expected.txt: "<file>\t<exact message>" per line; every .yaml in the folder must be listed.
  std::map<std::string, std::string> expected;
  std::istringstream lines(read_file(dir / "expected.txt"));
  for (std::string line; std::getline(lines, line);) {
    const auto tab = line.find('\t');
    if (tab != std::string::npos) expected[line.substr(0, tab)] = line.substr(tab + 1);
  }
  std::size_t checked = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string name = entry.path().filename().string();
    INFO("file " << name);
    REQUIRE(expected.count(name) == 1);
    std::string got = "(no error)";
    try {
      plan_experiment_text(read_file(entry.path()), name, {}, test_registry());
    } catch (const ConfigError& e) {
      got = e.what();
    }
    CHECK(got == expected[name]);
    ++checked;
  }
  CHECK(checked == expected.size());
  CHECK(checked >= 15);
}

TEST_CASE("sweep expansion: variants x grid x seeds, last grid key fastest, seeds innermost", "[experiment]") {
  const ExperimentPlan p = plan(
      "name: s\nseed: 7\nalgorithm: {name: streaming_median, n: 10}\n"
      "sweep:\n"
      "  variants:\n    - {algorithm: {value_type: int64}}\n    - {algorithm: {value_type: double, checks: 4}}\n"
      "  grid:\n    algorithm.n: [10, 20]\n    algorithm.distribution: [random, sorted, reversed]\n"
      "  seeds: [1, 2]\n");
  REQUIRE(p.runs.size() == 2 * 2 * 3 * 2);
  CHECK(p.swept_keys == std::vector<std::string>{"algorithm.value_type", "algorithm.checks", "algorithm.n",
                                                 "algorithm.distribution", "seed"});
  auto at = [&](std::size_t i, const char* key) { return p.runs[i].config.find_path(key)->display(); };
  CHECK(at(0, "algorithm.value_type") == "int64");
  CHECK(at(0, "algorithm.checks") == "32");  // the schema's default
  CHECK(at(0, "seed") == "1");
  CHECK(at(1, "seed") == "2");
  CHECK(at(2, "algorithm.distribution") == "sorted");
  CHECK(at(6, "algorithm.n") == "20");
  CHECK(at(12, "algorithm.value_type") == "double");
  CHECK(at(12, "algorithm.checks") == "4");
  for (std::size_t i = 0; i < p.runs.size(); ++i) CHECK(p.runs[i].index == i);
  std::set<std::string> ids;
  for (const auto& r : p.runs) ids.insert(r.id);
  CHECK(ids.size() == p.runs.size());
}

TEST_CASE("run ids hash the resolved config: defaults and key order do not matter, values do", "[experiment]") {
  const auto a = plan("name: a\nalgorithm: {name: streaming_median, n: 10}\n");
  const auto b = plan("name: b\nalgorithm: {n: 10, checks: 32, name: streaming_median}\nseed: 0\n");
  const auto c = plan("name: a\nalgorithm: {name: streaming_median, n: 11}\n");
  REQUIRE(a.runs.size() == 1);
  CHECK(a.runs[0].id == b.runs[0].id);
  CHECK(a.runs[0].id != c.runs[0].id);
  CHECK(a.runs[0].id.size() == 64);
  // The id is stable across releases: changing it invalidates every user's finished runs.
  CHECK(
      a.runs[0].config.canonical_json() ==
      R"({"algorithm":{"checks":32,"distribution":"random","exhaustive_below":10000,"n":10,"name":"streaming_median","value_type":"int64"},"seed":0})");
}

TEST_CASE("overrides with --set reach any key, including sweep settings, and errors name the override",
          "[experiment]") {
  const auto p = plan("name: s\nalgorithm: {name: streaming_median}\n", {"algorithm.n=123", "sweep.seeds=[4, 5]"});
  REQUIRE(p.runs.size() == 2);
  CHECK(p.runs[0].config.find_path("algorithm.n")->as_int() == 123);
  CHECK(p.runs[1].seed == 5);
  // A grid key is itself dotted; --set reaches it whole.
  const auto g = plan("name: s\nalgorithm: {name: streaming_median}\nsweep:\n  grid:\n    algorithm.n: [1, 2, 3]\n",
                      {"sweep.grid.algorithm.n=[7, 8]"});
  REQUIRE(g.runs.size() == 2);
  CHECK(g.runs[1].config.find_path("algorithm.n")->as_int() == 8);
  CHECK(plan_error("name: s\nalgorithm: {name: streaming_median}\n", {"algorithm.nn=5"}) ==
        "--set algorithm.nn:1:1: algorithm.nn: unknown parameter 'nn'; did you mean 'n'?");
  CHECK(plan_error("name: s\nalgorithm: {name: streaming_median}\n", {"algorithm.n"}) ==
        "--set algorithm.n: expected KEY=VALUE (e.g. --set algorithm.n=1000)");
}

TEST_CASE("a variant naming another component replaces the section instead of merging", "[experiment]") {
  const auto p = plan(
      "name: s\nalgorithm: {name: streaming_median, n: 50}\n"
      "sweep:\n  variants:\n    - {}\n    - {algorithm: {name: probe, steps: 2}}\n");
  REQUIRE(p.runs.size() == 2);
  CHECK(p.runs[0].component->name == "streaming_median");
  CHECK(p.runs[1].component->name == "probe");
  CHECK(p.runs[1].config.find_path("algorithm.n") == nullptr);
}

TEST_CASE("identical runs in a sweep run once, with a warning", "[experiment]") {
  const auto p = plan("name: s\nalgorithm: {name: streaming_median}\nsweep:\n  grid:\n    algorithm.n: [5, 5, 6]\n");
  CHECK(p.runs.size() == 2);
  REQUIRE(p.warnings.size() == 1);
  CHECK_THAT(p.warnings[0], Catch::Contains("same config twice"));
}

TEST_CASE("an oversized sweep is refused before anything is built", "[experiment]") {
  std::string yaml = "name: s\nalgorithm: {name: streaming_median}\nsweep:\n  grid:\n";
  for (const char* key : {"algorithm.n", "algorithm.checks", "algorithm.exhaustive_below", "seed"}) {
    yaml += std::string("    ") + key + ": [";
    for (int i = 1; i <= 40; ++i) yaml += std::to_string(i) + (i < 40 ? ", " : "]\n");
  }
  CHECK_THAT(plan_error(yaml), Catch::Contains("expands to 2560000 runs, more than sweep.max_runs = 10000"));
  CHECK_THAT(plan_error(yaml + "  max_runs: 100000000\n"), Catch::Contains("more than sweep.max_runs = 1000000"));
}
