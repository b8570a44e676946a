#include "gpufleet/api/http_server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <thread>

#include "gpufleet/api/errors.h"
#include "gpufleet/log/log.h"
#include "gpufleet/model/utf8.h"
#include "model/dcheck.h"

namespace gpufleet::api {
namespace {

constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4";
constexpr std::string_view kWwwAuthenticate = "Bearer realm=\"gpufleet\"";
constexpr std::string_view kUnmatchedRoute = "unmatched";
constexpr std::string_view kMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};

// When the request on this worker thread reached routing: each httplib worker handles one
// request at a time, from the pre-routing hook to the response, so a thread-local suffices.
thread_local std::optional<std::chrono::steady_clock::time_point> t_request_start;

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  path.remove_prefix(1);  // the leading '/'
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    segments.push_back(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

// The segments of a request target's path, each percent-decoded on its own: "%2F" inside a
// segment (a node named "site/node") stays inside it rather than splitting it.
std::vector<std::string> DecodedSegments(std::string_view target) {
  target = target.substr(0, target.find('?'));
  std::vector<std::string> out;
  for (const std::string_view segment : SplitPath(target.empty() ? "/" : target)) {
    out.push_back(httplib::detail::decode_url(std::string(segment), false));
  }
  return out;
}

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void Write(const Response& response, const std::string& request_id, httplib::Response& res) {
  res.status = response.status;
  res.set_content(response.body, response.content_type.c_str());
  for (const auto& [name, value] : response.headers) res.set_header(name.c_str(), value);
  res.set_header("X-Request-Id", request_id);
}

}  // namespace

std::optional<std::string_view> Request::PathParam(std::string_view name) const {
  const auto it = path_params.find(std::string(name));
  if (it == path_params.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string_view> Request::Query(std::string_view name) const {
  const auto it = query_params.find(std::string(name));
  if (it == query_params.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string_view> Request::Header(std::string_view name) const {
  const std::string lower = Lowercase(name);
  for (const auto& [key, value] : headers) {
    if (key == lower) return value;
  }
  return std::nullopt;
}

Response Response::Json(int status, const nlohmann::json& body) {
  Response response;
  response.status = status;
  // Replace invalid UTF-8 (echoed user input) rather than throw from dump().
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  response.content_type = std::move(content_type);
  return response;
}

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

// The running server: httplib's server, its listener thread and the request path.
struct HttpServer::Runtime {
  explicit Runtime(HttpServer& owner) : self(owner) {}

  HttpServer& self;
  httplib::Server server;
  std::thread listener;
  std::atomic<bool> listen_returned{false};
  std::atomic<uint64_t> next_request_id{0};

  std::string NewRequestId() { return std::to_string(++next_request_id); }

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

  void Record(std::string_view method, std::string_view route, int status) {
    self.requests_total_
        ->WithLabels({std::string(method), std::string(route), std::to_string(status)})
        .Increment();
    if (t_request_start) {
      const std::chrono::duration<double> elapsed =
          std::chrono::steady_clock::now() - *t_request_start;
      self.request_seconds_->WithLabels({std::string(route)}).Observe(elapsed.count());
      t_request_start.reset();
    }
  }

  // Authentication and role check; nullopt when the request may proceed.
  std::optional<Response> Authorize(const Route& route, const httplib::Request& req,
                                    Request& request) const {
    if (route.access.is_public()) return std::nullopt;
    const auto unauthenticated = [](std::string_view message, std::string_view error) {
      Response response = ErrorResponse(401, "unauthenticated", message);
      std::string challenge(kWwwAuthenticate);
      if (!error.empty()) challenge += ", error=\"" + std::string(error) + "\"";
      response.headers.emplace_back("WWW-Authenticate", std::move(challenge));
      return response;
    };
    if (!req.has_header("Authorization")) return unauthenticated("missing bearer token", "");
    const std::string header = req.get_header_value("Authorization");
    const std::optional<std::string_view> token = ParseBearer(header);
    if (!token) {
      return unauthenticated("malformed Authorization header; expected 'Bearer <token>'",
                             "invalid_request");
    }
    std::optional<Principal> principal;
    if (self.options_.authenticator) {
      Result<std::optional<Principal>> found = self.options_.authenticator(HashToken(*token));
      if (!found.ok()) return UnavailableResponse();
      principal = std::move(found).value();
    }
    if (!principal) return unauthenticated("invalid or revoked token", "invalid_token");
    if (!route.access.Allows(principal->role)) {
      return ErrorResponse(403, "permission_denied",
                           "this route is open to " + route.access.RoleList() + ", not to a " +
                               std::string(store::RoleName(principal->role)) + " token");
    }
    request.principal = std::move(principal);
    return std::nullopt;
  }

  void Dispatch(const httplib::Request& req, httplib::Response& res) {
    const std::string request_id = NewRequestId();
    // HEAD is GET without the body; httplib drops the body when writing.
    const std::string method = req.method == "HEAD" ? "GET" : req.method;
    const std::vector<std::string> segments = DecodedSegments(req.target);
    const std::vector<std::string_view> path(segments.begin(), segments.end());
    const Route* route = Find(method, path);
    if (route == nullptr) {
      std::string allow;
      for (const std::string_view m : kMethods) {
        if (Find(m, path) != nullptr) allow += (allow.empty() ? "" : ", ") + std::string(m);
      }
      Response response =
          allow.empty()
              ? ErrorResponse(404, "not_found", "no route for path '" + Excerpt(req.path) + "'")
              : ErrorResponse(405, "method_not_allowed",
                              "method '" + Excerpt(req.method) + "' not allowed on '" +
                                  Excerpt(req.path) + "'");
      if (!allow.empty()) response.headers.emplace_back("Allow", allow);
      const std::string label =
          allow.empty() ? std::string(kUnmatchedRoute) : Find("", path)->pattern;
      Record(req.method, label, response.status);
      Write(response, request_id, res);
      return;
    }

    Response response;
    try {
      Request request;
      request.method = req.method;
      request.path = req.path;
      route->Match(path, &request.path_params);
      request.query_params.insert(req.params.begin(), req.params.end());
      for (const auto& [name, value] : req.headers)
        request.headers.emplace_back(Lowercase(name), value);
      request.body = req.body;
      request.request_id = request_id;
      std::optional<Response> denied = Authorize(*route, req, request);
      response = denied ? std::move(*denied) : route->handler(request);
      if (response.status >= 400 && response.body.empty()) {
        response = ErrorResponse(response.status, "error", "request failed");
      }
    } catch (const std::exception& e) {
      log::Error("http.handler_threw", {{"request_id", request_id},
                                        {"method", req.method},
                                        {"route", route->pattern},
                                        {"error", e.what()}});
      response = ErrorResponse(500, "internal", "internal error (request '" + request_id + "')");
    } catch (...) {
      log::Error("http.handler_threw", {{"request_id", request_id},
                                        {"method", req.method},
                                        {"route", route->pattern},
                                        {"error", "a non-exception"}});
      response = ErrorResponse(500, "internal", "internal error (request '" + request_id + "')");
    }
    Record(req.method, route->pattern, response.status);
    Write(response, request_id, res);
  }

  // httplib answered without reaching Dispatch (413 for an oversized body, 400 for a request
  // it could not parse): give the answer the API's JSON error body and count it.
  httplib::Server::HandlerResponse OnError(const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // from Dispatch
    Response response;
    if (res.status == 413) {
      response = ErrorResponse(413, "resource_exhausted",
                               "request body exceeds the limit of " +
                                   std::to_string(self.options_.max_body_bytes) + " bytes");
    } else if (res.status >= 500) {
      response = ErrorResponse(res.status, "internal", "internal error");
    } else {
      response = ErrorResponse(res.status, "invalid_argument", "malformed HTTP request");
    }
    const Route* route = req.path.empty() ? nullptr : Find("", SplitPath(req.path));
    Record(req.method, route != nullptr ? route->pattern : std::string(kUnmatchedRoute),
           response.status);
    Write(response, NewRequestId(), res);
    return httplib::Server::HandlerResponse::Handled;
  }
};

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
  if (std::find(std::begin(kMethods), std::end(kMethods), method) == std::end(kMethods)) {
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
  Runtime* rt = runtime.get();
  httplib::Server& server = rt->server;
  const size_t threads = std::max<size_t>(options_.threads, 1);
  // httplib takes ownership of the queue it gets from this factory.
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(options_.max_body_bytes);
  server.set_keep_alive_max_count(std::max<size_t>(options_.keep_alive_max_requests, 1));
  // httplib's default sets SO_REUSEPORT, which lets a second server bind the same port and
  // silently take half the connections. SO_REUSEADDR alone still allows a quick restart.
  // TCP_NODELAY (inherited by accepted sockets): httplib writes a response's headers and body
  // separately, and with Nagle the body would wait for the client's delayed ACK (~40 ms).
  server.set_tcp_nodelay(true);
  server.set_socket_options([](socket_t sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  });
  server.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
    t_request_start = std::chrono::steady_clock::now();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [rt](const httplib::Request& req, httplib::Response& res) { return rt->OnError(req, res); }));
  const httplib::Server::Handler dispatch =
      [rt](const httplib::Request& req, httplib::Response& res) { rt->Dispatch(req, res); };
  // Routing is ours (404 vs 405, parameters, specificity): httplib sends every path here.
  server.Get(".*", dispatch);
  server.Post(".*", dispatch);
  server.Put(".*", dispatch);
  server.Patch(".*", dispatch);
  server.Delete(".*", dispatch);
  server.Options(".*", dispatch);

  int port = options_.port;
  if (port == 0) {
    port = server.bind_to_any_port(options_.bind_address);
  } else if (!server.bind_to_port(options_.bind_address, port)) {
    port = -1;
  }
  if (port <= 0) {
    return Status::IOError("cannot bind to " + options_.bind_address + ":" +
                           std::to_string(options_.port));
  }
  rt->listener = std::thread([rt] {
    rt->server.listen_after_bind();
    rt->listen_returned = true;
  });
  // stop() is a no-op until httplib marks itself running, so wait for that (or for a failed
  // listen) before handing control back; this is a brief spin at start-up only.
  while (!server.is_running() && !rt->listen_returned) std::this_thread::yield();
  if (rt->listen_returned) {
    rt->listener.join();
    return Status::IOError("cannot listen on " + options_.bind_address + ":" +
                           std::to_string(port));
  }
  bound_port_ = static_cast<uint16_t>(port);
  runtime_ = std::move(runtime);
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!runtime_) return;
  runtime_->server.stop();
  runtime_->listener.join();
  runtime_.reset();
  bound_port_ = 0;
}

bool HttpServer::running() const { return runtime_ != nullptr; }

}  // namespace gpufleet::api
