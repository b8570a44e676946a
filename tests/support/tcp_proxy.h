#pragma once
// A TCP forwarder on loopback that a test can take down and bring back, to make a database
// unreachable from a running gpufleetd without touching the database itself.
//
// Down: every forwarded connection is closed and each new one is closed as soon as it is
// accepted, as a server that went away or a network that drops connections would look.
// Thread safety: SetDown may be called from any thread; one thread owns the proxy.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "gpufleet/status.h"

namespace gpufleet::testing {

class TcpProxy {
 public:
  // Listens on 127.0.0.1 (an ephemeral port) and forwards to upstream_host:upstream_port.
  static Result<std::unique_ptr<TcpProxy>> Start(const std::string& upstream_host,
                                                 uint16_t upstream_port);
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;
  ~TcpProxy();

  uint16_t port() const { return port_; }
  void SetDown(bool down);

 private:
  TcpProxy(int listen_fd, int wake_read, int wake_write, uint16_t port, std::string host,
           uint16_t upstream_port);
  void Run();

  int listen_fd_;
  int wake_read_;
  int wake_write_;
  uint16_t port_;
  std::string upstream_host_;
  uint16_t upstream_port_;
  std::atomic<bool> down_{false};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace gpufleet::testing
