// The MPI launcher end to end: `mpirun -n 3 genlab run` gives the same runs, bit for bit, as one process
// (--jobs 1 or 2) and as --shard pieces; a rank killed with SIGKILL loses no finished run and the same
// command completes the sweep. Skipped, with a message saying why, when genlab was built without MPI or
// Open MPI's mpirun is not installed.
#include <signal.h>
#include <catch2/catch.hpp>

#include <dirent.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "e2e_support.hpp"
#include "h5io.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {

const char* kMpirun = "/usr/bin/mpirun";

// Why the MPI tests cannot run here ("" when they can).
std::string mpi_unavailable() {
  if (access(kMpirun, X_OK) != 0) return std::string(kMpirun) + " is not installed (Debian: openmpi-bin)";
  const ProcessResult v = run({GENLAB_BINARY, "--version"}, {}, ".");
  if (v.output.find("MPI: not built in") != std::string::npos) return "this genlab was built without MPI";
  return "";
}

std::vector<std::string> mpirun(const Sandbox& box, int ranks, std::vector<std::string> genlab_args) {
  std::vector<std::string> args{kMpirun, "--allow-run-as-root", "--oversubscribe", "-n", std::to_string(ranks)};
  const auto cmd = box.cmd(std::move(genlab_args));
  args.insert(args.end(), cmd.begin(), cmd.end());
  return args;
}

// Open MPI keeps process-lifetime allocations it never frees. Under the sanitizer suite LeakSanitizer
// would fail every rank on them: its suppressions name Open MPI's libraries, which needs full stacks (the
// slow unwinder: Open MPI is built without frame pointers) and components kept loaded. No effect without
// sanitizers; genlab's own code is not suppressed.
std::map<std::string, std::string> mpi_env() {
  const char* asan = std::getenv("ASAN_OPTIONS");
  const std::string a = asan ? std::string(asan) + ":" : "";
  return {{"OMPI_MCA_mca_base_component_disable_dlclose", "1"},
          {"LSAN_OPTIONS", std::string("suppressions=") + GENLAB_SOURCE_DIR + "/tests/lsan_openmpi.supp"},
          {"ASAN_OPTIONS", a + "fast_unwind_on_malloc=0"}};
}

// The pid of the child of `parent` whose environment says it is MPI rank `rank`, or -1.
pid_t rank_pid(pid_t parent, int rank) {
  const std::string want = "OMPI_COMM_WORLD_RANK=" + std::to_string(rank);
  DIR* d = opendir("/proc");
  pid_t found = -1;
  while (dirent* e = d ? readdir(d) : nullptr) {
    const pid_t pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid != parent) continue;
    std::ifstream env("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
    for (std::string var; std::getline(env, var, '\0');)
      if (var == want) found = pid;
  }
  if (d) closedir(d);
  return found;
}

}  // namespace

TEST_CASE("one process, jobs 2, shards and mpirun -n 3 give bitwise-identical runs", "[e2e][mpi]") {
  const std::string why = mpi_unavailable();
  if (!why.empty()) {
    WARN("MPI tests skipped: " << why);
    return;
  }
  Sandbox box("mpi_same");
  // Trained models (their random streams exercised: data, initialization, batches, samples) of different
  // lengths, so that ranks free up at different times.
  const auto exp = box.write(
      "m.yaml",
      "name: m\nseed: 5\ndataset: {name: two_moons, n_train: 1000, n_valid: 200, n_test: 200}\n"
      "model: {name: gaussian_mixture, components: 4}\ntrain: {lr: 0.05, epochs: 3, batch_size: 100}\n"
      "eval: {samples: 50}\n"
      "sweep:\n  variants:\n    - {}\n    - {dataset: {name: eight_gaussians}, model: {components: 8}}\n"
      "    - {dataset: {name: rings}, model: {components: 16}, train: {epochs: 8}}\n  seeds: [1, 2, 3]\n");
  const ProcessResult one = box.genlab({"run", exp, "--jobs", "1", "--out", "one"});
  INFO(one.output);
  REQUIRE(one.exit_code == 0);
  const ProcessResult two = box.genlab({"run", exp, "--jobs", "2", "--out", "two"});
  REQUIRE(two.exit_code == 0);
  for (const char* shard : {"0/2", "1/2"}) REQUIRE(box.genlab({"run", exp, "--shard", shard, "--out", "shards"}).exit_code == 0);
  const ProcessResult m = run(mpirun(box, 3, {"run", exp, "--jobs", "1", "--out", "mpi"}), mpi_env(), box.dir.string());
  INFO(m.output);
  REQUIRE(m.exit_code == 0);
  CHECK_THAT(m.output, Catch::Contains("9 ok, 0 failed"));
  require_same_results(box.dir / "one" / "m", box.dir / "two" / "m");
  require_same_results(box.dir / "one" / "m", box.dir / "shards" / "m");
  require_same_results(box.dir / "one" / "m", box.dir / "mpi" / "m");
  CHECK(fs::is_empty(box.dir / "mpi" / "m" / "claims"));
  // Rank 0 printed every run's line once, whichever rank ran it, and kept the index.
  std::size_t lines = 0;
  for (auto p = m.output.find("] ok "); p != std::string::npos; p = m.output.find("] ok ", p + 1)) ++lines;
  CHECK(lines == 9);
  require_h5py_check(box.dir / "mpi" / "m", 9);
}

TEST_CASE("a rank killed with SIGKILL mid-sweep loses no finished run, the same command completes the sweep",
          "[e2e][mpi][crash]") {
  const std::string why = mpi_unavailable();
  if (!why.empty()) {
    WARN("MPI tests skipped: " << why);
    return;
  }
  Sandbox box("mpi_kill");
  const auto exp = box.write("k.yaml", probe_sweep(250, 12));
  const auto results = box.results("probes");
  const pid_t launcher =
      spawn(mpirun(box, 3, {"run", exp, "--jobs", "1"}), mpi_env(), box.dir.string(), (box.dir / "first.log").string());
  REQUIRE(wait_until([&] { return run_files(results).size() >= 3; }, 60));
  const pid_t victim = rank_pid(launcher, 1);
  REQUIRE(victim > 0);
  kill(victim, SIGKILL);
  const int status = wait_for(launcher);
  INFO(read_text((box.dir / "first.log").string()));
  CHECK(status != 0);  // mpirun takes the job down with the rank
  // The other ranks get SIGTERM from mpirun: their runs in flight stop and are recorded as interrupted.
  std::size_t finished = 0;
  for (const auto& f : run_files(results)) {
    const std::string st = h5::read_run(f.string(), true).status;  // every file left behind is readable
    CHECK((st == "ok" || st == "interrupted"));
    finished += st == "ok";
  }
  REQUIRE(finished >= 3);
  REQUIRE(finished < 12);

  const ProcessResult again = run(mpirun(box, 2, {"run", exp, "--jobs", "1"}), mpi_env(), box.dir.string());
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.output, Catch::Contains(std::to_string(finished) + " already finished"));
  REQUIRE(run_files(results).size() == 12);
  CHECK(fs::is_empty(results / "claims"));
  require_h5py_check(results, 12);
}
