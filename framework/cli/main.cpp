// The `genlab` command: run experiments, list plugins, show results.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "experiment.hpp"
#include "genlab/error.hpp"
#include "genlab/subnormals.hpp"
#include "genlab/version.hpp"
#include "git_info.hpp"
#include "mpi_launch.hpp"
#include "post_run.hpp"
#include "registry.hpp"
#include "results_query.hpp"
#include "results_table.hpp"
#include "runner.hpp"
#include "train/train_config.hpp"

namespace {

using namespace genlab;

// Exit statuses (documented in the README).
constexpr int kExitUsage = 64;  // bad command line or experiment config
constexpr int kExitError = 65;  // other errors (plugin, I/O)
constexpr int kExitInterrupted = 130;
constexpr int kMaxFailedExit = 63;  // 1..63: that many runs failed (63 = 63 or more)

std::atomic<bool> g_stop{false};

void on_signal(int) {
  if (g_stop.exchange(true)) _exit(kExitInterrupted);  // second Ctrl-C: leave now
  const char msg[] =
      "\ngenlab: stopping: running runs are asked to stop, no new run starts (Ctrl-C again to quit now)\n";
  (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
}

const char* kUsage =
    "usage:\n"
    "  genlab run EXPERIMENT.yaml [--jobs N] [--set KEY=VALUE]... [--dry-run] [--shard I/N] [--out DIR]\n"
    "                             [--mpi] (implied under mpirun: ranks share the sweep, rank 0 hands out runs)\n"
    "  genlab plugins [--describe COMPONENT|train|eval]\n"
    "  genlab show RESULTS_DIR [--aggregate | --pivot ROW_KEY:COL_KEY[,COL_KEY]] [--metrics M1,M2,PREFIX*]\n"
    "                          [--where KEY=V|METRIC<X]...\n"
    "                          [--sort [-]COLUMN] [--format table|csv|json|markdown]\n"
    "  genlab show RESULTS_DIR --run ID [--log]\n"
    "  genlab eval RESULTS_DIR --run ID [--set model.KEY=V|eval.KEY=V]...\n"
    "  genlab sample RESULTS_DIR --run ID [-n 64] [--seed S] [-o GRID.png]\n"
    "  genlab inpaint RESULTS_DIR --run ID [--pattern bottom|top|left|right|center] [-n 16] [--draws 4]\n"
    "                 [--seed S] [-o GRID.png]\n"
    "  genlab png RESULTS_DIR --run ID --array NAME [--columns C] -o FILE.png\n"
    "  genlab --version\n"
    "common options: --plugin-path DIR[:DIR...] (repeatable; also GENLAB_PLUGIN_PATH)\n";

struct Args {
  std::string command;
  std::vector<std::string> positional;
  std::vector<std::string> sets, plugin_paths;
  int jobs = 0;
  bool dry_run = false, no_progress = false, mpi = false;
  int shard_index = 0, shard_count = 1;
  std::string out = "results", describe, run_id;
  // sample / inpaint
  std::string output, pattern = "bottom";
  std::int64_t count = -1, draws = 4;
  std::uint64_t seed = 0;
  std::string array;
  std::int64_t columns = 0;
  // show
  ShowOptions show;
  bool show_log = false;
};

[[noreturn]] void usage_error(const std::string& msg) {
  std::fprintf(stderr, "genlab: %s\n%s", msg.c_str(), kUsage);
  std::exit(kExitUsage);
}

int parse_int(const std::string& s, const std::string& what) {
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end || v < 0 || v > 1000000)
    usage_error(what + ": expected a non-negative integer, got '" + s + "'");
  return static_cast<int>(v);
}

Args parse_args(int argc, char** argv) {
  Args a;
  if (argc < 2) usage_error("no command given");
  a.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* name) -> std::string {
      const std::string prefix = std::string(name) + "=";
      if (arg.rfind(prefix, 0) == 0) return arg.substr(prefix.size());
      if (i + 1 >= argc) usage_error(std::string(name) + " needs a value");
      return argv[++i];
    };
    auto is = [&](const char* name) { return arg == name || arg.rfind(std::string(name) + "=", 0) == 0; };
    if (is("--set"))
      a.sets.push_back(value("--set"));
    else if (is("--jobs") || is("-j"))
      a.jobs = parse_int(value(arg.rfind("-j", 0) == 0 && arg.rfind("--", 0) != 0 ? "-j" : "--jobs"), "--jobs");
    else if (arg == "--dry-run")
      a.dry_run = true;
    else if (arg == "--no-progress")
      a.no_progress = true;
    else if (arg == "--mpi")
      a.mpi = true;
    else if (is("--out"))
      a.out = value("--out");
    else if (is("--plugin-path"))
      a.plugin_paths.push_back(value("--plugin-path"));
    else if (is("--describe"))
      a.describe = value("--describe");
    else if (is("--run"))
      a.run_id = value("--run");
    else if (is("-o") || is("--output"))
      a.output = value(arg.rfind("--", 0) == 0 ? "--output" : "-o");
    else if (arg == "--log")
      a.show_log = true;
    else if (arg == "--aggregate")
      a.show.aggregate = true;
    else if (is("--pivot"))
      a.show.pivot = value("--pivot");
    else if (is("--metrics")) {
      const std::string list = value("--metrics");
      std::size_t from = 0;
      while (from <= list.size()) {
        const std::size_t comma = std::min(list.find(',', from), list.size());
        if (comma > from) a.show.metrics.push_back(list.substr(from, comma - from));
        from = comma + 1;
      }
    } else if (is("--sort"))
      a.show.sort = value("--sort");
    else if (is("--where"))
      a.show.where.push_back(value("--where"));
    else if (is("--format"))
      a.show.format = value("--format");
    else if (is("--array"))
      a.array = value("--array");
    else if (is("--columns"))
      a.columns = parse_int(value("--columns"), "--columns");
    else if (is("--pattern"))
      a.pattern = value("--pattern");
    else if (is("-n"))
      a.count = parse_int(value("-n"), "-n");
    else if (is("--draws"))
      a.draws = parse_int(value("--draws"), "--draws");
    else if (is("--seed"))
      a.seed = std::uint64_t(parse_int(value("--seed"), "--seed"));
    else if (is("--shard")) {
      const std::string s = value("--shard");
      const auto slash = s.find('/');
      if (slash == std::string::npos) usage_error("--shard: expected I/N (e.g. 0/4), got '" + s + "'");
      a.shard_index = parse_int(s.substr(0, slash), "--shard I");
      a.shard_count = parse_int(s.substr(slash + 1), "--shard N");
      if (a.shard_count < 1 || a.shard_index >= a.shard_count) usage_error("--shard: need 0 <= I < N, got '" + s + "'");
    } else if (arg.rfind("-", 0) == 0 && arg.size() > 1) {
      usage_error("unknown option '" + arg + "'");
    } else {
      a.positional.push_back(arg);
    }
  }
  return a;
}

Registry load_registry(const Args& a, bool quiet) {
  Registry reg;
  register_builtins(reg);
  load_plugins(reg, plugin_search_path(a.plugin_paths));
  if (!quiet)
    for (const auto& p : reg.problems) std::fprintf(stderr, "genlab: plugin skipped: %s\n", p.c_str());
  return reg;
}

int cmd_plugins(const Args& a) {
  Registry reg = load_registry(a, false);
  auto print_params = [](const Schema& schema) {
    std::cout << "parameters:\n";
    for (const auto& p : schema.params()) {
      std::cout << "  " << p.name << ": " << p.type_text() << "; "
                << (p.default_value ? "default " + p.default_value->display() : std::string("required")) << "\n      "
                << p.doc << "\n";
    }
  };
  if (a.describe == "train" || a.describe == "eval") {
    std::cout << a.describe << " (section of every model experiment, read by the generic trainer)\n";
    print_params(a.describe == "train" ? train_schema() : eval_schema());
    return 0;
  }
  if (!a.describe.empty()) {
    const ComponentInfo* c = reg.find(a.describe);
    if (!c) {
      std::vector<std::string> names = reg.names();
      names.insert(names.end(), {"train", "eval"});
      std::string guess = did_you_mean(a.describe, names);
      std::fprintf(stderr, "genlab: no component named '%s'%s\n", a.describe.c_str(),
                   guess.empty() ? "" : ("; did you mean '" + guess + "'?").c_str());
      return kExitUsage;
    }
    std::cout << c->name << " (" << component_kind_name(c->kind) << ", plugin " << c->plugin << " " << c->plugin_version
              << ")\n  " << c->summary << "\n  library: " << c->library << "\n";
    print_params(c->schema);
    return 0;
  }
  if (reg.plugins.empty())
    std::cout << "no plugins found (search path: GENLAB_PLUGIN_PATH, --plugin-path, build tree)\n";
  for (const auto& p : reg.plugins) {
    std::cout << p.name << " " << p.version << "  (" << p.library << ")\n";
    for (const auto& name : p.components) {
      const ComponentInfo* c = reg.find(name);
      std::cout << "  " << name << "  [" << component_kind_name(c->kind) << "]  " << c->summary << "\n";
    }
  }
  return reg.problems.empty() ? 0 : kExitError;
}

int cmd_run(const Args& a) {
  if (a.positional.size() != 1) usage_error("run: expected one experiment file");
  Registry reg = load_registry(a, false);
  ExperimentPlan plan = plan_experiment(a.positional[0], a.sets, reg);
  if (a.dry_run) {
    for (const auto& w : plan.warnings) std::cout << "warning: " << w << "\n";
    std::size_t selected = 0;
    for (const auto& r : plan.runs) {
      if (!in_shard(r.index, a.shard_index, a.shard_count)) continue;
      ++selected;
      std::cout << "#" << r.index << " " << r.short_id() << " " << r.config.json() << "\n";
    }
    std::cout << "experiment " << plan.name << ": " << plan.runs.size() << " runs";
    if (a.shard_count > 1)
      std::cout << " (" << selected << " in shard " << a.shard_index << "/" << a.shard_count << ")";
    std::cout << " (dry run: nothing executed)\n";
    return 0;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  RunOptions opt;
  opt.jobs = a.jobs;
  opt.out_root = a.out;
  opt.shard_index = a.shard_index;
  opt.shard_count = a.shard_count;
  opt.live = !a.no_progress && isatty(STDOUT_FILENO);
  opt.git_commit = genlab_git_commit();
  const MpiEnvironment mpi = mpi_environment();
  int rank = 0;
  RunSummary s;
  if (a.mpi || mpi.size > 1) {
    if (!built_with_mpi())
      throw Error(std::string(a.mpi ? "--mpi" : "started by an MPI launcher (" + mpi.variable + "=" +
                                                    std::to_string(mpi.size) + ")") +
                  ", but this genlab was built without MPI: install libopenmpi-dev and rebuild, or split the sweep "
                  "with --shard I/N instead");
    s = run_plan_mpi(plan, reg, opt, g_stop, rank);
    if (rank != 0) return 0;  // rank 0 reports every run, and the exit status
  } else {
    s = run_plan(plan, reg, opt, g_stop);
  }

  std::vector<std::string> problems;
  const auto runs = read_results(s.dir, &problems);
  std::cout << "\n";
  print_runs_table(runs, std::cout);
  for (const auto& p : problems) std::cout << "warning: " << p << "\n";
  std::cout << "\n"
            << s.ok << " ok, " << s.failed << " failed, " << s.interrupted << " interrupted, " << s.skipped
            << " already finished" << (s.busy ? ", " + std::to_string(s.busy) + " left to other processes" : "")
            << "\nresults: " << s.dir << "/experiment.h5 (index), " << s.dir << "/runs/ (one HDF5 file per run)\n";
  if (g_stop.load() || s.interrupted) {
    std::cout << "interrupted: run the same command again to resume\n";
    return kExitInterrupted;
  }
  return static_cast<int>(std::min<std::size_t>(s.failed, kMaxFailedExit));
}

int cmd_show(const Args& a) {
  if (a.positional.size() != 1) usage_error("show: expected one results directory");
  const std::string& dir = a.positional[0];
  if (a.show_log && a.run_id.empty()) usage_error("show --log: needs --run ID");
  if (!a.run_id.empty()) {
    if (a.show_log)
      print_run_log(dir, a.run_id, std::cout);
    else
      print_run_details(dir, a.run_id, std::cout);
    return 0;
  }
  std::vector<std::string> problems;
  const auto runs = read_results(dir, &problems);
  render_results_table(build_results_table(runs, a.show), a.show.format, std::cout);
  // csv and json stay machine-readable: runs not finished yet are listed with the human formats only.
  if (a.show.format == "table" || a.show.format == "markdown") print_unfinished_runs(dir, std::cout, &problems);
  for (const auto& p : problems) std::cerr << "warning: " << p << "\n";
  return 0;
}

int cmd_post_run(const Args& a) {
  if (a.positional.size() != 1) usage_error(a.command + ": expected one results directory");
  if (a.run_id.empty()) usage_error(a.command + ": --run ID is required (see genlab show RESULTS_DIR)");
  const Registry reg = a.command == "png" ? Registry{} : load_registry(a, true);
  PostRunOptions o;
  o.dir = a.positional[0];
  o.run_id = a.run_id;
  o.output = a.output;
  o.pattern = a.pattern;
  o.draws = a.draws;
  o.seed = a.seed;
  o.array = a.array;
  o.columns = a.columns;
  o.overrides = a.sets;
  if (!a.sets.empty() && a.command != "eval") usage_error(a.command + ": --set is for run and eval");
  if (a.command == "png") {
    png_command(o, std::cout);
  } else if (a.command == "eval") {
    eval_command(o, reg, std::cout);
  } else if (a.command == "sample") {
    o.count = a.count < 0 ? 64 : a.count;
    sample_command(o, reg, std::cout);
  } else {
    o.count = a.count < 0 ? 16 : a.count;
    inpaint_command(o, reg, std::cout);
  }
  return 0;
}

void print_error(const std::exception& e, int depth) {
  std::fprintf(stderr, "%sgenlab: %s%s\n", depth ? "  " : "", depth ? "caused by: " : "error: ", e.what());
  try {
    std::rethrow_if_nested(e);
  } catch (const std::exception& inner) {
    print_error(inner, depth + 1);
  } catch (...) {
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && (std::strcmp(argv[1], "--version") == 0 || std::strcmp(argv[1], "-V") == 0)) {
    std::printf("genlab %s (plugin ABI v%u, results layout v%lld, commit %s)\nMPI: %s\n", kVersion, kAbiVersion,
                static_cast<long long>(kResultsLayoutVersion), genlab_git_commit(), mpi_build_info().c_str());
    return 0;
  }
  if (argc >= 2 &&
      (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "help") == 0)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  const Args a = parse_args(argc, argv);
  // Every command computes as runs do, subnormals flushed (genlab/subnormals.hpp): set before the first
  // parallel loop, so the implicit arena captures it, and eval reproduces a run's test metrics exactly.
  const SubnormalsFlushed flushed;
  try {
    if (a.command == "run") return cmd_run(a);
    if (a.command == "plugins") return cmd_plugins(a);
    if (a.command == "show") return cmd_show(a);
    if (a.command == "sample" || a.command == "inpaint" || a.command == "png" || a.command == "eval")
      return cmd_post_run(a);
    usage_error("unknown command '" + a.command + "'");
  } catch (const ConfigError& e) {
    print_error(e, 0);
    return kExitUsage;
  } catch (const std::exception& e) {
    print_error(e, 0);
    return kExitError;
  }
}
