#include "support/daemon_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

extern char** environ;

namespace gpufleet::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kListeningPrefix = "gpufleetd: listening on http://";
constexpr std::string_view kAdminTokenCreated = "gpufleetd: admin token created, shown this once";

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// Milliseconds left until `deadline`, for poll(): 0 once it has passed.
int MsLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

// Reads what `fd` has once it is readable or closed, waiting until `deadline`. Appends to
// `out`; false at end of file or on a timeout (`timed_out` says which).
bool ReadSome(int fd, Clock::time_point deadline, std::string& out, bool& timed_out) {
  timed_out = false;
  for (;;) {
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    const int ready = ::poll(&p, 1, MsLeft(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      timed_out = true;
      return false;
    }
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    out.append(buf, static_cast<size_t>(n));
    return true;
  }
}

std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "stopped (status " + std::to_string(status) + ")";
}

}  // namespace

DaemonProcess::DaemonProcess(pid_t pid, int stdout_fd, std::string stderr_path)
    : pid_(pid), stdout_fd_(stdout_fd), stderr_path_(std::move(stderr_path)) {}

DaemonProcess::~DaemonProcess() {
  Kill();
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

Result<std::unique_ptr<DaemonProcess>> DaemonProcess::Start(const DaemonOptions& options) {
  // Everything the child needs is built before fork: between fork and exec a child of a
  // multi-threaded process may only make async-signal-safe calls.
  const std::string program = std::string(GPUFLEET_BINARY_DIR) + "/gpufleetd";
  std::vector<std::string> args = {program};
  args.insert(args.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!options.tmpdir.empty() && std::string_view(*e).starts_with("TMPDIR=")) continue;
    env.emplace_back(*e);
  }
  if (!options.tmpdir.empty()) env.push_back("TMPDIR=" + options.tmpdir);
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  const int err_fd =
      ::open(options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (err_fd < 0) return Status::IOError(Errno("open '" + options.stderr_path + "'"));
  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ::close(err_fd);
    return Status::IOError(Errno("pipe2"));
  }

  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(err_fd);
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return Status::IOError(Errno("fork"));
  }
  if (pid == 0) {
    // dup2 clears FD_CLOEXEC on the copies, so only stdout and stderr survive the exec.
    if (::dup2(out_pipe[1], STDOUT_FILENO) < 0 || ::dup2(err_fd, STDERR_FILENO) < 0) _exit(127);
    ::execve(program.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  ::close(err_fd);
  ::close(out_pipe[1]);

  std::unique_ptr<DaemonProcess> daemon(new DaemonProcess(pid, out_pipe[0], options.stderr_path));
  for (size_t i = 0; i + 1 < options.args.size(); ++i) {
    if (options.args[i] == "--admin-token-file") daemon->admin_token_file_ = options.args[i + 1];
  }
  const Status ready = daemon->AwaitBanner(options.start_deadline);
  if (!ready.ok()) return ready;
  return daemon;
}

Status DaemonProcess::AwaitBanner(std::chrono::milliseconds deadline_after) {
  const Clock::time_point deadline = Clock::now() + deadline_after;
  std::string buffer;
  for (;;) {
    // Complete lines first: both banner lines may arrive in one read.
    for (size_t eol = buffer.find('\n'); eol != std::string::npos; eol = buffer.find('\n')) {
      const std::string line = buffer.substr(0, eol);
      buffer.erase(0, eol + 1);
      banner_ += line + '\n';
      if (line.starts_with(kListeningPrefix)) {
        const long port = std::strtol(line.c_str() + line.rfind(':') + 1, nullptr, 10);
        if (port > 0 && port <= 65535) port_ = static_cast<uint16_t>(port);
      } else if (line.starts_with(kAdminTokenCreated)) {
        admin_token_ = line.substr(line.rfind(' ') + 1);
      }
    }
    // "listening on" is the daemon's last line. A daemon on a store that already has its
    // admin token never shows it again: the token is then the one in --admin-token-file.
    if (port_ != 0) {
      if (admin_token_.empty() && !admin_token_file_.empty()) {
        std::ifstream in(admin_token_file_);
        std::getline(in, admin_token_);
      }
      return Status::Ok();
    }

    bool timed_out = false;
    if (!ReadSome(stdout_fd_, deadline, buffer, timed_out)) {
      const std::string why = timed_out ? "printed no \"listening on\" line within " +
                                              std::to_string(deadline_after.count()) + " ms"
                                        : "closed its stdout before serving";
      Kill();
      return Status::IOError("gpufleetd " + why + "; stdout:\n" + banner_ + buffer +
                             "\nstderr (tail):\n" + StderrTail());
    }
  }
}

void DaemonProcess::Kill() {
  if (pid_ < 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

Result<int> DaemonProcess::Stop(std::chrono::milliseconds deadline_after) {
  if (pid_ < 0) return Status::IOError("gpufleetd is not running");
  if (::kill(pid_, SIGTERM) != 0) return Status::IOError(Errno("kill(SIGTERM)"));
  // The pipe reaches end of file when the process exits (it closes its stdout then), so
  // poll() on it waits for the exit with a deadline.
  const Clock::time_point deadline = Clock::now() + deadline_after;
  std::string rest;
  bool timed_out = false;
  while (ReadSome(stdout_fd_, deadline, rest, timed_out)) {
  }
  if (timed_out) {
    Kill();
    return Status::IOError("gpufleetd did not exit within " +
                           std::to_string(deadline_after.count()) + " ms of SIGTERM");
  }
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (!WIFEXITED(status)) {
    return Status::IOError("gpufleetd " + DescribeExit(status) + " after SIGTERM");
  }
  return WEXITSTATUS(status);
}

std::string DaemonProcess::StderrTail(size_t max_bytes) const {
  std::ifstream in(stderr_path_, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  const std::string all = s.str();
  return all.size() <= max_bytes ? all : all.substr(all.size() - max_bytes);
}

}  // namespace gpufleet::testing
