#include "result_store.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "genlab/error.hpp"
#include "h5io.hpp"

namespace genlab {
namespace fs = std::filesystem;

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown-host";
  return buf;
}

namespace {

bool process_alive(long pid) {
  return pid > 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

void make_dirs(const std::string& d) {
  std::error_code ec;
  fs::create_directories(d, ec);
  if (ec) throw IoError(d + ": cannot create results directory: " + ec.message());
}

// A claim file holds "host pid\n", written by the process running the run.
struct ClaimHolder {
  std::string host;
  long pid = 0;
  std::string describe() const { return host + " pid " + std::to_string(pid); }
  // Alive unless it is on this host and its process is gone (another host's process cannot be checked).
  bool alive() const { return host != host_name() || process_alive(pid); }
};

// Nothing when the file is missing or not (yet) complete: a claim may be being written this very moment.
std::optional<ClaimHolder> read_claim(const std::string& path) {
  std::ifstream in(path);
  ClaimHolder h;
  if (!(in >> h.host >> h.pid)) return std::nullopt;
  return h;
}

std::string claim_path(const std::string& dir, const std::string& id) {
  return dir + "/claims/" + id.substr(0, 16) + ".claim";
}

}  // namespace

ResultStore::ResultStore(std::string dir) : dir_(std::move(dir)) {
  make_dirs(dir_ + "/runs");
  make_dirs(dir_ + "/claims");
  make_dirs(dir_ + "/checkpoints");
}

std::string ResultStore::checkpoint_path(const std::string& id) const {
  return dir_ + "/checkpoints/" + id.substr(0, 16) + ".h5";
}

std::string ResultStore::run_path(const std::string& id) const {
  return dir_ + "/runs/" + id.substr(0, 16) + ".h5";
}

std::optional<std::string> ResultStore::finished_status(const std::string& id, std::string* warning) const {
  const std::string p = run_path(id);
  std::error_code ec;
  if (!fs::exists(p, ec)) return std::nullopt;
  try {
    RunRecord r = h5::read_run(p, false);
    if (r.id != id) {
      if (warning) *warning = p + ": holds run " + r.id + ", expected " + id + "; the run is redone";
      return std::nullopt;
    }
    return r.status;
  } catch (const Error& e) {
    if (warning) *warning = std::string(e.what()) + "; the run is redone";
    return std::nullopt;
  }
}

void ResultStore::write_run_file(const RunRecord& r) const {
  h5::write_run(run_path(r.id), r);
}

bool ResultStore::claim(const std::string& id, std::string* holder) {
  const std::string p = claim_path(dir_, id);
  const std::string me = host_name() + " " + std::to_string(getpid()) + "\n";
  for (int attempt = 0; attempt < 2; ++attempt) {
    const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd >= 0) {
      const ssize_t w = ::write(fd, me.data(), me.size());
      ::close(fd);
      if (w != static_cast<ssize_t>(me.size())) throw IoError(p + ": cannot write claim file");
      return true;
    }
    if (errno != EEXIST) throw IoError(p + ": cannot create claim file: " + std::strerror(errno));
    const auto h = read_claim(p);
    if (!h) {  // being written this very moment: held
      if (holder) *holder = "another process (claim being written)";
      return false;
    }
    if (holder) *holder = h->describe();
    if (h->alive()) return false;
    // Stale: its process died (kill -9, crash). Remove it and retry the exclusive create once;
    // if two resumers race, only one create succeeds.
    ::unlink(p.c_str());
  }
  return false;
}

void ResultStore::release(const std::string& id) {
  ::unlink(claim_path(dir_, id).c_str());
}

std::vector<ResultStore::Unfinished> ResultStore::unfinished_runs() const {
  std::vector<Unfinished> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_ + "/checkpoints", ec)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".h5" || name.find(".tmp.") != std::string::npos) continue;
    Unfinished u;
    u.id16 = e.path().stem().string();
    // A run file next to the checkpoint: finished, its checkpoint about to go, unless the run was
    // interrupted (its checkpoint stays, and the same command resumes from it).
    if (fs::exists(run_path(u.id16), ec)) {
      bool interrupted = false;
      try {
        interrupted = h5::read_run(run_path(u.id16), false).status == "interrupted";
      } catch (const Error&) {
      }
      if (!interrupted) continue;
    }
    if (const auto h = read_claim(claim_path(dir_, u.id16))) {
      u.holder = h->describe();
      u.running = h->alive();
    }
    out.push_back(std::move(u));
  }
  std::sort(out.begin(), out.end(), [](const Unfinished& a, const Unfinished& b) { return a.id16 < b.id16; });
  return out;
}

void ResultStore::remove_stale_temporaries() {
  std::error_code ec;
  // Claims of processes that died on this host (the run itself is redone or was already finished).
  for (const auto& e : fs::directory_iterator(dir_ + "/claims", ec)) {
    const auto h = read_claim(e.path().string());
    if (h && !h->alive()) fs::remove(e.path(), ec);
  }
  for (const std::string& sub : {dir_, dir_ + "/runs", dir_ + "/checkpoints"}) {
    for (const auto& e : fs::directory_iterator(sub, ec)) {
      const std::string name = e.path().filename().string();
      const auto pos = name.rfind(".tmp.");
      if (pos == std::string::npos) continue;
      const long pid = std::atol(name.c_str() + pos + 5);
      if (!process_alive(pid)) fs::remove(e.path(), ec);
    }
  }
}

std::vector<RunRecord> ResultStore::scan_runs(std::vector<std::string>* problems) {
  std::error_code ec;
  std::map<std::string, Cached> fresh;
  for (const auto& e : fs::directory_iterator(dir_ + "/runs", ec)) {
    const std::string p = e.path().string();
    if (e.path().extension() != ".h5") continue;
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) continue;
    const long long mtime = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    auto it = cache_.find(p);
    if (it != cache_.end() && it->second.mtime_ns == mtime && it->second.size == st.st_size) {
      fresh[p] = std::move(it->second);
      continue;
    }
    try {
      fresh[p] = Cached{mtime, static_cast<long long>(st.st_size), h5::read_run(p, false)};
    } catch (const Error& err) {
      if (problems) problems->push_back(err.what());
    }
  }
  cache_ = std::move(fresh);
  std::vector<RunRecord> out;
  for (const auto& [p, c] : cache_) out.push_back(c.record);
  std::sort(out.begin(), out.end(), [](const RunRecord& a, const RunRecord& b) {
    return a.index != b.index ? a.index < b.index : a.id < b.id;
  });
  return out;
}

}  // namespace genlab
