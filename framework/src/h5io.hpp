#pragma once
// HDF5 reading and writing; the only file that calls HDF5. Every call is made under one process-wide
// mutex (Debian's HDF5 is built thread-safe, but its high-level and C++ APIs are not, and one writer is
// simplest to reason about). Every file is written as NAME.tmp.PID, closed, then renamed over NAME:
// a reader, or a process killed at any moment, never sees a half-written file.
#include <string>
#include <vector>

#include "run_record.hpp"

namespace genlab::h5 {

void write_run(const std::string& path, const RunRecord& r);
/// Reads a run file; with `full` false, only attributes and final metrics (no series/arrays).
/// Throws IoError naming the file if it is unreadable or not a genlab run file.
RunRecord read_run(const std::string& path, bool full);
void write_checkpoint(const std::string& path, const CheckpointRecord& c);
/// Reads a checkpoint; with `full` false, only its run id, step, log, series and finals (not the parameter
/// and optimizer state nor the arrays: a progress report on a 19M-parameter run reads kilobytes).
CheckpointRecord read_checkpoint(const std::string& path, bool full = true);
void write_index(const std::string& path, const ExperimentInfo& info, const std::vector<RunRecord>& runs);

}  // namespace genlab::h5
