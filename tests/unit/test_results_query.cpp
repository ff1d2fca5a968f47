// `genlab show`'s table: aggregation over seeds (mean, sample std, n), --where on swept keys and
// metrics, --sort, --metrics, and the CSV / JSON renderings.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "genlab/error.hpp"
#include "results_query.hpp"
#include "h5io.hpp"
#include "result_store.hpp"
#include "results_table.hpp"

using namespace genlab;

namespace {

RunRecord run(std::int64_t index, const std::string& swept_json, std::vector<std::pair<std::string, double>> finals,
              const std::string& status = "ok") {
  RunRecord r;
  r.index = index;
  r.id = std::string(64, char('a' + index));
  r.status = status;
  r.error = status == "ok" ? "" : "boom";
  r.swept_json = swept_json;
  r.finals = std::move(finals);
  r.start_time = 100;
  r.end_time = 101.5;
  return r;
}

// Two settings of n, three seeds each; one run of n=20 failed.
std::vector<RunRecord> sweep() {
  return {run(0, R"({"algorithm.n": 10, "seed": 1})", {{"nll", 1.0}, {"time", 5}}),
          run(1, R"({"algorithm.n": 10, "seed": 2})", {{"nll", 2.0}, {"time", 6}}),
          run(2, R"({"algorithm.n": 10, "seed": 3})", {{"nll", 3.0}, {"time", 7}}),
          run(3, R"({"algorithm.n": 20, "seed": 1})", {{"nll", 0.5}, {"time", 9}}),
          run(4, R"({"algorithm.n": 20, "seed": 2})", {}, "failed"),
          run(5, R"({"algorithm.n": 20, "seed": 3})", {{"nll", 0.7}, {"time", 8}})};
}

std::string render(const ResultsTable& t, const std::string& format) {
  std::ostringstream out;
  render_results_table(t, format, out);
  return out.str();
}

}  // namespace

TEST_CASE("aggregation over seeds: mean, sample std and n per setting, failures counted", "[show]") {
  ShowOptions o;
  o.aggregate = true;
  const ResultsTable t = build_results_table(sweep(), o);
  REQUIRE(t.columns == std::vector<std::string>{"n", "runs", "failed", "nll", "time"});
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0][0].text == "10");
  CHECK(t.rows[0][1].text == "3");
  CHECK(*t.rows[0][3].value == Approx(2.0));
  CHECK(*t.rows[0][3].std == Approx(1.0));  // sample std of 1, 2, 3
  CHECK(t.rows[0][3].n == 3);
  CHECK(t.rows[1][1].text == "2");  // two ok runs, one failed
  CHECK(t.rows[1][2].text == "1");
  CHECK(*t.rows[1][3].value == Approx(0.6));
  CHECK(t.rows[1][3].n == 2);
  CHECK(render(t, "table").find("2 ± 1") != std::string::npos);
}

TEST_CASE("show filters by swept keys, status and metrics, sorts, and picks metrics by prefix", "[show]") {
  ShowOptions o;
  o.where = {"n=10", "nll>=2"};
  ResultsTable t = build_results_table(sweep(), o);
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0][0].text == "1");  // the index column: runs 1 and 2
  o = ShowOptions{};
  o.where = {"status!=ok"};
  CHECK(build_results_table(sweep(), o).rows.size() == 1);
  o = ShowOptions{};
  o.sort = "-nll";
  o.metrics = {"nl*"};
  t = build_results_table(sweep(), o);
  CHECK(t.columns == std::vector<std::string>{"#", "run", "status", "n", "seed", "nll", "time_s"});
  CHECK(t.rows[0][5].text == "3");  // descending; the failed run (no nll) last
  CHECK(t.rows.back()[2].text == "failed");
  CHECK(t.footnotes == std::vector<std::string>{"run eeeeeeeeeeee failed: boom"});
}

TEST_CASE("a swept key may be named without its section unless that is ambiguous", "[show]") {
  const std::vector<RunRecord> runs{run(0, R"({"model.k": 1, "dataset.name": "a", "model.name": "x"})", {{"nll", 1.0}}),
                                    run(1, R"({"model.k": 2, "dataset.name": "b", "model.name": "x"})", {{"nll", 2.0}})};
  ShowOptions o;
  o.where = {"k=2"};
  REQUIRE(build_results_table(runs, o).rows.size() == 1);
  o.where = {"dataset.name=a"};
  REQUIRE(build_results_table(runs, o).rows.size() == 1);
  o.where = {"name=a"};
  CHECK_THROWS_WITH(build_results_table(runs, o), "'name' is ambiguous: dataset.name or model.name (write it in full)");
}

TEST_CASE("show pivot: one metric as a grid of row and column keys, mean and std over seeds", "[show]") {
  std::vector<RunRecord> runs;
  std::int64_t i = 0;
  for (const char* data : {"a", "b"})
    for (int k : {1, 2})
      for (int seed : {1, 2})
        runs.push_back(run(i++, std::string(R"({"dataset.name": ")") + data + R"(", "model.k": )" + std::to_string(k) +
                                    R"(, "model.rule": "x", "seed": )" + std::to_string(seed) + "}",
                           {{"nll", 10.0 * k + seed + (data[0] == 'b' ? 100 : 0)}, {"time", 1}}));
  runs.back().status = "failed";
  ShowOptions o;
  o.pivot = "name:k";
  o.metrics = {"nll"};
  const ResultsTable t = build_results_table(runs, o);
  REQUIRE(t.columns == std::vector<std::string>{"dataset.name \\ model.k", "1", "2"});
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0][0].text == "a");
  CHECK(*t.rows[0][1].value == Approx(11.5));  // seeds 1 and 2: 11, 12
  CHECK(*t.rows[0][1].std == Approx(std::sqrt(0.5)));
  CHECK(t.rows[1][2].n == 1);  // b, k = 2: one run failed
  CHECK(*t.rows[1][2].value == Approx(121));
  CHECK(t.footnotes.back() == "nll, mean ± std over seeds; 7 runs ok of 8");
  CHECK_THAT(render(t, "markdown"), Catch::StartsWith("| dataset.name \\ model.k | 1 | 2 |\n|---|---|---|\n| a | 11.5 ± 0.707107 |"));
  o.pivot = "name:k,rule";
  CHECK(build_results_table(runs, o).columns == std::vector<std::string>{"dataset.name \\ model.k/model.rule", "1/x", "2/x"});
  o.pivot = "k:rule";
  CHECK_THROWS_WITH(build_results_table(runs, o), Catch::Contains("the runs also differ in dataset.name (2 values)"));
  o.pivot = "name:k";
  o.metrics = {};
  CHECK_THROWS_WITH(build_results_table(runs, o), Catch::Contains("name exactly one metric"));
  o.metrics = {"nll"};
  o.pivot = "name";
  CHECK_THROWS_WITH(build_results_table(runs, o), Catch::Contains("expected ROW_KEY:COL_KEY"));
}

TEST_CASE("bad show options name the problem", "[show]") {
  ShowOptions o;
  o.where = {"nl<3"};
  CHECK_THROWS_WITH(build_results_table(sweep(), o), "--where: no swept key or metric 'nl'; did you mean 'n'?");
  o.where = {"n~3"};
  CHECK_THROWS_WITH(build_results_table(sweep(), o), Catch::Contains("expected KEY=VALUE"));
  o = ShowOptions{};
  o.sort = "speed";
  CHECK_THROWS_WITH(build_results_table(sweep(), o), Catch::Contains("--sort: no swept key or metric 'speed'"));
  o = ShowOptions{};
  o.format = "xml";
  CHECK_THROWS_WITH(build_results_table(sweep(), o), "--format: expected table, csv, json or markdown, got 'xml'");
  // While no run has finished there is nothing to name: the options give an empty table, not an error.
  o = ShowOptions{};
  o.metrics = {"best_valid_nll"};
  o.sort = "-epochs";
  o.where = {"nll<3"};
  o.pivot = "n:seed";
  const ResultsTable empty = build_results_table({}, o);
  CHECK(empty.rows.empty());
  o.format = "xml";
  CHECK_THROWS_WITH(build_results_table({}, o), Catch::Contains("--format"));
}

TEST_CASE("CSV and JSON renderings carry the numbers, aggregates as mean, std and n", "[show]") {
  ShowOptions o;
  o.aggregate = true;
  o.metrics = {"nll"};
  const ResultsTable t = build_results_table(sweep(), o);
  const std::string csv = render(t, "csv");
  CHECK(csv.substr(0, csv.find('\n')) == "n,runs,failed,nll,nll_std,nll_n");
  CHECK(csv.find("\n10,3,0,2,1,3\n") != std::string::npos);
  const std::string json = render(t, "json");
  CHECK(json.find(R"({"n": 10, "runs": 3, "failed": 0, "nll": {"mean": 2, "std": 1, "n": 3}})") != std::string::npos);
}

TEST_CASE("markdown rendering: one row per line, the table's texts", "[show]") {
  ShowOptions o;
  o.aggregate = true;
  o.metrics = {"nll"};
  o.format = "markdown";
  const std::string md = render(build_results_table(sweep(), o), "markdown");
  CHECK(md == "| n | runs | failed | nll |\n|---|---|---|---|\n| 10 | 3 | 0 | 2 ± 1 |\n| 20 | 2 | 1 | 0.6 ± 0.141421 |\n");
}

TEST_CASE("show --run: a prefix must be unique over finished and unfinished runs together", "[show]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("genlab_prefix_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "runs");
  fs::create_directories(dir / "checkpoints");
  fs::create_directories(dir / "claims");
  std::ofstream(dir / "runs" / "ab00000000000000.h5") << "not hdf5";         // finished
  std::ofstream(dir / "checkpoints" / "ab11111111111111.h5") << "not hdf5";  // not finished
  std::ostringstream out;
  REQUIRE_THROWS_WITH(print_run_details(dir.string(), "ab", out), Catch::Contains("ambiguous (2 runs)"));
  REQUIRE_THROWS_WITH(print_run_details(dir.string(), "cd", out), Catch::Contains("no run with id starting 'cd'"));
  REQUIRE_THROWS_WITH(print_run_details(dir.string(), "", out), Catch::Contains("no run id given"));
  // Unique: each is read (and here found not to be HDF5, which is reported, not skipped).
  REQUIRE_THROWS(print_run_details(dir.string(), "ab0", out));
  REQUIRE_THROWS(print_run_details(dir.string(), "ab1", out));
  fs::remove_all(dir);
}

TEST_CASE("an interrupted run (run file and checkpoint) is listed as not finished, a finished one is not", "[show]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("genlab_unfinished_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  ResultStore store(dir.string());
  for (const std::string status : {"interrupted", "ok"}) {
    RunRecord r;
    r.id = std::string(64, status == "ok" ? 'b' : 'a');
    r.status = status;
    h5::write_run(store.run_path(r.id), r);
    std::ofstream(store.checkpoint_path(r.id)) << "a checkpoint";
  }
  const auto unfinished = store.unfinished_runs();
  REQUIRE(unfinished.size() == 1);
  CHECK(unfinished[0].id16 == std::string(16, 'a'));
  // One run, not an ambiguous pair: show --run reads its checkpoint (here not HDF5: an error naming it).
  std::ostringstream out;
  REQUIRE_THROWS_WITH(print_run_details(dir.string(), "aaaa", out), !Catch::Contains("ambiguous"));
  fs::remove_all(dir);
}

TEST_CASE("a long run's progress line projects the rest at the current attempt's rate once it has one",
          "[show]") {
  CheckpointRecord c;
  CHECK(describe_progress(c).empty());  // a checkpoint that does not record its progress
  c.progress = 0.25;
  c.elapsed_s = 3600;
  // A first attempt: the average is the only rate (1 h for a quarter: 3 h more).
  c.attempt_start_progress = 0;
  c.attempt_start_elapsed_s = 0;
  CHECK(describe_progress(c) == "25.0% done in 60 min; 3.0 h more at that rate");
  // Resumed at 10% after 50 min, then 15% in the last 10 min: the other 75% in 50 min at that pace.
  c.attempt_start_progress = 0.10;
  c.attempt_start_elapsed_s = 3000;
  CHECK(describe_progress(c) == "25.0% done in 60 min; 50 min more at this session's rate (3.0 h at the run's average)");
  // An attempt shorter than a minute, or one that has not advanced yet, falls back to the average.
  c.attempt_start_elapsed_s = 3570;
  CHECK(describe_progress(c) == "25.0% done in 60 min; 3.0 h more at that rate");
  c.attempt_start_elapsed_s = 3000;
  c.attempt_start_progress = 0.25;
  CHECK(describe_progress(c) == "25.0% done in 60 min; 3.0 h more at that rate");
  c.progress = 1;
  CHECK(describe_progress(c) == "100.0% done in 60 min");
}
