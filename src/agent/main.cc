// gpufleet-agent: reports the accelerators a node really holds to gpufleetd (docs/agent.md).
// Thin: flags here, the work in the gpufleet_agent library.

#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "gpufleet/agent/agent_loop.h"
#include "gpufleet/agent/device_provider.h"
#include "gpufleet/agent/echo_server.h"
#include "gpufleet/agent/exit_codes.h"
#include "gpufleet/agent/report_sender.h"
#include "gpufleet/codec/node_report_json.h"
#include "gpufleet/ledger/key_file.h"
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
  std::string echo_listen;  // HOST:PORT; "" = no echo
  std::string node_key;     // the node's signer key file (gpufleet ledger keygen)
  int echo_delay_ms = 0;
  bool attest = false;  // devices' attestation reports over the service's nonces
};

int Fail(const Status& status) {
  std::fprintf(stderr, "gpufleet-agent: %s\n", status.message().c_str());
  return ExitCodeFor(status.code());
}

// Flags that parse but do not go together: "" when they do.
std::string FlagMistake(const Flags& flags) {
  if (flags.json && !flags.once) return "--json prints one observation: use it with --once";
  if (flags.attest && flags.json) {
    return "--attest asks the service for a nonce: it does not go with --json";
  }
  if (flags.provider == "file" && flags.devices.empty()) {
    return "--provider file needs --devices FILE";
  }
  if (flags.provider != "file" && !flags.devices.empty()) {
    return "--devices is for --provider file only";
  }
  if (!flags.json && flags.node.empty()) return "--node is required to report";
  if (!flags.echo_listen.empty() && flags.node_key.empty()) {
    return "--echo-listen signs every echo: give the node's key with --node-key FILE";
  }
  if (!flags.echo_listen.empty() && flags.once) {
    return "--echo-listen answers landmarks while the agent runs: leave out --once";
  }
  if (flags.echo_delay_ms != 0 && flags.echo_listen.empty()) {
    return "--echo-delay-ms is for --echo-listen";
  }
  return "";
}

// "127.0.0.1:9000" -> host and port; the port may be 0 (any free port).
Result<EchoOptions> ParseEchoListen(const Flags& flags) {
  const size_t colon = flags.echo_listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    const std::string digits = flags.echo_listen.substr(colon + 1);
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) port = -1;
  }
  if (colon == std::string::npos || colon == 0 || port < 0 || port > 65'535) {
    return Status::InvalidArgument("--echo-listen '" + flags.echo_listen +
                                   "': expected HOST:PORT (127.0.0.1:9000)");
  }
  return EchoOptions{.host = flags.echo_listen.substr(0, colon),
                     .port = port,
                     .node = flags.node,
                     .delay = std::chrono::milliseconds(flags.echo_delay_ms)};
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
  // The node's key: its public half goes into every report (echo_key), the private half
  // signs echoes.
  std::optional<ledger::NoteSigner> node_key;
  if (!flags.node_key.empty()) {
    Result<ledger::NoteSigner> key = ledger::ReadSignerKeyFile(flags.node_key);
    if (!key.ok()) return Fail(key.status());
    node_key.emplace(std::move(*key));
  }
  const std::string echo_key = node_key ? node_key->verifier().ToString() : "";
  if (flags.once && flags.json) {
    Result<std::vector<ObservedDevice>> devices = (*provider)->Observe();
    if (!devices.ok()) return Fail(devices.status());
    const NodeReport report{.node = flags.node,
                            .agent_version = GPUFLEET_VERSION,
                            .provider = std::string((*provider)->name()),
                            .devices = std::move(*devices),
                            .echo_key = echo_key};
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
                  .echo_key = echo_key,
                  .interval = std::chrono::seconds(flags.interval_s),
                  .jitter_seed = static_cast<uint64_t>(
                                     std::chrono::steady_clock::now().time_since_epoch().count()) ^
                                 std::hash<std::string>{}(flags.node),
                  .attest = flags.attest});
  if (flags.once) {
    Status outcome;
    (void)loop.RunOnce(&outcome);
    return outcome.ok() ? kExitOk : Fail(outcome);
  }
  std::optional<EchoOptions> echo_options;
  if (!flags.echo_listen.empty()) {
    Result<EchoOptions> options = ParseEchoListen(flags);
    if (!options.ok()) {
      std::fprintf(stderr, "gpufleet-agent: %s (see --help)\n", options.status().message().c_str());
      return kExitUsage;
    }
    echo_options = std::move(*options);
  }
  Status result;
  {
    const SignalStopper stopper(stop);
    // Started after the stopper blocked SIGINT and SIGTERM, so that its threads inherit the
    // mask and a signal always reaches the stopper's sigwait.
    std::unique_ptr<EchoServer> echo;
    if (echo_options) {
      Result<std::unique_ptr<EchoServer>> started =
          EchoServer::Start(*echo_options, std::move(*node_key));
      if (!started.ok()) return Fail(started.status());
      echo = std::move(*started);
    }
    log::Write(log::Level::kInfo, "agent.start",
               {{"node", flags.node},
                {"provider", (*provider)->name()},
                {"interval_s", flags.interval_s}});
    result = loop.Run();
    if (echo) echo->Stop();
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
  app.add_flag("--attest", flags.attest,
               "attach each device's confidential-computing attestation report over a nonce "
               "from the service (NVML; devices without confidential computing give none)");
  app.add_flag("--json", flags.json, "with --once: print the report as JSON, send nothing");
  app.add_option("--echo-listen", flags.echo_listen,
                 "answer landmarks' echoes on HOST:PORT (docs/agent.md, \"Location evidence\")");
  app.add_option("--node-key", flags.node_key,
                 "the node's private key file (gpufleet ledger keygen), mode 0600: signs echoes; "
                 "its verifier key goes into every report as echo_key");
  app.add_option("--echo-delay-ms", flags.echo_delay_ms,
                 "wait this long before each echo (a test and diagnostic knob: delay can only "
                 "make the node seem farther)")
      ->check(CLI::Range(0, 10'000));
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
