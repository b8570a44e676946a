#pragma once
// Runs the built `gpufleetd` executable as a child process, for end-to-end reliability tests
// that kill it (kill -9) or stop it (SIGTERM) the way an operator or a crash would.
//
// Start forks and execs GPUFLEET_BINARY_DIR/gpufleetd with its stdout on a pipe and waits,
// with poll() and a deadline (never a sleep), until the daemon prints its last banner line
//   gpufleetd: listening on http://127.0.0.1:PORT
// The admin token is the one the banner shows on a new store, else the content of the
// --admin-token-file among the arguments (a restart on the same store never shows it).
// Its stderr goes to a file (the scheduler's notes would otherwise interleave with the test's
// output); the error of a failed start quotes its tail.
//
// Thread safety: none; one thread owns a DaemonProcess.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gpufleet/status.h"

namespace gpufleet::testing {

struct DaemonOptions {
  // Arguments after the program name, e.g. {"--demo-gpus", "1024", "--port", "0"}.
  std::vector<std::string> args;
  // Where the daemon's stderr goes (truncated). Required.
  std::string stderr_path;
  // The daemon's TMPDIR (its demo fleet is written under it), so that a test's leftovers
  // stay in the test's own directory. "" = inherit.
  std::string tmpdir;
  // How long Start waits for the two lines. Default 60 s.
  std::chrono::milliseconds start_deadline{60000};
};

class DaemonProcess {
 public:
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;
  // Kills (SIGKILL) and reaps the daemon if it still runs.
  ~DaemonProcess();

  // Starts gpufleetd and returns once it serves. IOError when it cannot be started, exits
  // or stays silent past the deadline (the child is then killed and reaped).
  [[nodiscard]] static Result<std::unique_ptr<DaemonProcess>> Start(const DaemonOptions& options);

  // kill -9 and waitpid: the daemon gets no chance to clean up. No-op when already gone.
  void Kill();
  // SIGTERM, then waits up to `deadline` for the exit. The exit status (0 for a clean stop),
  // or IOError when it died of a signal or did not exit in time (it is then killed).
  [[nodiscard]] Result<int> Stop(std::chrono::milliseconds deadline);

  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  // "" when the banner showed none and no --admin-token-file was given.
  const std::string& admin_token() const { return admin_token_; }
  // What the daemon printed on stdout up to the "listening on" line.
  const std::string& banner() const { return banner_; }
  // The last `max_bytes` of its stderr so far.
  std::string StderrTail(size_t max_bytes = 4000) const;

 private:
  DaemonProcess(pid_t pid, int stdout_fd, std::string stderr_path);
  Status AwaitBanner(std::chrono::milliseconds deadline);

  pid_t pid_ = -1;  // -1 once reaped
  int stdout_fd_ = -1;
  std::string stderr_path_;
  uint16_t port_ = 0;
  std::string admin_token_file_;
  std::string admin_token_;
  std::string banner_;
};

}  // namespace gpufleet::testing
