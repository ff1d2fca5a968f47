#include "runner.hpp"

#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "crash_point.hpp"
#include "genlab/error.hpp"
#include "genlab/params.hpp"
#include "genlab/subnormals.hpp"
#include "h5io.hpp"
#include "result_store.hpp"
#include "run_context_impl.hpp"
#include "train/trainer.hpp"

namespace genlab {
namespace {

double now_unix() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// "what: cause: cause" for nested exceptions.
std::string describe(const std::exception& e) {
  std::string s = e.what();
  try {
    std::rethrow_if_nested(e);
  } catch (const std::exception& inner) {
    s += ": " + describe(inner);
  } catch (...) {
    s += ": unknown exception";
  }
  return s;
}

std::string swept_text(const RunSpec& r) {
  std::string s;
  for (const auto& [k, v] : r.swept.as_map()) s += (s.empty() ? "" : " ") + k + "=" + v.brief();
  return s;
}

ExperimentInfo info_of(const ExperimentPlan& plan, const Registry& registry, const std::string& git_commit) {
  ExperimentInfo info;
  info.name = plan.name;
  info.source_path = plan.source_path;
  info.yaml_text = plan.source_text;
  Value o = Value::list();
  for (const auto& s : plan.overrides) o.as_list().emplace_back(s);
  info.overrides_json = o.json();
  Value k = Value::list();
  for (const auto& s : plan.swept_keys) k.as_list().emplace_back(s);
  info.swept_keys_json = k.json();
  for (const auto& p : registry.plugins) info.plugins_text += p.name + " " + p.version + " " + p.library + "\n";
  info.git_commit = git_commit;
  info.planned_runs = static_cast<std::int64_t>(plan.runs.size());
  return info;
}

// Shared state of one invocation: counters, the live display, the index rebuild.
class Session {
 public:
  Session(const ExperimentPlan& plan, const Registry& registry, const RunOptions& opt, ResultStore& store)
      : plan_(plan), registry_(registry), opt_(opt), store_(store) {}

  // How many runs the sweep has to do (the progress display's denominator).
  void set_total(std::size_t n) {
    std::lock_guard<std::mutex> lock(mutex_);
    to_run_ = n;
  }

  void started(RunContextImpl* ctx) {
    std::lock_guard<std::mutex> lock(mutex_);
    active_.push_back(ctx);
  }

  void ended(RunContextImpl* ctx) {
    std::lock_guard<std::mutex> lock(mutex_);
    active_.erase(std::remove(active_.begin(), active_.end(), ctx), active_.end());
  }

  // One line per run that ended, here or (MPI) on another rank. Callers hold the summary's mutex.
  void report(const RunSpec& spec, const RunOutcome& o, RunSummary& summary) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (o.status == "busy") {
      ++summary.busy;
      print_line("busy: run " + spec.short_id() + " is being run by " + o.detail + "; left to it");
      return;
    }
    ++done_;
    durations_ += o.seconds;
    if (o.status == "ok")
      ++summary.ok;
    else if (o.status == "interrupted")
      ++summary.interrupted;
    else
      ++summary.failed;
    char head[64];
    std::snprintf(head, sizeof head, "[%*zu/%zu] %-6s %s %6.2fs", width(), done_, to_run_,
                  o.status == "ok"       ? "ok"
                  : o.status == "failed" ? "FAILED"
                                         : o.status.c_str(),
                  spec.id.substr(0, 16).c_str(), o.seconds);
    std::string line = std::string(head) + "  " + swept_text(spec);
    if (o.status != "ok") line += (line.back() == ' ' ? "" : "  ") + std::string("error: ") + o.detail;
    print_line(line);
  }

  void message(const std::string& line) {
    std::lock_guard<std::mutex> lock(mutex_);
    print_line(line);
  }

  // Rebuilds the index at most every `min_gap` seconds; only one thread at a time, others skip.
  void maybe_rebuild_index(double min_gap) {
    std::unique_lock<std::mutex> lock(index_mutex_, std::try_to_lock);
    if (!lock.owns_lock()) return;
    const double t = now_unix();
    if (t - last_index_ < min_gap) return;
    last_index_ = t;
    // The index is derived from the run files: a failure here must not cancel the runs. The final rebuild
    // after the sweep reports loudly.
    try {
      rebuild_locked();
    } catch (const std::exception& e) {
      message(std::string("warning: could not update the index (it is rebuilt at the end): ") + e.what());
    }
  }

  void rebuild_index_now() {
    std::lock_guard<std::mutex> lock(index_mutex_);
    rebuild_locked();
  }

  // Redraws the status line until stopped (terminal only).
  void live_loop(std::atomic<bool>& quit) {
    while (!quit.load()) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        draw_status();
      }
      std::unique_lock<std::mutex> lk(wake_mutex_);
      wake_.wait_for(lk, std::chrono::milliseconds(250), [&] { return quit.load(); });
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (opt_.live) std::fputs("\r\033[K", stdout), std::fflush(stdout);
  }
  void wake() { wake_.notify_all(); }

 private:
  int width() const { return static_cast<int>(std::to_string(to_run_).size()); }

  void print_line(const std::string& line) {
    if (opt_.live) std::fputs("\r\033[K", stdout);
    std::fputs((line + "\n").c_str(), stdout);
    if (opt_.live) draw_status();
    std::fflush(stdout);
  }

  void draw_status() {
    if (!opt_.live) return;
    std::ostringstream os;
    os << "\r\033[K" << done_ << "/" << to_run_ << " done, " << active_.size() << " running";
    double remaining_work = static_cast<double>(to_run_ - done_);
    for (std::size_t i = 0; i < active_.size() && i < 4; ++i) {
      const double p = std::clamp(active_[i]->progress(), 0.0, 1.0);
      os << (i ? " | " : ": ") << active_[i]->spec().short_id().substr(0, 8) << " " << static_cast<int>(p * 100) << "%";
    }
    for (auto* a : active_) remaining_work -= std::clamp(a->progress(), 0.0, 1.0);
    if (done_ > 0) {
      const double per_run = durations_ / static_cast<double>(done_);
      const int jobs = std::max(1, opt_.jobs);
      os << "  ETA " << static_cast<long>(per_run * remaining_work / jobs + 0.5) << "s";
    }
    std::string s = os.str();
    if (s.size() > 150) s = s.substr(0, 150);
    std::fputs(s.c_str(), stdout);
    std::fflush(stdout);
  }

  void rebuild_locked() {
    std::vector<std::string> problems;
    const auto runs = store_.scan_runs(&problems);
    for (const auto& p : problems) message("warning: " + p);
    h5::write_index(store_.index_path(), info_of(plan_, registry_, opt_.git_commit), runs);
  }

  const ExperimentPlan& plan_;
  const Registry& registry_;
  const RunOptions& opt_;
  ResultStore& store_;
  std::size_t to_run_ = 0;
  std::mutex mutex_;
  std::vector<RunContextImpl*> active_;
  std::size_t done_ = 0;
  double durations_ = 0;
  std::mutex index_mutex_;
  double last_index_ = 0;
  std::mutex wake_mutex_;
  std::condition_variable wake_;
};

RunOutcome execute_one(std::size_t plan_index, const RunSpec& spec, const ExperimentPlan& plan, ResultStore& store,
                       Session& session, const std::atomic<bool>& stop) {
  RunOutcome out;
  out.index = plan_index;
  if (!store.claim(spec.id, &out.detail)) {
    out.status = "busy";
    return out;
  }
  RunContextImpl ctx(spec, stop, store.checkpoint_path(spec.id));
  session.started(&ctx);
  RunRecord rec;
  rec.id = spec.id;
  rec.index = static_cast<std::int64_t>(spec.index);
  rec.experiment = plan.name;
  rec.component = spec.component->name;
  rec.plugin = spec.component->plugin;
  rec.plugin_version = spec.component->plugin_version;
  rec.seed = spec.seed;
  rec.config_yaml = spec.config.yaml();
  rec.config_json = spec.config.canonical_json();
  rec.swept_json = spec.swept.json();
  rec.host = host_name();
  rec.start_time = now_unix();
  try {
    if (spec.component->kind == ComponentKind::Model) {
      train_model(*spec.component, *spec.dataset, spec.config, ctx);
    } else {
      const Params params(spec.component->name, *spec.config.find("algorithm"));
      std::unique_ptr<Algorithm> algorithm = spec.component->make_algorithm(params);
      algorithm->run(ctx);
    }
    rec.status = "ok";
  } catch (const Cancelled& e) {
    rec.status = "interrupted";
    rec.error = e.what();
  } catch (const std::exception& e) {
    rec.status = "failed";
    rec.error = describe(e);
  } catch (...) {
    rec.status = "failed";
    rec.error = "unknown exception (not derived from std::exception)";
  }
  rec.end_time = now_unix();
  ctx.take_results(rec);
  try {
    store.write_run_file(rec);
  } catch (const std::exception& e) {
    // A result that cannot be stored is a failed run, said loudly; the claim is released so a rerun redoes it.
    rec.status = "failed";
    rec.error = std::string("cannot write results: ") + e.what();
  }
  crash_point("run.after_write");
  // An interrupted run keeps its checkpoint for the next attempt; any other outcome is final.
  if (rec.status != "interrupted") std::remove(store.checkpoint_path(spec.id).c_str());
  store.release(spec.id);
  session.ended(&ctx);
  out.status = rec.status;
  out.detail = rec.error;
  out.seconds = rec.end_time - rec.start_time;
  return out;
}

// The feed of a process that runs its list alone: the runs to do, in sweep order, to whichever worker is free.
class ListFeed final : public RunFeed {
 public:
  void start(const std::vector<std::size_t>& pending, std::function<void(const RunOutcome&)>) override {
    pending_ = pending;
  }
  std::optional<std::size_t> next(bool stopping) override {
    if (stopping) return std::nullopt;
    const std::size_t k = next_++;
    if (k >= pending_.size()) return std::nullopt;
    return pending_[k];
  }
  void done(const RunOutcome&) override {}
  void finish() override {}
  bool reports() const override { return true; }
  std::size_t total() const override { return pending_.size(); }

 private:
  std::vector<std::size_t> pending_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace

bool in_shard(std::size_t index, int shard_index, int shard_count) {
  return shard_count <= 1 || static_cast<int>(index % static_cast<std::size_t>(shard_count)) == shard_index;
}

RunSummary run_plan(const ExperimentPlan& plan, const Registry& registry, const RunOptions& opt,
                    std::atomic<bool>& stop) {
  // A dataset that is not there stops everything before any run starts (and before any file is made),
  // with one line saying how to get it.
  for (const auto& r : plan.runs)
    if (in_shard(r.index, opt.shard_index, opt.shard_count) && r.dataset && r.dataset->check_available) {
      const std::string missing = r.dataset->check_available(Params(r.dataset->name, *r.config.find("dataset")));
      if (!missing.empty()) throw Error(missing);
    }
  ResultStore store(opt.out_root + "/" + plan.name);
  store.remove_stale_temporaries();
  RunSummary summary;
  summary.dir = store.dir();
  summary.planned = plan.runs.size();
  ListFeed list;
  RunFeed& feed = opt.feed ? *opt.feed : list;
  // The runs still to do: only a process that hands runs out needs them (an MPI worker asks rank 0), so
  // only it reads the run files' statuses.
  std::vector<std::size_t> pending;  // positions in plan.runs
  std::vector<std::string> warnings = plan.warnings;
  for (std::size_t i = 0; i < plan.runs.size() && feed.reports(); ++i) {
    const RunSpec& r = plan.runs[i];
    if (!in_shard(r.index, opt.shard_index, opt.shard_count)) continue;
    ++summary.selected;
    std::string warning;
    const auto status = store.finished_status(r.id, &warning);
    if (!warning.empty()) warnings.push_back(warning);
    if (status && *status == "ok") {
      ++summary.skipped;
      continue;
    }
    pending.push_back(i);
  }
  const int jobs = opt.jobs > 0 ? opt.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  RunOptions eff = opt;
  eff.jobs = jobs;
  if (!feed.reports()) eff.live = false;
  Session session(plan, registry, eff, store);
  std::mutex summary_mutex;
  auto report = [&](const RunOutcome& o) {
    {
      std::lock_guard<std::mutex> lock(summary_mutex);
      session.report(plan.runs[o.index], o, summary);
    }
    session.maybe_rebuild_index(2.0);
  };
  feed.start(pending, report);
  session.set_total(feed.total());
  const bool reports = feed.reports();
  if (reports) {
    for (const auto& w : warnings) session.message("warning: " + w);
    std::ostringstream os;
    os << "experiment " << plan.name << ": " << plan.runs.size() << " runs";
    if (opt.shard_count > 1)
      os << ", shard " << opt.shard_index << "/" << opt.shard_count << " has " << summary.selected;
    if (summary.skipped) os << ", " << summary.skipped << " already finished";
    os << ", " << feed.total() << " to run with " << jobs << (jobs == 1 ? " job" : " jobs") << " -> " << store.dir();
    session.message(os.str());
  }

  std::atomic<bool> quit_live{false};
  std::thread live;
  if (eff.live) live = std::thread([&] { session.live_loop(quit_live); });

  // Every run computes with subnormals flushed to zero (genlab/subnormals.hpp): the arena takes the mode
  // of this thread when it initializes, at its first execute, and hands it to each worker's tasks.
  const SubnormalsFlushed flushed;
  tbb::task_arena arena(jobs);
  arena.execute([&] {
    // `jobs` loops take runs from the feed as they free up; a run's own parallel work shares the arena.
    // This thread runs one of the loops itself rather than only waiting: a thread blocked in wait() did
    // not help with the inner work of a run on another thread, so a lone run with --jobs 2 ran only 1.2x
    // faster than with --jobs 1 (3 epochs of the IWAE k = 50 row: 74 s of training, 57 s with this).
    // Isolated, so that while its run waits on its own parallel work it never starts another loop (and a
    // second run) on its stack.
    tbb::task_group group;
    const auto take_runs = [&] {
      for (auto k = feed.next(stop.load()); k; k = feed.next(stop.load())) {
        const RunOutcome o = execute_one(*k, plan.runs[*k], plan, store, session, stop);
        feed.done(o);
        if (reports) report(o);
      }
    };
    for (int w = 1; w < jobs; ++w) group.run(take_runs);
    try {
      tbb::this_task_arena::isolate(take_runs);
    } catch (...) {
      group.wait();  // the other loops finish before the error leaves, as they did when every loop was a task
      throw;
    }
    group.wait();
  });
  feed.finish();
  quit_live = true;
  session.wake();
  if (live.joinable()) live.join();
  if (reports) session.rebuild_index_now();
  return summary;
}

void rebuild_index(const std::string& dir, const ExperimentPlan& plan, const Registry& registry,
                   const std::string& git_commit) {
  ResultStore store(dir);
  const auto runs = store.scan_runs(nullptr);
  h5::write_index(store.index_path(), info_of(plan, registry, git_commit), runs);
}

}  // namespace genlab
