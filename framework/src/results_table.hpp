#pragma once
// Renders results read back from run files (never from memory), for `genlab show` and the end of `run`.
#include <ostream>
#include <string>
#include <vector>

#include "run_record.hpp"

namespace genlab {

/// Reads every run file under DIR/runs, in sweep order. Unreadable files go to `problems`.
std::vector<RunRecord> read_results(const std::string& dir, std::vector<std::string>* problems);
/// The runs table: index, id, status, swept parameters, final metrics, duration; failed runs' errors below.
void print_runs_table(const std::vector<RunRecord>& runs, std::ostream& out);
/// The runs not finished yet (a checkpoint, no run file): who holds each, its last checkpoint's step and
/// age, and the last value of each of its series. Prints nothing when every run has finished; checkpoints
/// that cannot be read go to `problems`.
void print_unfinished_runs(const std::string& dir, std::ostream& out, std::vector<std::string>* problems);
/// "7.3% done in 6.2 h; 79 h more at that rate" for a checkpoint that records its progress ("" if it does
/// not); a resumed attempt of at least a minute is projected at its own rate, the average beside it.
std::string describe_progress(const CheckpointRecord& c);
/// The file of the run whose id starts with `id_prefix` under DIR/runs. Throws Error if none or several.
std::string find_run_file(const std::string& dir, const std::string& id_prefix);
/// Everything about one run (id or a unique prefix of it); for a run not finished yet, what its last
/// checkpoint holds. Throws Error if not found or ambiguous.
void print_run_details(const std::string& dir, const std::string& id_prefix, std::ostream& out);
/// Only the run's log (its notes, one per line) and, for a run that did not end ok, its error.
void print_run_log(const std::string& dir, const std::string& id_prefix, std::ostream& out);

}  // namespace genlab
