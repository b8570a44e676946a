#include "support/raw_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>

namespace gpufleet::testing {
namespace {

using Clock = std::chrono::steady_clock;

int MsLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(std::min<int64_t>(left.count(), 1 << 30));
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

Result<std::unique_ptr<RawConnection>> RawConnection::Open(uint16_t port, int send_buffer_bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Status::IOError(std::string("socket: ") + std::strerror(errno));
  if (send_buffer_bytes > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send_buffer_bytes, sizeof(send_buffer_bytes));
  }
  const int yes = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    const std::string error = std::strerror(errno);
    ::close(fd);
    return Status::IOError("connect to port " + std::to_string(port) + ": " + error);
  }
  return std::unique_ptr<RawConnection>(new RawConnection(fd));
}

RawConnection::~RawConnection() { ::close(fd_); }

bool RawConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool RawConnection::Fill(Clock::time_point deadline) {
  pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
  const int ready = ::poll(&p, 1, MsLeft(deadline));
  if (ready <= 0) return false;
  char buf[16384];
  const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
  if (n <= 0) return false;
  in_.append(buf, static_cast<size_t>(n));
  return true;
}

std::optional<RawResponse> RawConnection::ReadResponse(Clock::time_point deadline) {
  size_t head_end;
  while ((head_end = in_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill(deadline)) return std::nullopt;
  }
  RawResponse response;
  std::istringstream head(in_.substr(0, head_end));
  std::string line;
  std::getline(head, line);
  if (line.size() < 12 || !line.starts_with("HTTP/1.")) return std::nullopt;
  response.status = std::atoi(line.c_str() + 9);
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const size_t value = line.find_first_not_of(' ', colon + 1);
    response.headers[Lower(line.substr(0, colon))] =
        value == std::string::npos ? "" : line.substr(value);
  }
  const auto length = response.headers.find("content-length");
  const size_t body_size =
      length == response.headers.end() ? 0 : std::strtoull(length->second.c_str(), nullptr, 10);
  while (in_.size() < head_end + 4 + body_size) {
    if (!Fill(deadline)) return std::nullopt;
  }
  response.body = in_.substr(head_end + 4, body_size);
  in_.erase(0, head_end + 4 + body_size);
  return response;
}

bool RawConnection::WaitClosed(Clock::time_point deadline) {
  for (;;) {
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, MsLeft(deadline)) <= 0) return false;
    char buf[16384];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return true;
  }
}

std::string RequestHead(std::string_view method, std::string_view target,
                        const std::vector<std::string>& fields) {
  std::string head = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\n";
  head += "Host: 127.0.0.1\r\n";
  for (const std::string& field : fields) head += field + "\r\n";
  return head + "\r\n";
}

std::set<std::string> MetricSeries(const std::string& metrics_text) {
  std::set<std::string> series;
  std::istringstream lines(metrics_text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() == '#') continue;
    series.insert(line.substr(0, line.rfind(' ')));
  }
  return series;
}

double MetricValue(const std::string& metrics_text, const std::string& series) {
  std::istringstream lines(metrics_text);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > series.size() && line.starts_with(series) && line[series.size()] == ' ') {
      return std::strtod(line.c_str() + series.size() + 1, nullptr);
    }
  }
  return 0;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t rank = static_cast<size_t>(std::max(0.0, p / 100.0 * double(values.size()) - 1e-9));
  return values[std::min(values.size() - 1, rank)];
}

DripProbeResult RunDripProbe(uint16_t port, const DripProbe& probe,
                             const std::function<bool()>& normal_request) {
  DripProbeResult result;
  // A long head, so that no slow connection ever completes it within a timeout.
  const std::string head = RequestHead(
      "GET", probe.target, std::vector<std::string>(8, "X-Padding: " + std::string(64, 'p')));
  struct Slow {
    std::unique_ptr<RawConnection> connection;
    Clock::time_point first_byte;
    size_t sent = 0;
    std::string received;
    bool open = false;
  };
  std::vector<Slow> slow(static_cast<size_t>(probe.connections));
  result.closed_after_s.resize(slow.size());
  for (Slow& s : slow) {
    Result<std::unique_ptr<RawConnection>> c = RawConnection::Open(port);
    if (!c.ok()) {
      ++result.connect_failures;
      continue;
    }
    s.connection = std::move(c).value();
    s.first_byte = Clock::now();
    s.open = s.connection->Send(head.substr(0, 1));
    s.sent = 1;
  }

  std::atomic<bool> done{false};
  std::thread normal([&] {
    while (!done.load()) {
      const Clock::time_point start = Clock::now();
      if (normal_request()) {
        result.latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      } else {
        ++result.normal_failures;
      }
    }
  });

  const auto close = [&](size_t i) {
    Slow& s = slow[i];
    s.open = false;
    result.closed_after_s[i] = std::chrono::duration<double>(Clock::now() - s.first_byte).count();
    if (s.received.starts_with("HTTP/1.1 408")) ++result.answered_408;
  };
  const Clock::time_point give_up = Clock::now() + probe.give_up_after;
  Clock::time_point next_drip = Clock::now() + probe.drip_interval;
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<size_t> index;
    for (size_t i = 0; i < slow.size(); ++i) {
      if (!slow[i].open) continue;
      fds.push_back({.fd = slow[i].connection->fd(), .events = POLLIN, .revents = 0});
      index.push_back(i);
    }
    if (fds.empty() || Clock::now() >= give_up) break;
    ::poll(fds.data(), fds.size(), MsLeft(std::min(next_drip, give_up)));
    for (size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents == 0) continue;
      char buf[4096];
      const ssize_t n = ::recv(fds[k].fd, buf, sizeof(buf), MSG_DONTWAIT);
      if (n > 0) {
        slow[index[k]].received.append(buf, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        close(index[k]);
      }
    }
    if (Clock::now() < next_drip) continue;
    next_drip += probe.drip_interval;
    for (size_t i = 0; i < slow.size(); ++i) {
      Slow& s = slow[i];
      if (!s.open || s.sent >= head.size()) continue;
      if (::send(s.connection->fd(), head.data() + s.sent, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1) {
        ++s.sent;
      } else if (errno != EAGAIN) {
        close(i);
      }
    }
  }
  done = true;
  normal.join();
  return result;
}

}  // namespace gpufleet::testing
