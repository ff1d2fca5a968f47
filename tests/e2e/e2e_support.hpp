#pragma once
// What the end-to-end tests share: a scratch folder per test that runs the real `genlab` with the test
// plugins, run-file listing, bitwise comparison of two results folders, the h5py read-back.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "process.hpp"

namespace genlab::testing {

namespace fs = std::filesystem;


struct Sandbox {
  fs::path dir;
  explicit Sandbox(const std::string& name) {
    dir = fs::temp_directory_path() / ("genlab_e2e_" + name + "_" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Sandbox() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  }
  std::vector<std::string> cmd(std::vector<std::string> args) const {
    args.insert(args.begin(), GENLAB_BINARY);
    args.push_back("--plugin-path");
    args.push_back(GENLAB_TEST_PLUGIN_DIR);
    return args;
  }
  ProcessResult genlab(std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) const {
    return run(cmd(std::move(args)), env, dir.string());
  }
  fs::path results(const std::string& exp) const { return dir / "results" / exp; }
};

/// The run files of a results folder, sorted by name.
std::vector<fs::path> run_files(const fs::path& results);
/// Fields that may differ between identical runs: names holding "time", or ending in "_ns".
bool is_timing(const std::string& name);
/// Everything but timing fields must be identical between two results folders (bitwise).
void require_same_results(const fs::path& a, const fs::path& b, bool compare_log = true);
/// tests/e2e/check_results.py reads the folder with h5py and finds `expected` runs.
void require_h5py_check(const fs::path& results, int expected, bool allow_failed = false);
/// A sweep of `runs` probe runs of 5 steps, `sleep_ms` each.
std::string probe_sweep(int sleep_ms, int runs);

template <class Pred>
bool wait_until(Pred pred, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace genlab::testing
