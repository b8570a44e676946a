#pragma once
// HTTP over a bare TCP socket, for tests that must send what no well-behaved client sends:
// 10,000 header fields, a 100 MB chunked body, a request one byte at a time, invented
// methods. Also the slow-client probe shared by the HTTP server's tests and gpufleetd's.
//
// Thread safety: a RawConnection belongs to one thread, except that Send and reading may run
// on two threads at once (one writer, one reader), as a full-duplex client does.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/status.h"

namespace gpufleet::testing {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;

  // The value of header `lowercase_name`; "" when absent.
  std::string Header(const std::string& lowercase_name) const {
    const auto it = headers.find(lowercase_name);
    return it == headers.end() ? "" : it->second;
  }
};

class RawConnection {
 public:
  // Connects to 127.0.0.1:port. `send_buffer_bytes` > 0 sets SO_SNDBUF (so that what the
  // kernel buffers on the client's side stays small when a test counts bytes sent).
  static Result<std::unique_ptr<RawConnection>> Open(uint16_t port, int send_buffer_bytes = 0);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Writes all of `bytes` (blocking); false once the peer has closed or reset.
  bool Send(std::string_view bytes);
  // Reads one response (status line, headers, a Content-Length body) by `deadline`; nullopt
  // when the connection closed or the deadline passed first.
  std::optional<RawResponse> ReadResponse(std::chrono::steady_clock::time_point deadline);
  // Waits until the server closes the connection (end of file or reset), discarding what it
  // sends; whether it did by `deadline`.
  bool WaitClosed(std::chrono::steady_clock::time_point deadline);
  int fd() const { return fd_; }

 private:
  explicit RawConnection(int fd) : fd_(fd) {}
  // Appends what arrives to in_ by `deadline`; false at end of file, error or deadline.
  bool Fill(std::chrono::steady_clock::time_point deadline);

  int fd_;
  std::string in_;  // received, not yet returned
};

// A request head ending in the blank line: `method target HTTP/1.1`, Host, then `fields`
// ("Name: value" each).
std::string RequestHead(std::string_view method, std::string_view target,
                        const std::vector<std::string>& fields = {});

// The series of GET /metrics text (each line that is not a comment, without its value).
std::set<std::string> MetricSeries(const std::string& metrics_text);
// The value of one series in GET /metrics text; 0 when absent.
double MetricValue(const std::string& metrics_text, const std::string& series);

// The value at the p-th percentile (0..100) of `values` (nearest rank); 0 when empty.
double Percentile(std::vector<double> values, double p);

// The slow-client probe: `connections` connections each send one byte of a request head
// every `drip_interval`, while `normal_request` (one request by a well-behaved client; false
// on failure) runs in a loop on another thread. It ends when every slow connection has been
// closed by the server, or at `give_up_after`.
struct DripProbe {
  int connections = 64;
  std::chrono::milliseconds drip_interval{5000};
  std::chrono::milliseconds give_up_after{30000};
  std::string target = "/metrics";
};
struct DripProbeResult {
  // Per slow connection: seconds from its first byte to the server closing it; nullopt when
  // it was still open at the end.
  std::vector<std::optional<double>> closed_after_s;
  int connect_failures = 0;
  int answered_408 = 0;              // slow connections told 408 before the close
  std::vector<double> latencies_ms;  // of the normal client's successful requests
  int normal_failures = 0;
};
DripProbeResult RunDripProbe(uint16_t port, const DripProbe& probe,
                             const std::function<bool()>& normal_request);

}  // namespace gpufleet::testing
