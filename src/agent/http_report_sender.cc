// POST /v1/nodes/{node}/reports over cpp-httplib (agent/report_sender.h).

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "gpufleet/agent/report_sender.h"
#include "gpufleet/codec/node_report_json.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::agent {
namespace {

// The service's own words from an error body ({"error": {"code", "message"}}), or the start
// of whatever it sent.
std::string ServerMessage(const std::string& body) {
  const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object()) {
    const nlohmann::json& error = parsed["error"];
    return error.value("code", std::string("?")) + ": " + error.value("message", std::string());
  }
  return Excerpt(body);
}

Status StatusForHttp(int http_status, const std::string& what) {
  switch (http_status) {
    case 401:
      return Status::Unauthenticated(what);
    case 403:
      return Status::PermissionDenied(what);
    case 400:
    case 404:
    case 413:
      return Status::InvalidArgument(what);
    case 429:
      return Status::ResourceExhausted(what);
    default:
      return Status::IOError(what);
  }
}

class HttpReportSender final : public ReportSender {
 public:
  explicit HttpReportSender(HttpSenderOptions options) : options_(std::move(options)) {}

  Status Send(const NodeReport& report) override {
    Result<std::string> answer = Post("/v1/nodes/" + PathSegment(report.node) + "/reports",
                                      codec::NodeReportToJson(report).dump());
    return answer.ok() ? Status::Ok() : answer.status();
  }

  Result<std::string> Nonce(const std::string& node) override {
    const std::string path = "/v1/nodes/" + PathSegment(node) + "/nonce";
    Result<std::string> answer = Post(path, "{}");
    if (!answer.ok()) return answer.status();
    const nlohmann::json j = nlohmann::json::parse(*answer, nullptr, false);
    if (!j.is_object() || !j.contains("nonce") || !j["nonce"].is_string()) {
      return Status::IOError("POST " + options_.url + path + ": the answer carries no nonce");
    }
    return j["nonce"].get<std::string>();
  }

 private:
  // One short-lived connection; the answer's body on 200 or 201.
  Result<std::string> Post(const std::string& path, const std::string& body) const {
    httplib::Client client(options_.url);
    if (!client.is_valid()) {
      return Status::InvalidArgument("--url '" + Excerpt(options_.url) + "' is not a URL");
    }
    client.set_connection_timeout(options_.connect_timeout_s, 0);
    client.set_read_timeout(options_.read_timeout_s, 0);
    client.set_write_timeout(options_.read_timeout_s, 0);
    client.set_keep_alive(false);
    const httplib::Result reply = client.Post(path, {{"Authorization", "Bearer " + options_.token}},
                                              body, "application/json");
    const std::string where = "POST " + options_.url + path;
    if (!reply) {
      return Status::IOError(where + ": " + httplib::to_string(reply.error()));
    }
    if (reply->status == 200 || reply->status == 201) return reply->body;
    return StatusForHttp(reply->status, where + ": HTTP " + std::to_string(reply->status) + " " +
                                            ServerMessage(reply->body));
  }

 public:
 private:
  const HttpSenderOptions options_;
};

}  // namespace

std::string PathSegment(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

Result<std::unique_ptr<ReportSender>> MakeHttpReportSender(const HttpSenderOptions& options) {
  if (!httplib::Client(options.url).is_valid()) {
    return Status::InvalidArgument("--url '" + Excerpt(options.url) +
                                   "' is not a URL (http://host:port)");
  }
  if (options.token.empty()) {
    return Status::InvalidArgument("no token: give --token or set GPUFLEET_TOKEN");
  }
  return std::unique_ptr<ReportSender>(std::make_unique<HttpReportSender>(options));
}

}  // namespace gpufleet::agent
