#pragma once
// Runs the built `gpufleet` executable the way a user would, for end-to-end tests.

#include <string>

namespace gpufleet::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `gpufleet <args>` (args are passed through the shell as written).
CliResult RunGpufleet(const std::string& args);
// Runs `gpufleetd <args>` the same way, for what it does before it serves (its command line,
// its inputs); one still running after 60 s is stopped and reads as exit 124.
CliResult RunGpufleetd(const std::string& args);

// Runs `gpufleet-agent <args>` the same way, after `env` (shell assignments such as
// "LD_LIBRARY_PATH=/x FAKE_NVML_CONFIG=/y"); one still running after 60 s reads as exit 124.
CliResult RunGpufleetAgent(const std::string& args, const std::string& env = "");
// Runs `gpufleet_agent_load <args>` (bench/agent_load) the same way; one still running after
// 120 s reads as exit 124.
CliResult RunAgentLoad(const std::string& args);
// A fresh, empty directory under the test temp dir.
std::string FreshDir(const std::string& name);

std::string ReadFile(const std::string& path);

}  // namespace gpufleet::testing
