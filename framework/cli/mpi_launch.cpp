#include "mpi_launch.hpp"

#include <cstdlib>
#include <thread>

#include "genlab/error.hpp"

#ifdef GENLAB_WITH_MPI
#define OMPI_SKIP_MPICXX 1  // the C API only: Open MPI's and MPICH's deprecated C++ bindings are not linked
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <sstream>

#include "sha256.hpp"
#endif

namespace genlab {

MpiEnvironment mpi_environment() {
  // Open MPI's mpirun, MPICH / Intel MPI's Hydra, and srun with PMI / PMIx each export the job size.
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"})
    if (const char* s = std::getenv(v)) {
      const int n = std::atoi(s);
      if (n >= 1) return {n, v};
    }
  return {};
}

#ifndef GENLAB_WITH_MPI

bool built_with_mpi() { return false; }

std::string mpi_build_info() {
  return "not built in (no MPI library at build time: install libopenmpi-dev and rebuild; --shard I/N works "
         "without it)";
}

RunSummary run_plan_mpi(const ExperimentPlan&, const Registry&, RunOptions, std::atomic<bool>&, int&) {
  throw Error("this genlab was built without MPI (" + mpi_build_info() + ")");
}

#else

namespace {

constexpr int kRequest = 1, kAssign = 2, kDone = 3, kBye = 4;

// Waiting for messages by polling: MPI's blocking calls spin a core, and each poll progresses every
// transport (Open MPI's TCP one included), which costs tens of microseconds. So the gap between polls grows
// while nothing comes (50 us to 5 ms) and drops back at the next message: a run waits at most ~5 ms for its
// assignment, and an idle coordinator costs a few hundred polls a second.
class Backoff {
 public:
  void idle() {
    std::this_thread::sleep_for(gap_);
    gap_ = std::min(gap_ * 2, std::chrono::microseconds(5000));
  }
  void reset() { gap_ = std::chrono::microseconds(50); }

 private:
  std::chrono::microseconds gap_{50};
};

// A run's outcome on the wire: "index\nstatus\nseconds\ndetail".
std::string encode(const RunOutcome& o) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.17g", o.seconds);
  return std::to_string(o.index) + "\n" + o.status + "\n" + seconds + "\n" + o.detail;
}

RunOutcome decode(const std::string& s) {
  RunOutcome o;
  std::istringstream in(s);
  std::string index, seconds;
  std::getline(in, index);
  std::getline(in, o.status);
  std::getline(in, seconds);
  std::getline(in, o.detail, '\0');
  o.index = std::stoull(index);
  o.seconds = std::stod(seconds);
  return o;
}

// Rank 0: its own workers take runs from the queue directly; a thread of its own (the only one that calls
// MPI on this rank) answers the other ranks' requests from the same queue and reports their outcomes.
class Coordinator final : public RunFeed {
 public:
  Coordinator(int size, const std::atomic<bool>& stop) : size_(size), stop_(stop) {}
  ~Coordinator() override {
    if (comm_.joinable()) comm_.join();
  }

  void start(const std::vector<std::size_t>& pending, std::function<void(const RunOutcome&)> report) override {
    queue_.assign(pending.begin(), pending.end());
    total_ = pending.size();
    report_ = std::move(report);
    comm_ = std::thread([this] { serve(); });
  }
  std::optional<std::size_t> next(bool stopping) override { return take(stopping); }
  void done(const RunOutcome&) override {}
  void finish() override {
    if (comm_.joinable()) comm_.join();
  }
  bool reports() const override { return true; }
  std::size_t total() const override { return total_; }

 private:
  std::optional<std::size_t> take(bool stopping) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping || queue_.empty()) return std::nullopt;
    const std::size_t k = queue_.front();
    queue_.pop_front();
    return k;
  }

  // Until every other rank has said it is through: hand out runs, report the outcomes that come back.
  void serve() {
    int through = 0;
    Backoff wait;
    while (through < size_ - 1) {
      int flag = 0;
      MPI_Status st;
      MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
      if (!flag) {
        wait.idle();
        continue;
      }
      wait.reset();
      int count = 0;
      MPI_Get_count(&st, MPI_CHAR, &count);
      std::string body(static_cast<std::size_t>(count), '\0');
      MPI_Recv(body.data(), count, MPI_CHAR, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (st.MPI_TAG == kRequest) {
        const auto k = take(stop_.load());
        const long long answer = k ? static_cast<long long>(*k) : -1;
        MPI_Send(&answer, 1, MPI_LONG_LONG, st.MPI_SOURCE, kAssign, MPI_COMM_WORLD);
      } else if (st.MPI_TAG == kDone) {
        report_(decode(body));
      } else if (st.MPI_TAG == kBye) {
        ++through;
      }
    }
  }

  int size_;
  const std::atomic<bool>& stop_;
  std::mutex mutex_;
  std::deque<std::size_t> queue_;
  std::size_t total_ = 0;
  std::function<void(const RunOutcome&)> report_;
  std::thread comm_;
};

// Ranks 1..K-1: each worker thread asks rank 0 for its next run (MPI calls serialized by a mutex).
class Worker final : public RunFeed {
 public:
  void start(const std::vector<std::size_t>&, std::function<void(const RunOutcome&)>) override {}
  std::optional<std::size_t> next(bool stopping) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping || exhausted_) return std::nullopt;
    MPI_Send(nullptr, 0, MPI_CHAR, 0, kRequest, MPI_COMM_WORLD);
    Backoff wait;
    for (int flag = 0; !flag;) {
      MPI_Iprobe(0, kAssign, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
      if (!flag) wait.idle();
    }
    long long k = -1;
    MPI_Recv(&k, 1, MPI_LONG_LONG, 0, kAssign, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (k < 0) {
      exhausted_ = true;
      return std::nullopt;
    }
    return static_cast<std::size_t>(k);
  }
  void done(const RunOutcome& o) override {
    const std::string body = encode(o);
    std::lock_guard<std::mutex> lock(mutex_);
    MPI_Send(body.data(), static_cast<int>(body.size()), MPI_CHAR, 0, kDone, MPI_COMM_WORLD);
  }
  void finish() override {
    std::lock_guard<std::mutex> lock(mutex_);
    MPI_Send(nullptr, 0, MPI_CHAR, 0, kBye, MPI_COMM_WORLD);
  }
  bool reports() const override { return false; }
  std::size_t total() const override { return 0; }

 private:
  std::mutex mutex_;
  bool exhausted_ = false;
};

// Every rank must have expanded the same sweep: rank 0's fingerprint of the run ids, compared everywhere.
void check_same_plan(const ExperimentPlan& plan, int rank) {
  std::string ids;
  for (const auto& r : plan.runs) ids += r.id;
  std::string mine = sha256_hex(ids), root = mine;
  MPI_Bcast(root.data(), static_cast<int>(root.size()), MPI_CHAR, 0, MPI_COMM_WORLD);
  if (root != mine) {
    std::fprintf(stderr,
                 "genlab: error: rank %d expanded a different sweep than rank 0 (%zu runs, fingerprint %.12s vs "
                 "%.12s): same genlab, plugins, experiment file and --set on every rank?\n",
                 rank, plan.runs.size(), mine.c_str(), root.c_str());
    MPI_Abort(MPI_COMM_WORLD, 65);
  }
}

// Threads per rank when --jobs is not given: the cores shared among the ranks on this node.
int default_jobs() {
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
  int local = 1;
  MPI_Comm_size(node, &local);
  MPI_Comm_free(&node);
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / local);
}

}  // namespace

bool built_with_mpi() { return true; }

std::string mpi_build_info() {
  char version[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(version, &len);
  std::string v(version, static_cast<std::size_t>(len));
  if (const auto cut = v.find_first_of(",\n"); cut != std::string::npos) v.resize(cut);
  return v + " (mpirun -n K genlab run ...)";
}

RunSummary run_plan_mpi(const ExperimentPlan& plan, const Registry& registry, RunOptions opt,
                        std::atomic<bool>& stop, int& rank) {
  // Open MPI's memory patcher hooks every munmap/brk of the process (for RDMA registration caches genlab
  // never needs: its messages are a few hundred bytes); with runs that allocate and free big buffers it
  // cost 25% of throughput here. Off unless the user chose otherwise.
  setenv("OMPI_MCA_memory", "^patcher", 0);
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
  if (provided < MPI_THREAD_SERIALIZED) {
    MPI_Finalize();
    throw Error("the MPI library does not offer MPI_THREAD_SERIALIZED (genlab's rank 0 answers from a thread)");
  }
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  check_same_plan(plan, rank);
  if (opt.jobs <= 0) opt.jobs = default_jobs();
  opt.live = false;  // the live line would show rank 0's own runs only: plain lines, one per run, instead
  RunSummary summary;
  // The feed outlives the try: on an error MPI_Abort ends the process before the coordinator's destructor
  // could wait for ranks that will never say they are through.
  std::unique_ptr<RunFeed> feed;
  if (rank == 0)
    feed = std::make_unique<Coordinator>(size, stop);
  else
    feed = std::make_unique<Worker>();
  opt.feed = feed.get();
  try {
    summary = run_plan(plan, registry, opt, stop);
  } catch (const std::exception& e) {
    // A rank that cannot go on (its results folder unwritable, a dataset missing) takes the job down: the
    // others would wait for it forever.
    std::fprintf(stderr, "genlab: error: rank %d: %s\n", rank, e.what());
    MPI_Abort(MPI_COMM_WORLD, 65);
  }
  MPI_Finalize();
  return summary;
}

#endif

}  // namespace genlab
