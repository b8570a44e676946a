// The HTTP server on Boost.Beast. Beast and Asio are header-heavy, so they stay in this one
// translation unit; nothing else in the project includes them.
//
// Threads: `io_threads` threads run one io_context. Every connection is a chain of
// asynchronous operations on its own strand: wait for a request's first byte (idle timeout),
// read its header and body (read timeout from that first byte), hand the request to the
// worker pool, write the response, and start over. Handlers run on a separate pool of
// `threads` workers rather than on the I/O threads because they block: a submission waits
// for the store's group commit (an fsync), and with handlers on two I/O threads only two
// submissions could wait at once, so group commit would batch nothing and every other
// connection (slow ones, metrics scrapes) would stall behind them. The pool is bounded by its
// thread count; its queue holds at most one request per connection, because a connection
// reads its next request only after answering the previous one.

#define BOOST_BEAST_USE_STD_STRING_VIEW 1  // Beast's string_view is std::string_view here

#include "gpufleet/api/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <mutex>
#include <span>
#include <thread>
#include <unordered_map>

#include "api/http_target.h"
#include "api/worker_pool.h"
#include "gpufleet/api/errors.h"
#include "gpufleet/log/log.h"
#include "gpufleet/model/utf8.h"
#include "model/dcheck.h"

namespace gpufleet::api {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using BeastRequest = http::request<http::string_body>;
using BeastResponse = http::response<http::string_body>;

constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4";
constexpr std::string_view kWwwAuthenticate = "Bearer realm=\"gpufleet\"";
constexpr std::string_view kUnmatchedRoute = "unmatched";
// Methods a route may be registered for (HEAD is served by GET routes).
constexpr std::string_view kRouteMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
// Methods the server implements: routed, or answered 405 with Allow (OPTIONS, HEAD on a path
// without GET). Any other method is 501, and all of them share one metrics label, "other", so
// that a client inventing methods cannot create a series per name.
constexpr std::string_view kKnownMethods[] = {"GET",   "HEAD",   "POST",   "PUT",
                                              "PATCH", "DELETE", "OPTIONS"};
constexpr std::string_view kOtherMethod = "other";
// Bytes read from the socket per read call while waiting for a request to begin.
constexpr size_t kReadChunk = 16 << 10;
// After refusing a request whose body was not read (413, 431, 501, 408...), the server stops
// parsing, half-closes and discards what the client still sends for a little while before
// closing. Closing at once would make the kernel answer the unread data with a reset, which
// can destroy the error response before the client reads it, and many clients (cpp-httplib
// among them) write a whole body before reading anything. Nothing discarded is buffered; the
// byte cap bounds the work a client can cause this way.
constexpr std::chrono::milliseconds kLingerTime{2000};
constexpr uint64_t kLingerBytes = uint64_t{64} << 20;
// Pause before accepting again when accept fails for lack of file descriptors, so that the
// acceptor does not spin while connections are at the process limit.
constexpr std::chrono::milliseconds kAcceptBackoff{50};

bool IsOneOf(std::string_view text, std::span<const std::string_view> set) {
  return std::find(set.begin(), set.end(), text) != set.end();
}

std::string_view MethodLabel(std::string_view method) {
  return IsOneOf(method, kKnownMethods) ? method : kOtherMethod;
}

bool IEquals(std::string_view a, std::string_view b) {
  return AsciiLowercase(a) == AsciiLowercase(b);
}

}  // namespace

struct HttpServer::Route {
  std::string method;
  std::string pattern;
  std::vector<std::string> segments;  // a literal, or a parameter name when is_param
  std::vector<bool> is_param;
  Access access;
  Handler handler;

  // Fills `params` when `path` matches.
  bool Match(const std::vector<std::string_view>& path,
             std::map<std::string, std::string>* params) const {
    if (path.size() != segments.size()) return false;
    for (size_t i = 0; i < path.size(); ++i) {
      if (is_param[i] ? path[i].empty() : path[i] != segments[i]) return false;
    }
    if (params != nullptr) {
      for (size_t i = 0; i < path.size(); ++i) {
        if (is_param[i]) (*params)[segments[i]] = std::string(path[i]);
      }
    }
    return true;
  }
};

// The running server: the io_context and its threads, the acceptor, the worker pool, the
// open connections, and the request path from a parsed request to a Response.
struct HttpServer::Runtime {
  class Connection;

  explicit Runtime(HttpServer& owner)
      : self(owner),
        acceptor(net::make_strand(ioc)),
        workers(std::max<size_t>(owner.options_.threads, 1)),
        accept_backoff(acceptor.get_executor()) {}

  HttpServer& self;
  net::io_context ioc;
  tcp::acceptor acceptor;
  WorkerPool workers;
  net::steady_timer accept_backoff;  // on the acceptor's strand
  std::vector<std::thread> io_threads;
  std::atomic<uint64_t> next_request_id{0};

  std::mutex connections_mu;
  bool stopping = false;  // guarded by connections_mu
  uint64_t next_connection_id = 0;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections;  // by connections_mu

  const HttpServerOptions& options() const { return self.options_; }
  std::string NewRequestId() { return std::to_string(++next_request_id); }

  void Accept();
  void OnAccept(const beast::error_code& ec, tcp::socket socket);
  void Forget(uint64_t connection_id) {
    const std::lock_guard<std::mutex> lock(connections_mu);
    connections.erase(connection_id);
  }
  void Shutdown();

  // The best route for `path` among those with `method` (any method when empty): literal
  // segments beat parameters, compared left to right.
  const Route* Find(std::string_view method, const std::vector<std::string_view>& path) const {
    const Route* best = nullptr;
    for (const Route& route : self.routes_) {
      if (!method.empty() && route.method != method) continue;
      if (!route.Match(path, nullptr)) continue;
      if (best == nullptr || route.is_param < best->is_param) best = &route;
    }
    return best;
  }

  // The route label of a request target: a registered pattern or "unmatched", never the path
  // itself (which would make a series per URL).
  std::string RouteLabel(std::string_view target) const {
    const RequestTarget parsed = ParseRequestTarget(target);
    if (!parsed.valid) return std::string(kUnmatchedRoute);
    const Route* route = Find("", SplitPath(parsed.path));
    return route != nullptr ? route->pattern : std::string(kUnmatchedRoute);
  }

  // Counts the answer and logs it: refusals (4xx, 5xx) at info, the rest at debug, each with
  // its request id and the id (never the secret) of the token that made it.
  void Record(std::string_view method, std::string_view route, int status,
              std::optional<SteadyClock::time_point> started, std::string_view request_id,
              std::string_view token_id = {}) {
    self.requests_total_
        ->WithLabels({std::string(MethodLabel(method)), std::string(route), std::to_string(status)})
        .Increment();
    double seconds = 0;
    if (started) {
      const std::chrono::duration<double> elapsed = SteadyClock::now() - *started;
      seconds = elapsed.count();
      self.request_seconds_->WithLabels({std::string(route)}).Observe(seconds);
    }
    const log::Level level = status >= 400 ? log::Level::kInfo : log::Level::kDebug;
    if (!log::Enabled(level)) return;
    log::Write(level, "http.request",
               {{"request_id", request_id},
                {"method", MethodLabel(method)},
                {"route", route},
                {"status", status},
                {"ms", std::round(seconds * 1e4) / 10},
                {"token", token_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(token_id)}});
  }

  // Authentication and role check of `request` (its Authorization header) for `route`; sets
  // request.principal. nullopt when the request may proceed, else the refusal to send.
  std::optional<Response> Authorize(const Route& route, Request& request) const {
    if (route.access.is_public()) return std::nullopt;
    const auto unauthenticated = [](std::string_view message, std::string_view error) {
      Response response = ErrorResponse(401, "unauthenticated", message);
      std::string challenge(kWwwAuthenticate);
      if (!error.empty()) challenge += ", error=\"" + std::string(error) + "\"";
      response.headers.emplace_back("WWW-Authenticate", std::move(challenge));
      return response;
    };
    const std::optional<std::string_view> header = request.Header("Authorization");
    if (!header) return unauthenticated("missing bearer token", "");
    const std::optional<std::string_view> token = ParseBearer(*header);
    if (!token) {
      return unauthenticated("malformed Authorization header; expected 'Bearer <token>'",
                             "invalid_request");
    }
    std::optional<Principal> principal;
    if (options().authenticator) {
      Result<std::optional<Principal>> found = options().authenticator(HashToken(*token));
      if (!found.ok()) return UnavailableResponse();
      principal = std::move(found).value();
    }
    if (!principal) return unauthenticated("invalid, expired or revoked token", "invalid_token");
    if (!route.access.Allows(principal->role)) {
      return ErrorResponse(403, "permission_denied",
                           "this route is open to " + route.access.RoleList() + ", not to a " +
                               std::string(store::RoleName(principal->role)) + " token");
    }
    request.principal = std::move(principal);
    return std::nullopt;
  }

  // Routes, authorizes and handles one complete request (on a worker thread); records it.
  Response Dispatch(const BeastRequest& req, const std::string& request_id) {
    const SteadyClock::time_point started = SteadyClock::now();
    const std::string_view raw_method = req.method_string();
    const RequestTarget target = ParseRequestTarget(req.target());
    if (!target.valid) {
      Record(raw_method, kUnmatchedRoute, 400, started, request_id);
      return ErrorResponse(400, "invalid_argument", "malformed request target");
    }
    // HEAD is GET without the body; the connection drops the body when writing.
    const std::string_view method = raw_method == "HEAD" ? "GET" : raw_method;
    const std::vector<std::string_view> path(target.segments.begin(), target.segments.end());
    const Route* route = Find(method, path);
    if (route == nullptr) {
      std::string allow;
      for (const std::string_view m : kRouteMethods) {
        if (Find(m, path) != nullptr) allow += (allow.empty() ? "" : ", ") + std::string(m);
      }
      Response response =
          allow.empty()
              ? ErrorResponse(404, "not_found", "no route for path '" + Excerpt(target.path) + "'")
              : ErrorResponse(405, "method_not_allowed",
                              "method '" + Excerpt(raw_method) + "' not allowed on '" +
                                  Excerpt(target.path) + "'");
      if (!allow.empty()) response.headers.emplace_back("Allow", allow);
      const std::string label =
          allow.empty() ? std::string(kUnmatchedRoute) : Find("", path)->pattern;
      Record(raw_method, label, response.status, started, request_id);
      return response;
    }

    Response response;
    std::string token_id;
    try {
      Request request;
      request.method = std::string(raw_method);
      request.path = target.path;
      route->Match(path, &request.path_params);
      request.query_params = ParseQuery(target.query);
      for (const auto& field : req) {
        request.headers.emplace_back(AsciiLowercase(field.name_string()),
                                     std::string(field.value()));
      }
      request.body = req.body();
      request.request_id = request_id;
      std::optional<Response> denied = Authorize(*route, request);
      if (request.principal) token_id = request.principal->token_id;
      response = denied ? std::move(*denied) : route->handler(request);
      if (response.status >= 400 && response.body.empty()) {
        response = ErrorResponse(response.status, "error", "request failed");
      }
    } catch (const std::exception& e) {
      log::Error("http.handler_threw", {{"request_id", request_id},
                                        {"method", raw_method},
                                        {"route", route->pattern},
                                        {"error", e.what()}});
      response = ErrorResponse(500, "internal", "internal error (request '" + request_id + "')");
    } catch (...) {
      log::Error("http.handler_threw", {{"request_id", request_id},
                                        {"method", raw_method},
                                        {"route", route->pattern},
                                        {"error", "a non-exception"}});
      response = ErrorResponse(500, "internal", "internal error (request '" + request_id + "')");
    }
    Record(raw_method, route->pattern, response.status, started, request_id, token_id);
    return response;
  }
};

// One accepted connection. Every member is touched only on the connection's strand, except
// `parser_`'s request, which the worker reads while the strand waits for the response.
class HttpServer::Runtime::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Runtime& runtime, tcp::socket socket, uint64_t id)
      : rt_(runtime),
        socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        buffer_(runtime.options().max_header_bytes + kReadChunk),
        id_(id) {}

  void Start() {
    net::dispatch(socket_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->socket_.set_option(tcp::no_delay(true), ignored);
      self->NextRequest();
    });
  }

  // The server is stopping: an idle or reading connection closes now; one whose request is
  // being handled or answered closes after the response.
  void Shutdown() {
    net::dispatch(socket_.get_executor(), [self = shared_from_this()] {
      self->stopping_ = true;
      if (self->phase_ == Phase::kIdle || self->phase_ == Phase::kReading ||
          self->phase_ == Phase::kLingering) {
        beast::error_code ignored;
        self->socket_.cancel(ignored);
      }
    });
  }

 private:
  enum class Phase : uint8_t { kIdle, kReading, kHandling, kWriting, kLingering, kClosed };

  const HttpServerOptions& options() const { return rt_.options(); }

  // Bounds the operations started from now on until the next Arm or Disarm: when `timeout`
  // passes, pending socket operations are cancelled and complete with operation_aborted, with
  // deadline_hit_ telling a timeout from a shutdown.
  void Arm(std::chrono::milliseconds timeout) {
    const uint64_t generation = ++deadline_generation_;
    deadline_hit_ = false;
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this(), generation](const beast::error_code& ec) {
      if (ec || generation != self->deadline_generation_) return;
      self->deadline_hit_ = true;
      beast::error_code ignored;
      self->socket_.cancel(ignored);
    });
  }
  void Disarm() {
    ++deadline_generation_;
    timer_.cancel();
  }

  void NextRequest() {
    if (stopping_) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(
        std::min<size_t>(options().max_header_bytes, std::numeric_limits<uint32_t>::max())));
    parser_->body_limit(options().max_body_bytes);
    if (buffer_.size() > 0) return ReadHeader();  // the client sent it along with the last one
    // Idle until the request's first byte: the idle timeout applies, and the read timeout
    // starts only once something arrives.
    phase_ = Phase::kIdle;
    Arm(options().idle_timeout);
    socket_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = shared_from_this()](const beast::error_code& ec, size_t n) {
          if (ec) return self->Close();  // idle timeout, the client closed, or shutdown
          self->buffer_.commit(n);
          self->ReadHeader();
        });
  }

  void ReadHeader() {
    phase_ = Phase::kReading;
    Arm(options().read_timeout);  // from the request's first byte, for header and body alike
    http::async_read_header(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](const beast::error_code& ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(const beast::error_code& ec) {
    if (ec) return OnReadError(ec);
    const BeastRequest& req = parser_->get();
    if (!IsOneOf(req.method_string(), kKnownMethods)) {
      // RFC 9110 15.6.2: 501 for a method the server does not recognise, on any path (405 is
      // for a method it knows but the resource does not allow). Decided before the body.
      return Refuse(501, "not_implemented", "method not implemented", kUnmatchedRoute);
    }
    if (static_cast<size_t>(std::distance(req.begin(), req.end())) > options().max_header_count) {
      return Refuse(
          431, "resource_exhausted",
          "request has more than " + std::to_string(options().max_header_count) + " header fields");
    }
    const bool expects_body = parser_->chunked() || parser_->content_length().value_or(0) > 0;
    if (expects_body && req.version() >= 11 && IEquals(req[http::field::expect], "100-continue")) {
      // The client waits for this before sending its body (curl does for large bodies).
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      return net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                              [self = shared_from_this()](const beast::error_code& e, size_t) {
                                if (e) return self->OnReadError(e);
                                self->ReadBody();
                              });
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return OnBody();
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](const beast::error_code& ec, size_t) {
                       if (ec) return self->OnReadError(ec);
                       self->OnBody();
                     });
  }

  void OnBody() {
    Disarm();
    phase_ = Phase::kHandling;
    ++requests_served_;
    // The work guard keeps the io_context running while the request is off on a worker.
    rt_.workers.Post(
        [self = shared_from_this(), work = net::make_work_guard(socket_.get_executor())]() mutable {
          std::string request_id = self->rt_.NewRequestId();
          Response response = self->rt_.Dispatch(self->parser_->get(), request_id);
          net::post(self->socket_.get_executor(), [self, response = std::move(response),
                                                   request_id = std::move(request_id)]() mutable {
            self->Send(std::move(response), request_id, /*refused=*/false);
          });
          work.reset();
        });
  }

  void OnReadError(const beast::error_code& ec) {
    if (ec == http::error::body_limit) {
      return Refuse(413, "resource_exhausted",
                    "request body exceeds the limit of " +
                        std::to_string(options().max_body_bytes) + " bytes");
    }
    if (ec == http::error::header_limit) {
      return Refuse(431, "resource_exhausted",
                    "request header exceeds the limit of " +
                        std::to_string(options().max_header_bytes) + " bytes");
    }
    if (ec == net::error::operation_aborted && deadline_hit_ && !stopping_) {
      const auto ms = options().read_timeout.count();
      return Refuse(408, "deadline_exceeded",
                    "request not received within " + std::to_string(ms) + " ms of its start");
    }
    if (ec == net::error::operation_aborted || ec == http::error::end_of_stream ||
        ec == http::error::partial_message || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == net::error::broken_pipe) {
      return Close();  // the client went away, or the server is stopping
    }
    Refuse(400, "invalid_argument", "malformed HTTP request: " + ec.message());
  }

  // Answers a request that will not be handled and closes the connection after the answer
  // (its body, if any, was not read).
  // The route label is the target's pattern unless `route` says otherwise.
  void Refuse(int status, std::string_view code, const std::string& message,
              std::optional<std::string_view> route = std::nullopt) {
    const std::string request_id = rt_.NewRequestId();
    const auto [method, target] = StartLine();
    rt_.Record(method, route ? std::string(*route) : rt_.RouteLabel(target), status, std::nullopt,
               request_id);
    Send(ErrorResponse(status, code, message), request_id, /*refused=*/true);
  }

  // The method and target of the request being read. Beast parses the request line only once
  // the whole header has arrived, so for a header over the limit they are read from the
  // buffered bytes; empty when even the request line is incomplete.
  std::pair<std::string, std::string> StartLine() const {
    const BeastRequest& req = parser_->get();
    if (!req.method_string().empty()) {
      return {std::string(req.method_string()), std::string(req.target())};
    }
    const std::string_view data(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    const std::string_view line = data.substr(0, data.find("\r\n"));
    const size_t space = line.find(' ');
    if (space == std::string_view::npos || line.size() == data.size()) return {};
    const std::string_view rest = line.substr(space + 1);
    return {std::string(line.substr(0, space)), std::string(rest.substr(0, rest.find(' ')))};
  }

  void Send(Response response, const std::string& request_id, bool refused) {
    const BeastRequest& req = parser_->get();
    const bool keep_alive = !refused && !stopping_ && req.keep_alive() &&
                            requests_served_ < options().keep_alive_max_requests;
    response_.emplace();
    response_->version(req.version() == 10 ? 10 : 11);
    response_->result(static_cast<unsigned>(response.status));
    response_->set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) response_->insert(name, value);
    response_->set("X-Request-Id", request_id);
    response_->body() = std::move(response.body);
    response_->prepare_payload();
    if (req.method_string() == "HEAD") response_->body().clear();  // Content-Length stays
    response_->keep_alive(keep_alive);
    phase_ = Phase::kWriting;
    Arm(options().read_timeout);
    http::async_write(socket_, *response_,
                      [self = shared_from_this(), keep_alive](const beast::error_code& ec, size_t) {
                        self->Disarm();
                        self->response_.reset();
                        if (ec) return self->Close();
                        if (keep_alive && !self->stopping_) return self->NextRequest();
                        self->Linger();
                      });
  }

  void Linger() {
    if (stopping_) return Close();
    phase_ = Phase::kLingering;
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    Arm(std::min(kLingerTime, options().read_timeout));
    buffer_.clear();
    Discard();
  }

  void Discard() {
    socket_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](const beast::error_code& ec, size_t n) {
                              self->lingered_bytes_ += n;
                              if (ec || self->lingered_bytes_ > kLingerBytes) return self->Close();
                              self->Discard();
                            });
  }

  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    Disarm();
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    rt_.Forget(id_);
  }

  Runtime& rt_;
  tcp::socket socket_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<BeastResponse> response_;
  const uint64_t id_;
  Phase phase_ = Phase::kIdle;
  bool stopping_ = false;
  bool deadline_hit_ = false;
  uint64_t deadline_generation_ = 0;
  size_t requests_served_ = 0;
  uint64_t lingered_bytes_ = 0;
};

void HttpServer::Runtime::Accept() {
  acceptor.async_accept(
      net::make_strand(ioc),
      [this](const beast::error_code& ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
}

void HttpServer::Runtime::OnAccept(const beast::error_code& ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
  if (ec) {
    // Out of file descriptors (or another transient failure): try again shortly.
    accept_backoff.expires_after(kAcceptBackoff);
    accept_backoff.async_wait([this](const beast::error_code& e) {
      if (!e && acceptor.is_open()) Accept();
    });
    return;
  }
  std::shared_ptr<Connection> connection;
  {
    const std::lock_guard<std::mutex> lock(connections_mu);
    if (stopping) return;  // the socket closes as it goes out of scope
    const uint64_t id = ++next_connection_id;
    connection = std::make_shared<Connection>(*this, std::move(socket), id);
    connections.emplace(id, connection);
  }
  connection->Start();
  Accept();
}

void HttpServer::Runtime::Shutdown() {
  std::vector<std::shared_ptr<Connection>> open;
  {
    const std::lock_guard<std::mutex> lock(connections_mu);
    stopping = true;
    for (const auto& [id, weak] : connections) {
      if (std::shared_ptr<Connection> c = weak.lock()) open.push_back(std::move(c));
    }
  }
  net::dispatch(acceptor.get_executor(), [this] {
    beast::error_code ignored;
    acceptor.close(ignored);
    accept_backoff.cancel();
  });
  for (const std::shared_ptr<Connection>& c : open) c->Shutdown();
}

HttpServer::HttpServer(HttpServerOptions options)
    : options_(std::move(options)),
      owned_metrics_(options_.metrics == nullptr ? std::make_unique<MetricsRegistry>() : nullptr),
      metrics_(options_.metrics == nullptr ? owned_metrics_.get() : options_.metrics),
      requests_total_(&metrics_->AddCounter("gpufleet_http_requests_total",
                                            "HTTP requests answered, by route and status",
                                            {"method", "route", "code"})),
      request_seconds_(&metrics_->AddHistogram(
          "gpufleet_http_request_duration_seconds",
          "Time from routing a request to its response being ready, by route", {"route"},
          LatencyBucketsSeconds())) {
  MetricsRegistry* registry = metrics_;
  const Status added =
      AddRoute("GET", "/metrics", options_.metrics_access, [registry](const Request&) {
        return Response::Text(200, registry->Render(), std::string(kMetricsContentType));
      });
  GPUFLEET_DCHECK(added.ok());  // a fixed, valid pattern on an empty table
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::AddRoute(std::string_view method, std::string_view pattern, Access access,
                            Handler handler) {
  if (runtime_) return Status::FailedPrecondition("cannot add a route while the server runs");
  if (!IsOneOf(method, kRouteMethods)) {
    return Status::InvalidArgument("unsupported method '" + std::string(method) + "'");
  }
  if (pattern.empty() || pattern.front() != '/') {
    return Status::InvalidArgument("route pattern '" + std::string(pattern) +
                                   "' must start with '/'");
  }
  Route route;
  route.method = std::string(method);
  route.pattern = std::string(pattern);
  route.access = access;
  route.handler = std::move(handler);
  for (const std::string_view segment : SplitPath(pattern)) {
    const bool is_param = segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
    const std::string_view text = is_param ? segment.substr(1, segment.size() - 2) : segment;
    if (text.find_first_of("{}") != std::string_view::npos || (is_param && text.empty())) {
      return Status::InvalidArgument("route pattern '" + std::string(pattern) +
                                     "' has a malformed segment '" + std::string(segment) + "'");
    }
    route.segments.emplace_back(text);
    route.is_param.push_back(is_param);
  }
  for (const Route& existing : routes_) {
    if (existing.method == route.method && existing.is_param == route.is_param &&
        existing.Match(SplitPath(pattern), nullptr)) {
      return Status::AlreadyExists("route " + route.method + " '" + route.pattern +
                                   "' conflicts with '" + existing.pattern + "'");
    }
  }
  routes_.push_back(std::move(route));
  return Status::Ok();
}

Status HttpServer::Start() {
  if (runtime_) return Status::FailedPrecondition("server already running");
  auto runtime = std::make_unique<Runtime>(*this);
  const std::string where = options_.bind_address + ":" + std::to_string(options_.port);
  beast::error_code ec;
  tcp::resolver resolver(runtime->ioc);
  const tcp::resolver::results_type endpoints =
      resolver.resolve(options_.bind_address, std::to_string(options_.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return Status::IOError("cannot resolve " + where + ": " + ec.message());
  }
  tcp::acceptor& acceptor = runtime->acceptor;
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  // SO_REUSEADDR allows a quick restart while old connections are in TIME_WAIT. Never
  // SO_REUSEPORT: it would let a second server bind the same port and silently take half the
  // connections (Asio does not set it).
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Status::IOError("cannot bind to " + where + ": " + ec.message());
  bound_port_ = acceptor.local_endpoint(ec).port();
  runtime->Accept();
  const size_t io_threads = std::max<size_t>(options_.io_threads, 1);
  for (size_t i = 0; i < io_threads; ++i) {
    runtime->io_threads.emplace_back([rt = runtime.get()] { rt->ioc.run(); });
  }
  runtime_ = std::move(runtime);
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!runtime_) return;
  runtime_->Shutdown();
  // run() returns once every connection has closed: in-flight requests finish first (each
  // holds a work guard while on a worker).
  for (std::thread& t : runtime_->io_threads) t.join();
  runtime_.reset();  // joins the worker pool, idle by now
  bound_port_ = 0;
}

bool HttpServer::running() const { return runtime_ != nullptr; }

}  // namespace gpufleet::api
