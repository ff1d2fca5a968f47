#pragma once
// One sweep across the ranks of an MPI job: `mpirun -n K genlab run EXP.yaml`. Every rank expands the same
// sweep (checked: rank 0 broadcasts a fingerprint of the run ids); rank 0 hands the runs out one at a time
// to whichever worker thread of whichever rank asks (runs differ in length: a static split would leave
// ranks idle), runs some itself, prints every run's line and keeps the experiment index current. Each rank
// runs its runs on its own oneTBB arena of --jobs threads and writes each run's own file (claimed first,
// as between shards), so no two processes ever write one file.
#include <atomic>
#include <string>

#include "registry.hpp"
#include "runner.hpp"

namespace genlab {

/// The MPI job this process belongs to, as its launcher's environment says (Open MPI, MPICH / Hydra,
/// Slurm's PMI): size 1 when it was not started by one.
struct MpiEnvironment {
  int size = 1;
  std::string variable;  ///< which variable said so (for messages)
};
MpiEnvironment mpi_environment();

/// "Open MPI v4.1.4 ..." when genlab was built with MPI, else a line saying it was not and why.
std::string mpi_build_info();
bool built_with_mpi();

/// Runs the plan as one rank of the MPI job (MPI_Init to MPI_Finalize). On rank 0 the summary covers the
/// whole sweep; on other ranks `rank` is set and the summary is empty. Throws Error when built without MPI.
RunSummary run_plan_mpi(const ExperimentPlan& plan, const Registry& registry, RunOptions opt,
                        std::atomic<bool>& stop, int& rank);

}  // namespace genlab
