// End-to-end tests of the `genlab` executable with real plugin libraries: determinism across --jobs,
// real overlap, failure isolation, kill -9 and crash points followed by resume, Ctrl-C, shards, and
// results read back with h5py.
#include <signal.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "e2e_support.hpp"
#include "h5io.hpp"

using namespace genlab;
using namespace genlab::testing;
namespace fs = std::filesystem;

TEST_CASE("a streams sweep runs, prints a table, and h5py reads the results", "[e2e]") {
  Sandbox box("basic");
  const auto exp = box.write("exp.yaml",
                             "name: med\nseed: 1\nalgorithm: {name: streaming_median, n: 2000}\n"
                             "sweep:\n  grid:\n    algorithm.distribution: [random, duplicates]\n"
                             "    algorithm.value_type: [int64, double]\n");
  const ProcessResult r = box.genlab({"run", exp, "--jobs", "2"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("4 ok, 0 failed") && Catch::Contains("results/med/experiment.h5") &&
                           Catch::Contains("distribution") && Catch::Contains("op_ns"));
  require_h5py_check(box.results("med"), 4);
  const ProcessResult again = box.genlab({"run", exp});
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.output, Catch::Contains("4 already finished") && Catch::Contains("0 to run"));
  const ProcessResult show = box.genlab({"show", box.results("med").string()});
  CHECK(show.exit_code == 0);
  CHECK_THAT(show.output, Catch::Contains("status") && Catch::Contains("value_type") && Catch::Contains("duplicates"));
  const std::string id = run_files(box.results("med"))[0].stem().string().substr(0, 8);
  const ProcessResult detail = box.genlab({"show", box.results("med").string(), "--run", id});
  CHECK(detail.exit_code == 0);
  CHECK_THAT(detail.output, Catch::Contains("streaming_median") && Catch::Contains("metric series:"));
}

TEST_CASE("jobs 1 and jobs 2 give bitwise identical results, and --jobs 2 really overlaps", "[e2e][determinism]") {
  Sandbox box("determinism");
  const std::string yaml =
      "name: det\nseed: 11\nalgorithm: {name: streaming_median, n: 30000, checks: 8}\n"
      "sweep:\n  variants:\n    - {}\n    - {algorithm: {name: probe, steps: 20, sleep_ms: 300}}\n"
      "  grid:\n    seed: [1, 2, 3]\n";
  const auto exp = box.write("det.yaml", yaml);
  const ProcessResult one = box.genlab({"run", exp, "--jobs", "1", "--out", "one"});
  INFO(one.output);
  REQUIRE(one.exit_code == 0);
  const ProcessResult two = box.genlab({"run", exp, "--jobs", "2", "--out", "two"});
  INFO(two.output);
  REQUIRE(two.exit_code == 0);
  require_same_results(box.dir / "one" / "det", box.dir / "two" / "det");

  // With 2 jobs, at least two of the 300 ms probe runs ran at the same time.
  std::vector<std::pair<double, double>> spans;
  for (const auto& f : run_files(box.dir / "two" / "det")) {
    const RunRecord r = h5::read_run(f.string(), false);
    if (r.component == "probe") spans.emplace_back(r.start_time, r.end_time);
  }
  REQUIRE(spans.size() == 3);
  bool overlapped = false;
  for (std::size_t i = 0; i < spans.size(); ++i)
    for (std::size_t j = i + 1; j < spans.size(); ++j)
      overlapped |= std::max(spans[i].first, spans[j].first) < std::min(spans[i].second, spans[j].second);
  CHECK(overlapped);
}

TEST_CASE("runs compute with subnormals flushed to zero, on their own thread and in every parallel task",
          "[e2e][numerics]") {
#if defined(__x86_64__) || defined(__i386__)
  Sandbox box("fp_mode");
  const auto exp = box.write("fp.yaml", "name: fp\nalgorithm: {name: fp_mode}\nsweep:\n  grid:\n    seed: [1, 2, 3]\n");
  const ProcessResult r = box.genlab({"run", exp, "--jobs", "2"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto files = run_files(box.results("fp"));
  REQUIRE(files.size() == 3);
  for (const auto& f : files) {
    const RunRecord rec = h5::read_run(f.string(), false);
    std::map<std::string, double> finals(rec.finals.begin(), rec.finals.end());
    INFO(f.string());
    CHECK(finals.at("flushed_in_run") == 1.0);
    CHECK(finals.at("flushed_in_tasks") == 1.0);
    CHECK(finals.at("zero_subnormal_products") == 1.0);
  }
#else
  SUCCEED("flushing subnormals is implemented for x86's MXCSR only");
#endif
}

TEST_CASE("a run that throws or logs NaN fails alone, the exit status counts the failures", "[e2e][failure]") {
  Sandbox box("failure");
  const auto exp = box.write("fail.yaml",
                             "name: fail\nalgorithm: {name: probe, steps: 5}\n"
                             "sweep:\n  grid:\n    algorithm.fail_at: [-1, 2]\n    algorithm.nan_at: [-1, 3]\n");
  const ProcessResult r = box.genlab({"run", exp, "--jobs", "2"});
  INFO(r.output);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.output, Catch::Contains("1 ok, 3 failed"));
  CHECK_THAT(r.output, Catch::Contains("metric 'loss' is NaN at step 3"));
  CHECK_THAT(r.output, Catch::Contains("probe asked to fail at step 2"));
  int ok = 0, failed = 0;
  for (const auto& f : run_files(box.results("fail"))) {
    const RunRecord rec = h5::read_run(f.string(), true);
    if (rec.status == "ok") {
      ++ok;
      CHECK(rec.finals.size() == 2);
    } else {
      ++failed;
      CHECK(rec.status == "failed");
      REQUIRE(!rec.metrics.empty());  // what was logged before the failure is kept
      CHECK(rec.metrics[0].second.value.size() >= 2);
    }
  }
  CHECK(ok == 1);
  CHECK(failed == 3);
  require_h5py_check(box.results("fail"), 4, true);
}

TEST_CASE("kill -9 mid-sweep loses no finished run, the same command resumes", "[e2e][crash]") {
  Sandbox box("kill");
  const auto exp = box.write("k.yaml", probe_sweep(250, 12));
  const auto results = box.results("probes");
  const pid_t pid = spawn(box.cmd({"run", exp, "--jobs", "2"}), {}, box.dir.string(), (box.dir / "first.log").string());
  REQUIRE(wait_until([&] { return run_files(results).size() >= 3; }, 60));
  kill(pid, SIGKILL);
  CHECK(wait_for(pid) == 128 + SIGKILL);
  const auto survivors = run_files(results);
  REQUIRE(survivors.size() >= 3);
  REQUIRE(survivors.size() < 12);
  std::map<std::string, double> started;
  for (const auto& f : survivors) {
    const RunRecord rec = h5::read_run(f.string(), true);  // every file left behind is readable
    CHECK(rec.status == "ok");
    started[f.filename().string()] = rec.start_time;
  }
  const ProcessResult again = box.genlab({"run", exp, "--jobs", "2"});
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.output, Catch::Contains(std::to_string(survivors.size()) + " already finished"));
  const auto all = run_files(results);
  REQUIRE(all.size() == 12);
  for (const auto& [name, t] : started) CHECK(h5::read_run((results / "runs" / name).string(), false).start_time == t);
  CHECK(fs::is_empty(results / "claims"));
  require_h5py_check(results, 12);
}

TEST_CASE("a crash at each named crash point leaves readable files and resumes to a complete sweep", "[e2e][crash]") {
  for (const std::string point : {"run.before_rename:3", "run.after_write:2", "index.before_rename:1"}) {
    DYNAMIC_SECTION("crash at " << point) {
      Sandbox box("crashpoint");
      const auto exp = box.write("c.yaml", probe_sweep(20, 6));
      const ProcessResult crashed = box.genlab({"run", exp, "--jobs", "2"}, {{"GENLAB_CRASH_AT", point}});
      INFO(crashed.output);
      REQUIRE(crashed.exit_code == 86);
      for (const auto& f : run_files(box.results("probes"))) CHECK_NOTHROW(h5::read_run(f.string(), true));
      const ProcessResult again = box.genlab({"run", exp, "--jobs", "2"});
      INFO(again.output);
      REQUIRE(again.exit_code == 0);
      require_h5py_check(box.results("probes"), 6);
    }
  }
}

TEST_CASE("a run killed after a checkpoint resumes from it and ends as if never stopped", "[e2e][crash][checkpoint]") {
  Sandbox box("checkpoint");
  const auto exp = box.write("c.yaml",
                             "name: ck\nseed: 5\nalgorithm: {name: probe, steps: 10, checkpoint_every: 2}\n"
                             "sweep:\n  grid:\n    algorithm.value: [1, 2]\n");
  const ProcessResult clean = box.genlab({"run", exp, "--jobs", "1", "--out", "clean"});
  REQUIRE(clean.exit_code == 0);
  // The third checkpoint write is run 0's, after step 6 of 10.
  const ProcessResult crashed =
      box.genlab({"run", exp, "--jobs", "1"}, {{"GENLAB_CRASH_AT", "checkpoint.after_write:3"}});
  REQUIRE(crashed.exit_code == 86);
  CHECK(run_files(box.results("ck")).empty());
  CHECK(fs::exists(box.results("ck") / "checkpoints"));
  // `show` lists the run that has a checkpoint and no run file: stopped (its process is gone), at step 6.
  const ProcessResult shown = box.genlab({"show", box.results("ck").string()});
  INFO(shown.output);
  CHECK(shown.exit_code == 0);
  CHECK(shown.output.find("not finished: 1 run") != std::string::npos);
  CHECK(shown.output.find("stopped (resumes with the same genlab run command), checkpoint at step 6") !=
        std::string::npos);
  CHECK(shown.output.find("    60.0% done in ") != std::string::npos);  // the probe's progress at step 6 of 10
  CHECK(shown.output.find(" more at that rate") != std::string::npos);
  std::string id16;
  for (const auto& e : fs::directory_iterator(box.results("ck") / "checkpoints")) id16 = e.path().stem().string();
  const ProcessResult details = box.genlab({"show", box.results("ck").string(), "--run", id16.substr(0, 8)});
  INFO(details.output);
  CHECK(details.exit_code == 0);
  CHECK(details.output.find(" (not finished)") != std::string::npos);
  CHECK(details.output.find("checkpoint at step 6") != std::string::npos);
  // Its config comes from the checkpoint: a run that has never stopped has no run file to hold it.
  CHECK(details.output.find("config:\n") != std::string::npos);
  CHECK(details.output.find("checkpoint_every: 2") != std::string::npos);
  const ProcessResult again = box.genlab({"run", exp, "--jobs", "1"});
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  std::size_t resumed = 0;
  for (const auto& f : run_files(box.results("ck"))) {
    const RunRecord r = h5::read_run(f.string(), true);
    resumed += r.log.find("resumed from checkpoint at step 6") != std::string::npos;
    CHECK(r.metrics.at(0).second.step.size() == 10);  // steps 0..5 from the checkpoint, 6..9 after it
  }
  CHECK(resumed == 1);
  require_same_results(box.dir / "clean" / "ck", box.results("ck"), false);
  CHECK(fs::is_empty(box.results("ck") / "checkpoints"));
  const ProcessResult done = box.genlab({"show", box.results("ck").string()});
  CHECK(done.output.find("not finished") == std::string::npos);
}

namespace {

// Runs an experiment of exactly one run, which must end ok; returns [its run file].
std::vector<fs::path> run_single(Sandbox& box, const std::string& exp, const std::string& name) {
  const ProcessResult r = box.genlab({"run", exp, "--jobs", "1"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto files = run_files(box.results(name));
  REQUIRE(files.size() == 1);
  return files;
}

// Runs experiment `exp` (results folder `name`, one run) uninterrupted into clean/, then again stopped by
// `interrupt` (which starts genlab on `exp` itself and stops it its own way) and resumed by the same
// command; requires the resume to end bitwise equal to the clean run (parameters, samples, every series
// and final). Returns the resumed run's record and the step its log says it resumed from (-1: none).
std::pair<RunRecord, long> interrupt_and_resume(Sandbox& box, const std::string& exp, const std::string& name,
                                                const std::function<void()>& interrupt) {
  const ProcessResult clean = box.genlab({"run", exp, "--out", "clean"});
  INFO(clean.output);
  REQUIRE(clean.exit_code == 0);
  interrupt();
  const ProcessResult again = box.genlab({"run", exp});
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  RunRecord r = h5::read_run(run_files(box.results(name)).at(0).string(), true);
  const std::string resumed = "resumed from checkpoint at step ";
  const auto at = r.log.find(resumed);
  const long step = at == std::string::npos ? -1 : std::stol(r.log.substr(at + resumed.size()));
  require_same_results(box.dir / "clean" / name, box.results(name), false);
  return {std::move(r), step};
}

// interrupt_and_resume with the process killed right after its 5th checkpoint: the resume must start from
// that checkpoint's step.
RunRecord crash_and_resume(Sandbox& box, const std::string& exp, const std::string& name, int checkpoint_step) {
  auto [r, step] = interrupt_and_resume(box, exp, name, [&] {
    const ProcessResult crashed = box.genlab({"run", exp}, {{"GENLAB_CRASH_AT", "checkpoint.after_write:5"}});
    REQUIRE(crashed.exit_code == 86);
  });
  CHECK(step == checkpoint_step);
  return r;
}

}  // namespace

TEST_CASE("a killed training run resumes from its checkpoint and ends with the same parameters",
          "[e2e][train][crash]") {
  Sandbox box("train_resume");
  const auto exp =
      box.write("t.yaml",
                "name: fit\nseed: 4\ndataset: {name: two_moons, n_train: 2000, n_valid: 500, n_test: 500}\n"
                "model: {name: gaussian_mixture, components: 6}\n"
                "train: {lr: 0.05, batch_size: 100, epochs: 6, checkpoint_every: 10}\neval: {samples: 50}\n");
  // The 5th checkpoint is written after update 50 of 120, in epoch 2.
  const RunRecord r = crash_and_resume(box, exp, "fit", 50);
  bool has_params = false;
  for (const auto& [name, a] : r.arrays) has_params |= name.rfind("params.", 0) == 0;
  CHECK(has_params);
}

TEST_CASE("a rectified flow killed during reflow resumes with its frozen teacher and ends bitwise equal",
          "[e2e][train][crash]") {
  // 20 updates per epoch; reflow starts at epoch 2 (update 40); the 5th checkpoint comes after update 50.
  Sandbox box("reflow_resume");
  const auto exp = box.write(
      "r.yaml",
      "name: rf\nseed: 2\ndataset: {name: two_moons, n_train: 2000, n_valid: 300, n_test: 300}\n"
      "model: {name: rectified_flow, hidden: [16, 16], reflow_after: 2, reflow_steps: 8, ll_steps: 8,\n"
      "        eval_steps: [1, 4], eval_samples: 200, sample_steps: 8}\n"
      "train: {lr: 0.01, batch_size: 100, epochs: 4, checkpoint_every: 10}\neval: {samples: 50}\n");
  const RunRecord r = crash_and_resume(box, exp, "rf", 50);
  bool teacher_metrics = false;
  for (const auto& [name, value] : r.finals) teacher_metrics |= name == "test_teacher_energy_1";
  CHECK(teacher_metrics);  // the switch happened: before / after metrics are both reported
}

TEST_CASE("a flow with actnorm is initialized from data once, resumes bitwise and logs the test NLL curve",
          "[e2e][train][crash]") {
  // If a resumed run re-ran the data-dependent initialization, its actnorm parameters would be reset and
  // the results would differ from the uninterrupted run's.
  Sandbox box("flow_resume");
  const auto exp = box.write(
      "f.yaml",
      "name: fl\nseed: 3\ndataset: {name: two_moons, n_train: 2000, n_valid: 300, n_test: 300}\n"
      "model:\n  name: flow\n  layers:\n    - repeat: 2\n      layers: [{type: actnorm}, {type: lu_linear},\n"
      "               {type: affine_coupling, hidden: [16]}]\n"
      "train: {lr: 0.005, batch_size: 100, epochs: 4, checkpoint_every: 10, log_test_every: 2}\neval: {samples: 50}\n");
  const RunRecord r = crash_and_resume(box, exp, "fl", 50);
  bool curve = false;
  for (const auto& [name, series] : r.metrics)
    if (name == "test_nll") {
      curve = true;
      CHECK(series.step == std::vector<std::int64_t>{1, 3});  // after epochs 2 and 4
    }
  CHECK(curve);
}

TEST_CASE("training: jobs 1 and jobs 2 agree bitwise, NaN losses and NaN data fail with step and tensor named",
          "[e2e][train]") {
  Sandbox box("train");
  const auto exp =
      box.write("d.yaml",
                "name: dens\ndataset: {name: eight_gaussians, n_train: 1000, n_valid: 200, n_test: 200}\n"
                "model: {name: gaussian_mixture, components: 4}\ntrain: {epochs: 3, batch_size: 50, lr: 0.02}\n"
                "sweep:\n  seeds: [1, 2, 3]\n");
  REQUIRE(box.genlab({"run", exp, "--jobs", "1", "--out", "one"}).exit_code == 0);
  REQUIRE(box.genlab({"run", exp, "--jobs", "2", "--out", "two"}).exit_code == 0);
  require_same_results(box.dir / "one" / "dens", box.dir / "two" / "dens");

  const auto nan =
      box.write("n.yaml",
                "name: nan\ndataset: {name: rings, n_train: 100, n_valid: 20, n_test: 20}\n"
                "model: {name: nan_model, nan_at_call: 3}\ntrain: {batch_size: 10}\n"
                "sweep:\n  variants:\n    - {}\n    - {dataset: {name: bad_data}, model: {nan_at_call: -1}}\n");
  const ProcessResult r = box.genlab({"run", nan});
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("step 3 (epoch 0): the loss is NaN"));
  CHECK_THAT(r.output, Catch::Contains("dataset bad_data: the valid split contains NaN or Inf"));
}

TEST_CASE("likelihoods through a batch transform include its log-determinant (closed forms)", "[e2e][data]") {
  // fixed_density has a known density, so the reported bits/dim are known exactly: uniform on [0,1)^D after
  // dequantization gives 8 bits/dim on the 8-bit scale; a standard logistic density after the logit
  // transform gives the density (1 - 2 lambda) on [0,1)^D, so 8 - log2(1 - 2 lambda) bits/dim.
  Sandbox box("transform");
  const auto exp = box.write(
      "t.yaml",
      "name: t\nmodel: {name: fixed_density}\ndataset: {name: pixel_levels}\ntrain: {epochs: 1, batch_size: 16}\n"
      "sweep:\n  variants:\n    - {}\n    - {model: {density: logistic}, dataset: {logit_lambda: 0.05}}\n");
  const ProcessResult r = box.genlab({"run", exp});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  int checked = 0;
  for (const auto& f : run_files(box.results("t"))) {
    const RunRecord rec = h5::read_run(f.string(), true);
    const bool logistic = rec.config_json.find("logistic") != std::string::npos;
    double bpd = NAN;
    for (const auto& [name, value] : rec.finals)
      if (name == "test_bits_per_dim") bpd = value;
    INFO(rec.config_json);
    CHECK(bpd == Approx(logistic ? 8 - std::log2(0.9) : 8.0).epsilon(1e-5));
    ++checked;
  }
  CHECK(checked == 2);
}

TEST_CASE("a dataset that is not there stops before any run starts, naming the command that fetches it",
          "[e2e][data]") {
  Sandbox box("nodata");
  const auto exp =
      box.write("m.yaml", "name: m\ndataset: {name: mnist, data_dir: /nonexistent}\nmodel: {name: gaussian_mixture}\n");
  const ProcessResult r = box.genlab({"run", exp});
  CHECK(r.exit_code == 65);
  CHECK(r.output ==
        "genlab: error: MNIST is not in /nonexistent/mnist (missing train-images-idx3-ubyte): run `bash "
        "datasets/fetch_mnist.sh` (or set GENLAB_DATA)\n");
  CHECK_FALSE(fs::exists(box.dir / "results"));
}

TEST_CASE("Ctrl-C stops cleanly: finished runs kept, exit 130, rerun completes", "[e2e][interrupt]") {
  Sandbox box("sigint");
  const auto exp = box.write("i.yaml", probe_sweep(300, 8));
  const auto results = box.results("probes");
  const auto log = (box.dir / "first.log").string();
  const pid_t pid = spawn(box.cmd({"run", exp, "--jobs", "1"}), {}, box.dir.string(), log);
  REQUIRE(wait_until([&] { return run_files(results).size() >= 2; }, 60));
  kill(pid, SIGINT);
  CHECK(wait_for(pid) == 130);
  const std::string out = read_text(log);
  INFO(out);
  CHECK_THAT(out, Catch::Contains("interrupted: run the same command again to resume"));
  int ok = 0;
  for (const auto& f : run_files(results)) ok += h5::read_run(f.string(), false).status == "ok";
  CHECK(ok >= 2);
  CHECK(ok < 8);
  const ProcessResult again = box.genlab({"run", exp});
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  require_h5py_check(results, 8);
}

TEST_CASE("a training run stopped by Ctrl-C checkpoints the step it reached and resumes bitwise from there",
          "[e2e][interrupt][train]") {
  // 600 slow updates (5 ms each) and no periodic checkpoint within them: only the stop writes one.
  Sandbox box("sigint_train");
  const auto exp = box.write("s.yaml",
                             "name: slow\nseed: 5\ndataset: {name: rings, n_train: 2000, n_valid: 100, n_test: 100}\n"
                             "model: {name: nan_model, nan_at_call: -1, sleep_ms: 5}\n"
                             "train: {lr: 0.01, batch_size: 10, epochs: 3, checkpoint_every: 100000}\n");
  const auto [r, step] = interrupt_and_resume(box, exp, "slow", [&] {
    const auto log = (box.dir / "first.log").string();
    const pid_t pid = spawn(box.cmd({"run", exp}), {}, box.dir.string(), log);
    const auto claims = box.results("slow") / "claims";  // a run holds its claim while it runs
    REQUIRE(wait_until([&] { return fs::exists(claims) && !fs::is_empty(claims); }, 60));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // ~100 updates in
    kill(pid, SIGINT);
    const int status = wait_for(pid);
    INFO(read_text(log));
    CHECK(status == 130);
  });
  CHECK(step > 0);
  CHECK(step < 600);
}

TEST_CASE("a dry run executes nothing, and shards are disjoint and together cover the sweep", "[e2e][shard]") {
  Sandbox box("shard");
  const auto exp = box.write("s.yaml", probe_sweep(0, 7));
  const ProcessResult dry = box.genlab({"run", exp, "--dry-run"});
  REQUIRE(dry.exit_code == 0);
  CHECK_THAT(dry.output, Catch::Contains("7 runs (dry run: nothing executed)"));
  CHECK_FALSE(fs::exists(box.dir / "results"));
  std::set<std::string> seen;
  std::size_t total = 0;
  for (int i = 0; i < 3; ++i) {
    const ProcessResult r = box.genlab({"run", exp, "--shard", std::to_string(i) + "/3"});
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    const auto files = run_files(box.results("probes"));
    for (const auto& f : files) seen.insert(f.filename().string());
    total = files.size();
  }
  CHECK(seen.size() == 7);
  CHECK(total == 7);
  require_h5py_check(box.results("probes"), 7);
}

TEST_CASE("config errors: one line with file:line:col, exit status 64, nothing run", "[e2e][config]") {
  Sandbox box("config");
  const auto exp = box.write("bad.yaml", "name: bad\nalgorithm:\n  name: streaming_median\n  n: -5\n");
  const ProcessResult r = box.genlab({"run", exp});
  CHECK(r.exit_code == 64);
  CHECK(r.output == "genlab: error: " + exp + ":4:6: algorithm.n: expected int in [1, 1e9], got -5\n");
  CHECK_FALSE(fs::exists(box.dir / "results"));
  const ProcessResult missing = box.genlab({"run", (box.dir / "nope.yaml").string()});
  CHECK(missing.exit_code == 64);
  CHECK_THAT(missing.output, Catch::Contains("nope.yaml: cannot open"));
}

TEST_CASE("genlab plugins lists components and names every broken library", "[e2e][plugin]") {
  Sandbox box("plugins");
  const ProcessResult r = box.genlab({"plugins", "--plugin-path", GENLAB_BAD_PLUGIN_DIR});
  INFO(r.output);
  CHECK(r.exit_code == 65);
  CHECK_THAT(r.output, Catch::Contains("streams 0.1.0") && Catch::Contains("streaming_median  [algorithm]") &&
                           Catch::Contains("probe  [algorithm]") && Catch::Contains("unique_component"));
  std::size_t skipped = 0;
  for (std::size_t pos = 0; (pos = r.output.find("genlab: plugin skipped: ", pos)) != std::string::npos; ++pos)
    ++skipped;
  CHECK(skipped == 6);
  // GENLAB_PLUGIN_PATH is searched too (here without --plugin-path).
  const ProcessResult env =
      run({GENLAB_BINARY, "plugins"}, {{"GENLAB_PLUGIN_PATH", GENLAB_TEST_PLUGIN_DIR}}, box.dir.string());
  CHECK(env.exit_code == 0);
  CHECK_THAT(env.output, Catch::Contains("testkit 0.0.1") && Catch::Contains("streams 0.1.0"));
  const ProcessResult plain = run({GENLAB_BINARY, "plugins"}, {}, box.dir.string());
  CHECK_THAT(plain.output, !Catch::Contains("testkit"));
  const ProcessResult d = box.genlab({"plugins", "--describe", "streaming_median"});
  CHECK(d.exit_code == 0);
  CHECK_THAT(d.output, Catch::Contains("n: int in [1, 1e9]; default 100000") && Catch::Contains("stream length"));
  const ProcessResult t = box.genlab({"plugins", "--describe", "train"});
  CHECK(t.exit_code == 0);
  CHECK_THAT(t.output, Catch::Contains("optimizer: one of {sgd, adam, adamw, adamax, adagrad, rmsprop}; default adam") &&
                           Catch::Contains("checkpoint_every: int in [0, inf]; default 200"));
}

namespace {

// A stand-in for MNIST with the real file layout (60000 + 10000 images of 28 x 28) and simple content: a
// bright vertical bar at a random column on a dark background, so that the top half predicts the bottom.
void write_fake_mnist(const fs::path& dir) {
  fs::create_directories(dir);
  auto header = [](std::ofstream& f, std::uint32_t magic, std::vector<std::uint32_t> dims) {
    auto be = [&](std::uint32_t v) {
      const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
      f.write(b, 4);
    };
    be(magic);
    for (auto d : dims) be(d);
  };
  std::uint64_t state = 12345;
  auto next = [&] { return (state = state * 6364136223846793005ULL + 1442695040888963407ULL) >> 33; };
  for (auto [images, labels, n] : {std::tuple{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60000u},
                                   std::tuple{"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10000u}}) {
    std::ofstream fi(dir / images, std::ios::binary), fl(dir / labels, std::ios::binary);
    header(fi, 0x803, {n, 28, 28});
    header(fl, 0x801, {n});
    std::vector<char> img(784);
    for (std::uint32_t k = 0; k < n; ++k) {
      std::fill(img.begin(), img.end(), char(0));
      const std::size_t col = 4 + next() % 20;
      for (std::size_t y = 2; y < 26; ++y) img[y * 28 + col] = img[y * 28 + col + 1] = char(250);
      fi.write(img.data(), 784);
      fl.put(char(col % 10));
    }
  }
}

// Writes the stand-in MNIST into the sandbox and returns the start of a dataset map that reads it
// ("name: mnist, data_dir: ..."): the caller adds its sizes and transform.
std::string fake_mnist_dataset(const Sandbox& box) {
  write_fake_mnist(box.dir / "data" / "mnist");
  return "name: mnist, data_dir: " + (box.dir / "data").string();
}

}  // namespace

TEST_CASE("sample and inpaint reload a finished run: draws in the run file, valid PNG grids", "[e2e][post_run]") {
  Sandbox box("post_run");
  const std::string exp = box.write(
      "ar.yaml",
      "name: ar\nseed: 2\ndataset: {" + fake_mnist_dataset(box) +
          ", n_train: 2000, n_valid: 200, binarize: fixed}\n"
          "model: {name: made, hidden: [64], masks: 2}\ntrain: {lr: 0.01, epochs: 3, batch_size: 50}\n");
  const auto files = run_single(box, exp, "ar");
  ProcessResult r;
  const std::string id = files[0].stem().string();

  r = box.genlab({"sample", box.results("ar").string(), "--run", id.substr(0, 8), "-n", "9", "-o", "s.png"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  r = box.genlab({"inpaint", box.results("ar").string(), "--run", id, "-n", "5", "--draws", "3", "-o", "i.png"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const RunRecord rec = h5::read_run(files[0].string(), true);
  std::map<std::string, ArrayData> arrays(rec.arrays.begin(), rec.arrays.end());
  REQUIRE(arrays.count("samples_s0"));
  CHECK(arrays["samples_s0"].rows == 9);
  for (double v : arrays["samples_s0"].data) REQUIRE((v == 0.0 || v == 1.0));
  const ArrayData &in = arrays["inpaint_bottom_s0_input"], &obs = arrays["inpaint_bottom_s0_observed"],
                  &dr = arrays["inpaint_bottom_s0_draws"];
  REQUIRE(in.rows == 5);
  REQUIRE(dr.rows == 15);
  // Observed pixels are kept in every completion; the bottom half (rows 14..27) is what was missing.
  for (std::int64_t i = 0; i < 5; ++i)
    for (std::int64_t d = 0; d < 3; ++d)
      for (std::int64_t p = 0; p < 784; ++p) {
        const double o = obs.data[std::size_t(i * 784 + p)];
        REQUIRE(o == (p < 14 * 28 ? 1.0 : 0.0));
        if (o == 1.0) REQUIRE(dr.data[std::size_t((i * 3 + d) * 784 + p)] == in.data[std::size_t(i * 784 + p)]);
      }
  // An independent PNG reader (Python's zlib) decodes both grids and finds the arrays' pixels in them.
  const ProcessResult py =
      run({"/usr/bin/python3", std::string(GENLAB_SOURCE_DIR) + "/tests/e2e/check_png_grid.py",
           (box.dir / "i.png").string(), files[0].string(), "inpaint_bottom_s0"},
          {}, box.dir.string());
  INFO(py.output);
  CHECK(py.exit_code == 0);

  // Any stored array of images can be drawn again; a missing one is named with the ones there are.
  r = box.genlab({"png", box.results("ar").string(), "--run", id, "--array", "inpaint_bottom_s0_draws", "--columns",
                  "3", "-o", "d.png"});
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(fs::file_size(box.dir / "d.png") > 5 * 3 * 28 * 28);
  r = box.genlab({"png", box.results("ar").string(), "--run", id, "--array", "nope", "-o", "n.png"});
  CHECK(r.exit_code == 65);
  CHECK(r.output.find("has no array 'nope' (it has: ") != std::string::npos);
  CHECK(r.output.find(" samples_s0 ") != std::string::npos);

  // A run that does not exist and an unknown pattern are refused with the reason.
  r = box.genlab({"inpaint", box.results("ar").string(), "--run", "ffff"});
  CHECK(r.exit_code == 65);
  CHECK(r.output.find("no run with id starting 'ffff'") != std::string::npos);
  r = box.genlab({"inpaint", box.results("ar").string(), "--run", id, "--pattern", "diagonal"});
  CHECK(r.exit_code == 64);
  CHECK(r.output.find("unknown pattern 'diagonal'") != std::string::npos);
}

TEST_CASE("a NICE flow on dequantized images: genlab inpaint keeps the observed pixels and names its method",
          "[e2e][post_run][flows]") {
  Sandbox box("flow_inpaint");
  const std::string exp = box.write(
      "nice.yaml",
      "name: nice\nseed: 2\ndataset: {" + fake_mnist_dataset(box) +
          ", n_train: 1000, n_valid: 200, dequantize: true}\n"
          "model:\n  name: flow\n  prior: logistic\n  inpaint_steps: 15\n  inpaint_step: 0.001\n"
          "  inpaint_range: [0, 1]\n  layers:\n    - repeat: 2\n      layers: [{type: additive_coupling, hidden: [32]}]\n"
          "    - {type: scale}\n"
          "train: {lr: 0.001, epochs: 1, batch_size: 100}\neval: {samples: 4}\n");
  const auto files = run_single(box, exp, "nice");
  ProcessResult r;
  r = box.genlab({"inpaint", box.results("nice").string(), "--run", files[0].stem().string(), "-n", "3", "--draws",
                  "2", "-o", "i.png"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("gradient ascent on log p over the missing entries"));
  const RunRecord rec = h5::read_run(files[0].string(), true);
  std::map<std::string, ArrayData> arrays(rec.arrays.begin(), rec.arrays.end());
  CHECK(arrays.count("figure_samples"));
  CHECK(arrays.count("figure_inpaint_bottom"));
  const ArrayData &in = arrays["inpaint_bottom_s0_input"], &obs = arrays["inpaint_bottom_s0_observed"],
                  &dr = arrays["inpaint_bottom_s0_draws"];
  REQUIRE(dr.rows == 6);
  std::int64_t changed = 0;
  for (std::int64_t i = 0; i < 3; ++i)
    for (std::int64_t d = 0; d < 2; ++d)
      for (std::int64_t p = 0; p < 784; ++p) {
        const double drawn = dr.data[std::size_t((i * 2 + d) * 784 + p)], given = in.data[std::size_t(i * 784 + p)];
        if (obs.data[std::size_t(i * 784 + p)] == 1.0) REQUIRE(drawn == given);
        else changed += drawn != given;
        REQUIRE((drawn >= 0.0 && drawn <= 1.0));  // inpaint_range [0, 1], mapped back to intensities
      }
  CHECK(changed > 0);
}

TEST_CASE("the trainer's schedules: cosine spans the whole run, iwae's stages", "[e2e][train][schedule]") {
  Sandbox box("schedules");
  const auto exp = box.write(
      "s.yaml",
      "name: sched\nseed: 1\ndataset: {name: two_moons, n_train: 400, n_valid: 100, n_test: 100}\n"
      "model: {name: gaussian_mixture, components: 2}\ntrain: {lr: 0.1, batch_size: 100, epochs: 13}\n"
      "sweep:\n  variants:\n    - {train: {schedule: cosine}}\n    - {train: {schedule: iwae, gamma: 0.5}}\n");
  const ProcessResult r = box.genlab({"run", exp, "--jobs", "1"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  for (const auto& f : run_files(box.results("sched"))) {
    const RunRecord rec = h5::read_run(f.string(), true);
    const auto it = std::find_if(rec.metrics.begin(), rec.metrics.end(), [](const auto& m) { return m.first == "lr"; });
    REQUIRE(it != rec.metrics.end());
    const std::vector<double>& lr = it->second.value;  // the rate after each epoch's last update
    REQUIRE(lr.size() == 13);
    if (rec.config_yaml.find("cosine") != std::string::npos) {
      // 4 updates per epoch, 52 in all: after epoch e the rate is 0.05 (1 + cos(pi 4 (e + 1) / 52)).
      for (std::size_t e = 0; e < 13; ++e)
        CHECK(lr[e] == Approx(0.05 * (1 + std::cos(M_PI * 4.0 * double(e + 1) / 52.0))).margin(1e-12));
    } else {
      const std::vector<double> expected = {0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025, 0.025,
                                            0.025, 0.025, 0.025, 0.025};
      for (std::size_t e = 0; e < 13; ++e) CHECK(lr[e] == Approx(expected[e]));
    }
  }
}

TEST_CASE("train.max_wall_time stops training cleanly, evaluates, and marks the run budget-limited",
          "[e2e][train][budget]") {
  Sandbox box("budget");
  const std::string base =
      "seed: 1\ndataset: {name: two_moons, n_train: 2000, n_valid: 200, n_test: 200}\n"
      "model: {name: gaussian_mixture, components: 8}\n";
  const auto limited = box.write("b.yaml", "name: budget\n" + base + "train: {batch_size: 10, epochs: 100000, max_wall_time: 0.5}\n");
  const auto files = run_single(box, limited, "budget");
  ProcessResult r;
  const RunRecord rec = h5::read_run(files[0].string(), true);
  CHECK(rec.status == "ok");
  auto final_of = [&](const std::string& k) {
    for (const auto& [n, v] : rec.finals)
      if (n == k) return v;
    return std::nan("");
  };
  CHECK(final_of("budget_limited") == 1.0);
  CHECK(final_of("epochs") < 100000);
  CHECK(final_of("train_time_s") >= 0.5);
  CHECK(std::isfinite(final_of("test_nll")));
  CHECK(rec.log.find("stopped by train.max_wall_time") != std::string::npos);
  r = box.genlab({"show", box.results("budget").string(), "--run", rec.id.substr(0, 8), "--log"});
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("stopped by train.max_wall_time = 0.5 s after") != std::string::npos);
  CHECK(r.output.find("final metrics") == std::string::npos);  // the log alone
  r = box.genlab({"show", box.results("budget").string(), "--aggregate", "--metrics", "budget_limited", "--format", "csv"});
  CHECK(r.output == "runs,failed,budget_limited,budget_limited_std,budget_limited_n\n1,0,1,,1\n");  // no std of one run

  // At its default the key does not enter the run id: writing `max_wall_time: 0` or leaving it out
  // gives the same id (and the ids runs had before the key existed).
  const auto plain = box.write("p.yaml", "name: plain\n" + base + "train: {epochs: 1}\n");
  const auto zero = box.write("z.yaml", "name: zero\n" + base + "train: {epochs: 1, max_wall_time: 0}\n");
  REQUIRE(box.genlab({"run", plain, "--jobs", "1"}).exit_code == 0);
  REQUIRE(box.genlab({"run", zero, "--jobs", "1"}).exit_code == 0);
  CHECK(run_files(box.results("plain"))[0].filename() == run_files(box.results("zero"))[0].filename());
}

TEST_CASE("train.valid_every validates every N epochs and after the last, patience still counts epochs",
          "[e2e][train][validation]") {
  Sandbox box("valid_every");
  const std::string base =
      "seed: 1\ndataset: {name: two_moons, n_train: 400, n_valid: 100, n_test: 100}\n"
      "model: {name: gaussian_mixture, components: 2}\n";
  auto series = [](const RunRecord& rec, const std::string& name) {
    for (const auto& [n, s] : rec.metrics)
      if (n == name) return s;
    return Series{};
  };
  auto final_of = [](const RunRecord& rec, const std::string& k) {
    for (const auto& [n, v] : rec.finals)
      if (n == k) return v;
    return std::nan("");
  };

  // 7 epochs, every 3rd validated and the last: epochs 2, 5, 6 (0-based); training is logged every epoch.
  const auto every = box.write("e.yaml", "name: every\n" + base + "train: {lr: 0.05, epochs: 7, valid_every: 3}\n");
  const RunRecord rec = h5::read_run(run_single(box, every, "every")[0].string(), true);
  REQUIRE(rec.status == "ok");
  CHECK(series(rec, "valid_nll").step == std::vector<std::int64_t>{2, 5, 6});
  CHECK(series(rec, "train_loss").step.size() == 7);
  const std::vector<double>& v = series(rec, "valid_nll").value;
  REQUIRE(v.size() == 3);
  CHECK(final_of(rec, "best_valid_nll") == *std::min_element(v.begin(), v.end()));
  CHECK(std::isfinite(final_of(rec, "test_nll")));

  // With lr 0 nothing improves after the first validation (epoch 4): patience 10 counts the epochs between
  // validations, so the run stops at the validation of epoch 14, not after ten more validations.
  const auto stuck = box.write("s.yaml", "name: stuck\n" + base +
                                             "train: {lr: 0, epochs: 100, valid_every: 5, patience: 10}\n");
  const RunRecord st = h5::read_run(run_single(box, stuck, "stuck")[0].string(), true);
  REQUIRE(st.status == "ok");
  CHECK(series(st, "valid_nll").step == std::vector<std::int64_t>{4, 9, 14});
  CHECK(final_of(st, "epochs") == 15);
  CHECK(final_of(st, "stopped_early") == 1.0);

  // At its default (1) the key does not enter the run id.
  const auto plain = box.write("p.yaml", "name: plain\n" + base + "train: {epochs: 1}\n");
  const auto one = box.write("o.yaml", "name: one\n" + base + "train: {epochs: 1, valid_every: 1}\n");
  REQUIRE(box.genlab({"run", plain, "--jobs", "1"}).exit_code == 0);
  REQUIRE(box.genlab({"run", one, "--jobs", "1"}).exit_code == 0);
  CHECK(run_files(box.results("plain"))[0].filename() == run_files(box.results("one"))[0].filename());
}

TEST_CASE("eval re-evaluates a finished run: unchanged it reproduces the test metrics, --set adds new ones",
          "[e2e][post_run][eval]") {
  Sandbox box("eval");
  const std::string exp = box.write(
      "v.yaml", "name: v\nseed: 3\ndataset: {" + fake_mnist_dataset(box) +
                    ", n_train: 1000, n_valid: 100, binarize: dynamic}\n"
                    "model: {name: vae, encoder: [32], decoder: [32], latent: 4, eval_k: [1, 5], nll_k: 8}\n"
                    "train: {epochs: 2, batch_size: 50}\n");
  const auto files = run_single(box, exp, "v");
  ProcessResult r;
  const std::string id = files[0].stem().string(), dir = box.results("v").string();
  auto finals = [&] {
    const RunRecord rec = h5::read_run(files[0].string(), true);
    return std::map<std::string, double>(rec.finals.begin(), rec.finals.end());
  };
  const auto trained = finals();

  r = box.genlab({"eval", dir, "--run", id.substr(0, 8)});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto after = finals();
  for (const char* k : {"test_loss", "test_nll_elbo", "test_nll_iwae_k5", "test_nll_iwae_k8"}) {
    INFO(k);
    REQUIRE(after.count(std::string("eval_") + k));
    CHECK(after[std::string("eval_") + k] == trained.at(k));  // the same streams: the same numbers, bitwise
    CHECK(after[k] == trained.at(k));                         // and the training results untouched
  }

  r = box.genlab({"eval", dir, "--run", id, "--set", "model.nll_k=24", "--set", "model.eval_k=[2]"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  after = finals();
  REQUIRE(after.count("eval_test_nll_iwae_k24"));
  REQUIRE(after.count("eval_test_nll_iwae_k2"));
  CHECK(after["eval_test_nll_iwae_k24"] <= after["eval_test_nll_iwae_k2"] + 1.0);  // more samples: a tighter bound
  r = box.genlab({"show", dir, "--run", id, "--log"});
  CHECK(r.output.find("--set model.nll_k=24 --set model.eval_k=[2]") != std::string::npos);

  r = box.genlab({"eval", dir, "--run", id, "--set", "train.lr=1"});
  CHECK(r.exit_code == 64);
  CHECK(r.output.find("only model.* and eval.* keys can change after training") != std::string::npos);
  r = box.genlab({"eval", dir, "--run", id, "--set", "model.latent=5"});
  CHECK(r.exit_code != 0);
  CHECK(r.output.find("the rebuilt model's is") != std::string::npos);
}

TEST_CASE("export: numpy and h5py alone rebuild one model of every family and recompute its test figures",
          "[e2e][export]") {
  // One run per model, each with a data transform of its own kind (fixed and dynamic binarization,
  // dequantization with a logit); the reader (scripts/genlab_reload.py) knows nothing but the run file, the
  // documented layout and the idx files.
  Sandbox box("export");
  const std::string exp = box.write(
      "export.yaml",
      "name: export\nseed: 4\n"
      "dataset: {" + fake_mnist_dataset(box) + ", n_train: 300, n_valid: 100}\n"
      "model: {name: gaussian_mixture, components: 3}\n"
      "train: {lr: 0.01, epochs: 2, batch_size: 50}\n"
      "eval: {batch_size: 700}\n"
      "sweep:\n  variants:\n"
      "    - {}\n"
      "    - {dataset: {binarize: fixed, binarize_seed: 3}, model: {name: fvsbn, ordering: random}}\n"
      "    - {dataset: {binarize: fixed}, model: {name: nade, hidden: 8, ordering: random}}\n"
      "    - {dataset: {binarize: fixed}, model: {name: made, hidden: [12, 10], masks: 3, eval_masks: 2,\n"
      "                                            ordering: random, direct: true}}\n"
      "    - {dataset: {dequantize: true, logit_lambda: 0.05},\n"
      "       model: {name: flow, prior: logistic, layers: [{type: additive_coupling, hidden: [8]},\n"
      "               {type: affine_coupling, split: halves, parity: 1, hidden: [8], activation: tanh},\n"
      "               {type: actnorm}, {type: lu_linear}, {type: permute, order: random},\n"
      "               {repeat: 2, layers: [{type: additive_coupling, hidden: [6]}]}, {type: scale}]}}\n"
      "    - {dataset: {binarize: dynamic}, model: {name: vae, encoder: [16], decoder: [16], latent: 2,\n"
      "                                             eval_k: [1, 3], nll_k: 20}}\n"
      "    - {dataset: {dequantize: true}, model: {name: vae, encoder: [16], decoder: [16], latent: 2,\n"
      "                                           likelihood: gaussian, eval_k: [2], nll_k: 0}}\n"
      "    - {model: {name: mlp_classifier, hidden: [8]}}\n"
      "    - {model: {name: perceptron, positive_class: 3}}\n");
  const ProcessResult r = box.genlab({"run", exp, "--jobs", "2"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto files = run_files(box.results("export"));
  REQUIRE(files.size() == 9);
  std::set<std::string> components;
  for (const auto& f : files) {
    const RunRecord rec = h5::read_run(f.string(), true);
    components.insert(rec.component);
    if (rec.component == "flow") CHECK_THAT(rec.model_export, Catch::Contains("\"conditioning\""));
    if (rec.component == "made") CHECK_THAT(rec.model_export, Catch::Contains("\"eval_masks\":2"));
  }
  CHECK(components.size() == 8);  // two VAEs: Bernoulli and Gaussian decoders
  std::vector<std::string> args{"/usr/bin/python3", std::string(GENLAB_SOURCE_DIR) + "/scripts/genlab_reload.py",
                                "--check", "1e-4"};
  for (const auto& f : files) args.push_back(f.string());
  const ProcessResult check = run(args, {}, box.dir.string());
  INFO(check.output);
  REQUIRE(check.exit_code == 0);
  // Every model's figures were recomputed: test_nll (5 models), the Bernoulli VAE's 4 estimates (ELBO, k = 1,
  // 3, 20) and the Gaussian one's 2 (ELBO, k = 2), accuracy and cross-entropy for each classifier.
  std::size_t lines = 0;
  for (std::size_t p = check.output.find("rel. diff"); p != std::string::npos; p = check.output.find("rel. diff", p + 1))
    ++lines;
  CHECK(lines == 5 + 4 + 2 + 2 * 2);
}

TEST_CASE("sample on 2D data stores the points and draws them as a scatter PNG", "[e2e][post_run]") {
  Sandbox box("sample2d");
  const std::string exp = box.write(
      "gm.yaml",
      "name: gm\nseed: 1\ndataset: {name: eight_gaussians, n_train: 2000, n_valid: 500, n_test: 500}\n"
      "model: {name: gaussian_mixture, components: 8}\ntrain: {lr: 0.05, epochs: 3, batch_size: 200}\n");
  const auto files = run_single(box, exp, "gm");
  const ProcessResult r =
      box.genlab({"sample", box.results("gm").string(), "--run", files[0].stem().string(), "-n", "3000", "-o", "s.png"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("scatter over [-4, 4]^2"));
  const RunRecord rec = h5::read_run(files[0].string(), true);
  const auto it = std::find_if(rec.arrays.begin(), rec.arrays.end(), [](const auto& a) { return a.first == "samples_s0"; });
  REQUIRE(it != rec.arrays.end());
  CHECK(it->second.rows == 3000);
  CHECK(it->second.cols == 2);
  CHECK(fs::file_size(box.dir / "s.png") > 256 * 256);  // one 256 x 256 picture, stored uncompressed
}
