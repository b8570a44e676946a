#include "support/signed_daemon.h"

#include "support/cli_runner.h"

namespace gpufleet::testing {

Result<std::string> MakeLedgerKey(const std::string& path, const std::string& origin) {
  const CliResult key = RunGpufleet("ledger keygen --out " + path + " --name " + origin);
  if (key.exit_code != 0) return Status::IOError("ledger keygen: " + key.err);
  return key.out.substr(0, key.out.find('\n'));
}

Result<SignedDaemon> StartSignedDaemon(const std::string& dir, const std::string& name,
                                       const std::string& key_file,
                                       const std::vector<std::string>& inputs) {
  SignedDaemon out;
  out.store = dir + "/" + name + ".db";
  out.key_file = key_file;
  DaemonOptions options;
  options.args = {"--store",
                  out.store,
                  "--port",
                  "0",
                  "--no-scheduler",
                  "--admin-token-file",
                  dir + "/" + name + ".token",
                  "--ledger-key",
                  key_file};
  options.args.insert(options.args.end(), inputs.begin(), inputs.end());
  options.stderr_path = dir + "/" + name + ".stderr";
  options.tmpdir = dir;
  Result<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(options);
  if (!daemon.ok()) return daemon.status();
  out.daemon = std::move(*daemon);
  out.client_flags = " --url http://127.0.0.1:" + std::to_string(out.daemon->port()) + " --token " +
                     out.daemon->admin_token();
  return out;
}

std::string ExampleFleet() {
  std::string path = GPUFLEET_SOURCE_DIR;
  path += "/examples/fleet.yaml";
  return path;
}

}  // namespace gpufleet::testing
