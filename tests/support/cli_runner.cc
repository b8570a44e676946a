#include "support/cli_runner.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace gpufleet::testing {

namespace {

// `prefix` runs before the program (e.g. a time limit).
CliResult RunProgram(const std::string& prefix, const std::string& program,
                     const std::string& args) {
  const std::string dir = FreshDir("cli_run");
  const std::string out = dir + "/stdout", err = dir + "/stderr";
  const std::string cmd = prefix + std::string(GPUFLEET_BINARY_DIR) + "/" + program + " " + args +
                          " >" + out + " 2>" + err + " </dev/null";
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  return r;
}

}  // namespace

CliResult RunGpufleet(const std::string& args) { return RunProgram("", "gpufleet", args); }

// A daemon that starts serving instead of refusing its command line is stopped by `timeout`
// (exit 124), so a test fails rather than hangs.
CliResult RunGpufleetd(const std::string& args) {
  return RunProgram("timeout 60 ", "gpufleetd", args);
}

CliResult RunGpufleetAgent(const std::string& args, const std::string& env) {
  return RunProgram((env.empty() ? "" : "env " + env + " ") + "timeout 60 ", "gpufleet-agent",
                    args);
}

CliResult RunAgentLoad(const std::string& args) {
  return RunProgram("timeout 120 ", "gpufleet_agent_load", args);
}

std::string FreshDir(const std::string& name) {
  static int counter = 0;
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("gpufleet_test_" + std::to_string(::getpid()) +
                                                "_" + name + "_" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace gpufleet::testing
