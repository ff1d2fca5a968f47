#pragma once
// Running the real `genlab` executable from tests: fork/exec with output captured to a file.
#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace genlab::testing {

struct ProcessResult {
  int exit_code = -1;  ///< exit status, or 128 + signal number
  std::string output;  ///< stdout and stderr, interleaved
};

/// Starts argv[0] with extra environment variables, in `cwd`, output to `log_path`. Returns the pid.
pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env, const std::string& cwd,
            const std::string& log_path);
/// Waits for pid; returns exit status or 128 + signal.
int wait_for(pid_t pid);
/// spawn + wait + read the output.
ProcessResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                  const std::string& cwd);
std::string read_text(const std::string& path);

}  // namespace genlab::testing
