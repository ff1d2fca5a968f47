#pragma once
// ResultStore: the on-disk layout of one experiment's results, and the coordination between processes
// that share it (shards, a resumed run, MPI ranks later). Coordination is per run: a run is claimed by
// creating claims/<id>.claim exclusively; a claim whose process is gone (same host) is stale and taken over.
//
//   <out>/<experiment>/experiment.h5     the index, rebuilt from the run files
//   <out>/<experiment>/runs/<id16>.h5    one file per run: the source of truth
//   <out>/<experiment>/checkpoints/<id16>.h5   the last checkpoint of a run not yet finished
//   <out>/<experiment>/claims/<id16>.claim
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "run_record.hpp"

namespace genlab {

class ResultStore {
 public:
  explicit ResultStore(std::string dir);

  const std::string& dir() const { return dir_; }
  std::string run_path(const std::string& id) const;
  std::string checkpoint_path(const std::string& id) const;
  std::string index_path() const { return dir_ + "/experiment.h5"; }

  /// Status of a finished run file ("ok", "failed", "interrupted"), or nullopt if there is none.
  /// An unreadable file is reported through `warning` and counts as absent (the run is redone).
  std::optional<std::string> finished_status(const std::string& id, std::string* warning) const;

  /// Writes runs/<id16>.h5 atomically (temporary file, then rename).
  void write_run_file(const RunRecord& r) const;

  /// Claims a run for this process. False when a live process holds it (its "host pid" in `holder`).
  bool claim(const std::string& id, std::string* holder);
  void release(const std::string& id);

  /// Removes temporary files and claims left by dead processes of this host.
  void remove_stale_temporaries();

  /// A run with a checkpoint and no run file: running now, or stopped before its end (resumable).
  struct Unfinished {
    std::string id16;    ///< the run id's first 16 characters, which name its files
    std::string holder;  ///< "HOST pid N" from its claim, or empty when nobody claims it
    bool running = false;  ///< claimed by a live process of this host, or by another host
  };
  /// The unfinished runs, by id. Reads only the claims and the checkpoint folder's listing.
  std::vector<Unfinished> unfinished_runs() const;
  /// Every readable run file, in sweep order (index, then id). Files that cannot be read are listed in
  /// `problems`. Reads only files that changed since the last call.
  std::vector<RunRecord> scan_runs(std::vector<std::string>* problems);

 private:
  std::string dir_;
  struct Cached {
    long long mtime_ns = 0;
    long long size = 0;
    RunRecord record;
  };
  std::map<std::string, Cached> cache_;
};

/// This host's name (for claims and run files).
std::string host_name();

}  // namespace genlab
