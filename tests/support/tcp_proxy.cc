#include "support/tcp_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <tuple>
#include <vector>

namespace gpufleet::testing {
namespace {

Status Errno(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

// Writes all of `data`, or false when the peer is gone.
bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

int ConnectTo(const std::string& host, uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1 ||
      ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

Result<std::unique_ptr<TcpProxy>> TcpProxy::Start(const std::string& upstream_host,
                                                  uint16_t upstream_port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(fd, 64) != 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const Status s = Errno("listen");
    ::close(fd);
    return s;
  }
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    ::close(fd);
    return Errno("pipe2");
  }
  std::unique_ptr<TcpProxy> proxy(
      new TcpProxy(fd, wake[0], wake[1], ntohs(addr.sin_port), upstream_host, upstream_port));
  proxy->thread_ = std::thread([p = proxy.get()] { p->Run(); });
  return proxy;
}

TcpProxy::TcpProxy(int listen_fd, int wake_read, int wake_write, uint16_t port, std::string host,
                   uint16_t upstream_port)
    : listen_fd_(listen_fd),
      wake_read_(wake_read),
      wake_write_(wake_write),
      port_(port),
      upstream_host_(std::move(host)),
      upstream_port_(upstream_port) {}

TcpProxy::~TcpProxy() {
  stopping_ = true;
  const char c = 's';
  (void)!::write(wake_write_, &c, 1);
  thread_.join();
  ::close(listen_fd_);
  ::close(wake_read_);
  ::close(wake_write_);
}

void TcpProxy::SetDown(bool down) {
  down_ = down;
  const char c = 'd';
  (void)!::write(wake_write_, &c, 1);
}

void TcpProxy::Run() {
  struct Pair {
    int client;
    int upstream;
  };
  std::vector<Pair> pairs;
  const auto close_pair = [](const Pair& p) {
    ::close(p.client);
    ::close(p.upstream);
  };
  while (!stopping_) {
    if (down_) {
      for (const Pair& p : pairs) close_pair(p);
      pairs.clear();
    }
    std::vector<pollfd> fds = {{listen_fd_, POLLIN, 0}, {wake_read_, POLLIN, 0}};
    for (const Pair& p : pairs) {
      fds.push_back({p.client, POLLIN, 0});
      fds.push_back({p.upstream, POLLIN, 0});
    }
    if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) break;
    if (fds[1].revents != 0) {
      char buf[64];
      while (::read(wake_read_, buf, sizeof buf) > 0) {
      }
    }
    if (fds[0].revents & POLLIN) {
      const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client >= 0) {
        const int upstream = down_ ? -1 : ConnectTo(upstream_host_, upstream_port_);
        if (upstream < 0) {
          ::close(client);
        } else {
          pairs.push_back({client, upstream});
        }
      }
    }
    // Forward what is readable; a pair whose either side ends is closed whole.
    std::vector<Pair> kept;
    for (size_t i = 0; i < pairs.size() && 2 + 2 * i + 1 < fds.size(); ++i) {
      const Pair p = pairs[i];
      bool alive = true;
      for (const auto& [from, to, revents] :
           {std::tuple{p.client, p.upstream, fds[2 + 2 * i].revents},
            std::tuple{p.upstream, p.client, fds[2 + 2 * i + 1].revents}}) {
        if (!alive || revents == 0) continue;
        char buf[65536];
        const ssize_t n = ::recv(from, buf, sizeof buf, 0);
        alive = n > 0 && WriteAll(to, buf, static_cast<size_t>(n));
      }
      if (alive) {
        kept.push_back(p);
      } else {
        close_pair(p);
      }
    }
    // Pairs accepted in this round were not polled yet.
    for (size_t i = (fds.size() - 2) / 2; i < pairs.size(); ++i) kept.push_back(pairs[i]);
    pairs = std::move(kept);
  }
  for (const Pair& p : pairs) close_pair(p);
}

}  // namespace gpufleet::testing
