// Running external commands from tests (kubectl, git, helm, the harness scripts).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace gitopsd::test {

struct command_result {
  int exit_code = -1;  // -1: could not start, killed by a signal or timed out
  std::string out;
  std::string err;
  bool ok() const { return exit_code == 0; }
};

struct command_options {
  std::string input;                          // written to the command's stdin
  std::map<std::string, std::string> env;     // added to (or replacing in) the environment
  std::vector<std::string> unset_env;         // removed from the environment
  std::chrono::seconds timeout{300};          // the command is killed after this
};

// Runs argv[0] (looked up on PATH) with the rest as arguments; captures stdout and stderr.
// Never throws for a failing command: the exit code says what happened.
command_result run(const std::vector<std::string>& argv, const command_options& options = {});

// A readable one-line form of a result, for failure messages.
std::string describe(const std::vector<std::string>& argv, const command_result& result);

}  // namespace gitopsd::test
