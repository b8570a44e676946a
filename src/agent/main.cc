// gpufleet-agent: reports the accelerators a node really holds to gpufleetd (docs/agent.md).
// Thin: flags here, the work in the gpufleet_agent library.

#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "gpufleet/agent/agent_loop.h"
#include "gpufleet/agent/device_provider.h"
#include "gpufleet/agent/exit_codes.h"
#include "gpufleet/agent/report_sender.h"
#include "gpufleet/codec/node_report_json.h"
#include "gpufleet/log/log.h"

#ifndef GPUFLEET_VERSION
#define GPUFLEET_VERSION "dev"
#endif

namespace gpufleet::agent {
namespace {

struct Flags {
  std::string url = "http://127.0.0.1:8080";
  std::string node;
  std::string token;
  int interval_s = 30;
  std::string provider = "nvml";
  std::string devices;
  std::string nvml_library = std::string(kNvmlLibraryName);
  bool once = false;
  bool json = false;
  std::string log_level = "info";
};

int Fail(const Status& status) {
  std::fprintf(stderr, "gpufleet-agent: %s\n", status.message().c_str());
  return ExitCodeFor(status.code());
}

// Flags that parse but do not go together: "" when they do.
std::string FlagMistake(const Flags& flags) {
  if (flags.json && !flags.once) return "--json prints one observation: use it with --once";
  if (flags.provider == "file" && flags.devices.empty()) {
    return "--provider file needs --devices FILE";
  }
  if (flags.provider != "file" && !flags.devices.empty()) {
    return "--devices is for --provider file only";
  }
  if (!flags.json && flags.node.empty()) return "--node is required to report";
  return "";
}

Result<std::unique_ptr<DeviceProvider>> MakeProvider(const Flags& flags) {
  if (flags.provider == "file") return MakeFileProvider(flags.devices);
  return MakeNvmlProvider(flags.nvml_library);
}

// Blocks SIGINT and SIGTERM in every thread and turns them into stop.Stop() on a thread of
// their own (sigwait), so that no handler runs inside the loop, the HTTP client or NVML.
class SignalStopper {
 public:
  explicit SignalStopper(StopSignal& stop) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this, &stop] {
      int signal = 0;
      sigwait(&set_, &signal);
      stop.Stop();
    });
  }
  SignalStopper(const SignalStopper&) = delete;
  SignalStopper& operator=(const SignalStopper&) = delete;
  // Ends the signal thread when the loop ended for another reason (a refused token).
  ~SignalStopper() {
    pthread_kill(thread_.native_handle(), SIGTERM);
    thread_.join();
  }

 private:
  sigset_t set_;
  std::thread thread_;
};

int Run(const Flags& flags) {
  if (Status s = log::Configure({.level = flags.log_level}); !s.ok()) return Fail(s);
  if (const std::string mistake = FlagMistake(flags); !mistake.empty()) {
    std::fprintf(stderr, "gpufleet-agent: %s (see --help)\n", mistake.c_str());
    return kExitUsage;
  }
  Result<std::unique_ptr<DeviceProvider>> provider = MakeProvider(flags);
  if (!provider.ok()) return Fail(provider.status());
  if (flags.once && flags.json) {
    Result<std::vector<ObservedDevice>> devices = (*provider)->Observe();
    if (!devices.ok()) return Fail(devices.status());
    const NodeReport report{.node = flags.node,
                            .agent_version = GPUFLEET_VERSION,
                            .provider = std::string((*provider)->name()),
                            .devices = std::move(*devices)};
    std::cout << codec::NodeReportToJson(report).dump(2) << "\n";
    return kExitOk;
  }
  Result<std::unique_ptr<ReportSender>> sender =
      MakeHttpReportSender({.url = flags.url, .token = flags.token});
  if (!sender.ok()) return Fail(sender.status());
  StopSignal stop;
  AgentLoop loop(**provider, **sender, stop,
                 {.node = flags.node,
                  .agent_version = GPUFLEET_VERSION,
                  .interval = std::chrono::seconds(flags.interval_s),
                  .jitter_seed = static_cast<uint64_t>(
                                     std::chrono::steady_clock::now().time_since_epoch().count()) ^
                                 std::hash<std::string>{}(flags.node)});
  if (flags.once) {
    Status outcome;
    (void)loop.RunOnce(&outcome);
    return outcome.ok() ? kExitOk : Fail(outcome);
  }
  Status result;
  {
    const SignalStopper stopper(stop);
    log::Write(log::Level::kInfo, "agent.start",
               {{"node", flags.node},
                {"provider", (*provider)->name()},
                {"interval_s", flags.interval_s}});
    result = loop.Run();
  }
  if (!result.ok()) return Fail(result);
  log::Write(log::Level::kInfo, "agent.stop",
             {{"changes_sent", loop.counts().changes_sent},
              {"heartbeats_sent", loop.counts().heartbeats_sent},
              {"failures", loop.counts().failures}});
  return kExitOk;
}

}  // namespace
}  // namespace gpufleet::agent

int main(int argc, char** argv) {
  using gpufleet::agent::kExitUsage;
  CLI::App app{"gpufleet-agent: reports the accelerators this node holds to gpufleetd",
               "gpufleet-agent"};
  gpufleet::agent::Flags flags;
  app.set_config("--config", "", "read flags from this file (TOML or INI: url = \"...\")");
  app.add_option("--url", flags.url, "gpufleetd's address")
      ->envname("GPUFLEET_URL")
      ->capture_default_str();
  app.add_option("--node", flags.node, "this node's name in the fleet (site/node)");
  app.add_option("--token", flags.token, "a node token bound to --node (or $GPUFLEET_TOKEN)")
      ->envname("GPUFLEET_TOKEN");
  app.add_option("--interval", flags.interval_s, "seconds between reports (heartbeats)")
      ->check(CLI::Range(1, 86'400))
      ->capture_default_str();
  app.add_option("--provider", flags.provider, "where devices are read: nvml or file")
      ->check(CLI::IsMember({"nvml", "file"}))
      ->capture_default_str();
  app.add_option("--devices", flags.devices, "the device file (YAML or JSON) of --provider file");
  app.add_option("--nvml-library", flags.nvml_library,
                 "the NVML library dlopen loads (a soname or a path)")
      ->capture_default_str();
  app.add_flag("--once", flags.once, "observe once, report once (or print, with --json), exit");
  app.add_flag("--json", flags.json, "with --once: print the report as JSON, send nothing");
  app.add_option("--log-level", flags.log_level, "debug, info, warn, error or off")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" that exit 0; anything else is a usage error.
    if (e.get_exit_code() == 0) return app.exit(e);
    (void)app.exit(e);
    return kExitUsage;
  }
  try {
    return gpufleet::agent::Run(flags);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gpufleet-agent: internal error: %s\n", e.what());
    return gpufleet::agent::kExitInternal;
  }
}
