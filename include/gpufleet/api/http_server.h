#pragma once
// HttpServer: the REST service's HTTP layer, an asynchronous HTTP/1.1 server on Boost.Beast.
//
// It owns routing (`{name}` path parameters, 404 for an unknown path, 405 for a known path
// with the wrong method, 501 for a method it does not implement), bearer-token authentication
// per route, the limits on what a client may send (body, header count and size, read and idle
// timeouts; docs/service.md "HTTP limits and their flags"), the JSON error format
// (api/errors.h), the last-resort 500 for a handler that throws, and request metrics served at
// GET /metrics. Handlers see a Request value and return a Response; they never touch Beast.
//
// A few I/O threads read and write every connection; a connection holds no thread while it is
// idle or slow. Handlers run on a separate pool of worker threads, because they may block on
// the store (a submission waits for its group commit).
//
// Thread safety: AddRoute, Start and Stop must be called from one thread (the owner). Handlers
// run concurrently on the server's worker threads and must be thread-safe.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gpufleet/api/auth.h"
#include "gpufleet/api/metrics.h"
#include "gpufleet/status.h"

namespace gpufleet::api {

// One request as a handler sees it. Valid only during the handler call (body views the
// transport's buffer).
struct Request {
  std::string method;                              // "GET", "POST", ...
  std::string path;                                // percent-decoded, without the query string
  std::map<std::string, std::string> path_params;  // {id} in the route pattern -> value
  std::multimap<std::string, std::string> query_params;      // decoded; repeated keys kept
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string_view body;
  std::optional<Principal> principal;  // set on every route that is not public
  std::string request_id;              // also sent back as the X-Request-Id header

  // nullopt when absent. Header names compare case-insensitively.
  std::optional<std::string_view> PathParam(std::string_view name) const;
  std::optional<std::string_view> Query(std::string_view name) const;
  std::optional<std::string_view> Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers

  static Response Json(int status, const nlohmann::json& body);
  static Response Text(int status, std::string body, std::string content_type);
};

using Handler = std::function<Response(const Request&)>;

struct HttpServerOptions {
  // Address to listen on. Default loopback: exposing the service is an explicit decision.
  std::string bind_address = "127.0.0.1";
  // 0 picks a free ephemeral port; HttpServer::port() tells which.
  uint16_t port = 0;
  // Worker threads running handlers: how many requests are handled at once (a handler may
  // block on the store). Connections do not hold a worker; a request waits for one in a queue.
  size_t threads = 8;
  // Threads reading and writing connections (parsing, timeouts, sending responses). They never
  // block, so a couple serve thousands of connections.
  size_t io_threads = 2;
  // Requests served on one keep-alive connection before the server closes it, so that load
  // spreads again over a pool of servers behind a balancer.
  size_t keep_alive_max_requests = 100;
  // Larger request bodies are answered 413 without reaching authentication or a handler: a
  // Content-Length over it as soon as the header arrives, a chunked body as soon as its chunks
  // add up to more. Default 1 MiB.
  size_t max_body_bytes = size_t{1} << 20;
  // More header fields than this, or a request line plus header larger than this many bytes,
  // is answered 431.
  size_t max_header_count = 100;
  size_t max_header_bytes = size_t{16} << 10;
  // A request's header and body must arrive within read_timeout of its first byte, however
  // slowly they trickle in: otherwise 408 and the connection is closed. The same bound applies
  // to sending a response to a client that does not read it (then the connection is closed).
  std::chrono::milliseconds read_timeout{10000};
  // A keep-alive connection with no request under way is closed after this long.
  std::chrono::milliseconds idle_timeout{10000};
  // Resolves token hashes to principals. Empty: every non-public route answers 401.
  Authenticator authenticator;
  // Where request metrics go and what GET /metrics renders. Not owned; null: the server keeps
  // its own registry. REQUIRES: outlives the server.
  MetricsRegistry* metrics = nullptr;
  // Who may read GET /metrics. Public by default because the server binds to loopback; make it
  // admin and viewer when binding to a routable address.
  Access metrics_access = Access::Public();
};

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options);
  ~HttpServer();  // stops the server if running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  const HttpServerOptions& options() const { return options_; }

  // Registers `handler` for `method` (GET, POST, PUT, PATCH, DELETE; a GET route also answers
  // HEAD) on `pattern`, a path of
  // '/'-separated segments where a segment "{name}" matches any one non-empty segment and is
  // passed as path_params["name"]. When several patterns match, the one with a literal segment
  // where the others have a parameter wins ("/v1/jobs/search" beats "/v1/jobs/{id}").
  // InvalidArgument for a malformed pattern or an unknown method, AlreadyExists for a duplicate.
  // REQUIRES: the server is not running.
  Status AddRoute(std::string_view method, std::string_view pattern, Access access,
                  Handler handler);

  // Binds and starts answering on background threads. IOError when the address cannot be
  // bound, FailedPrecondition when already running. May be called again after Stop().
  Status Start();
  // Stops accepting, finishes in-flight requests and joins every thread. Idempotent.
  void Stop();
  bool running() const;

  // The bound port. REQUIRES: running().
  uint16_t port() const { return bound_port_; }

  MetricsRegistry& metrics() { return *metrics_; }

 private:
  struct Route;
  struct Runtime;

  HttpServerOptions options_;
  std::unique_ptr<MetricsRegistry> owned_metrics_;
  MetricsRegistry* metrics_;
  std::vector<Route> routes_;  // immutable while running
  Family<Counter>* requests_total_;
  Family<Histogram>* request_seconds_;
  std::unique_ptr<Runtime> runtime_;
  uint16_t bound_port_ = 0;
};

}  // namespace gpufleet::api
