#include "cli/api_client.h"

#include <httplib.h>

#include <cstdio>

#include "gpufleet/model/utf8.h"
#include "gpufleet/report/json_text.h"

namespace gpufleet::cli {
namespace {

// The server's {"error": {"code", "message"}} as one line; the raw body when it is not that.
std::string ErrorText(int status, const std::string& body) {
  std::string text = "HTTP " + std::to_string(status);
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const nlohmann::json& e = j["error"];
    if (e.contains("code") && e["code"].is_string()) text += " " + e["code"].get<std::string>();
    if (e.contains("message") && e["message"].is_string()) {
      text += ": " + e["message"].get<std::string>();
    }
    return text;
  }
  return body.empty() ? text : text + ": " + body.substr(0, 200);
}

Status HttpFailure(int status, std::string text) {
  switch (status) {
    case 400:
    case 413:
      return Status::InvalidArgument(std::move(text));
    case 401:
      return Status::Unauthenticated(std::move(text));
    case 403:
      return Status::PermissionDenied(std::move(text));
    case 404:
      return Status::NotFound(std::move(text));
    case 409:
      return Status::FailedPrecondition(std::move(text));
    case 429:
      return Status::ResourceExhausted(std::move(text));
    default:
      // Any other 4xx (405, 422 for a job that can never run, ...) is a refusal as well;
      // 5xx is the server's own failure, and the request may be fine.
      if (status >= 400 && status < 500) return Status::InvalidArgument(std::move(text));
      return Status::IOError(std::move(text));
  }
}

}  // namespace

CLI::Option* AddServiceOptions(CLI::App& cmd, ClientFlags& flags) {
  CLI::Option* url = cmd.add_option("--url", flags.url, "gpufleetd's address")
                         ->envname("GPUFLEET_URL")
                         ->capture_default_str();
  cmd.add_option("--token", flags.token, "API token (admin or tenant)")->envname("GPUFLEET_TOKEN");
  return url;
}

void AddClientOptions(CLI::App& cmd, ClientFlags& flags) {
  AddServiceOptions(cmd, flags);
  cmd.add_flag("--json", flags.json, "print the server's JSON");
}

Result<nlohmann::json> ApiClient::Get(
    const std::string& path, const std::vector<std::pair<std::string, std::string>>& query) {
  std::string target = path;
  char sep = '?';
  for (const auto& [k, v] : query) {
    target += sep + k + "=" + httplib::detail::encode_query_param(v);
    sep = '&';
  }
  return Send("GET", target, "", {});
}

Result<nlohmann::json> ApiClient::Post(
    const std::string& path, const nlohmann::json& body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  return Send("POST", path, report::DumpJson(body), headers);
}

Result<nlohmann::json> ApiClient::Put(const std::string& path, const nlohmann::json& body) {
  return Send("PUT", path, report::DumpJson(body), {});
}

Result<nlohmann::json> ApiClient::Delete(const std::string& path) {
  return Send("DELETE", path, "", {});
}

Result<std::string> ApiClient::GetText(const std::string& path) {
  return SendRaw("GET", path, "", {});
}

Result<nlohmann::json> ApiClient::Send(
    const std::string& method, const std::string& path, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  Result<std::string> raw = SendRaw(method, path, body, headers);
  if (!raw.ok()) return raw.status();
  nlohmann::json j = nlohmann::json::parse(*raw, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Status::IOError("gpufleetd at " + flags_.url + " answered " + path +
                           " with a body that is not JSON");
  }
  return j;
}

Result<std::string> ApiClient::SendRaw(
    const std::string& method, const std::string& path, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  httplib::Client client(flags_.url);
  if (!client.is_valid())
    return Status::InvalidArgument("--url: '" + Excerpt(flags_.url) + "' is invalid");
  client.set_connection_timeout(5);
  client.set_tcp_nodelay(true);
  client.set_read_timeout(30);
  httplib::Headers h;
  if (!flags_.token.empty()) h.emplace("Authorization", "Bearer " + flags_.token);
  for (const auto& [k, v] : headers) h.emplace(k, v);
  httplib::Result r = method == "GET"      ? client.Get(path, h)
                      : method == "POST"   ? client.Post(path, h, body, "application/json")
                      : method == "DELETE" ? client.Delete(path, h)
                                           : client.Put(path, h, body, "application/json");
  if (!r) {
    return Status::IOError("cannot reach gpufleetd at " + flags_.url + ": " +
                           httplib::to_string(r.error()));
  }
  if (r->status >= 300) return HttpFailure(r->status, ErrorText(r->status, r->body));
  return std::move(r->body);
}

std::string PathEscape(std::string_view text) {
  return httplib::detail::encode_query_param(std::string(text));
}

int ReportClientError(std::string_view command, const Status& s) {
  std::fprintf(stderr, "gpufleet %.*s: %s\n", static_cast<int>(command.size()), command.data(),
               s.message().c_str());
  const bool refused = s.code() != Status::Code::kIOError;
  return refused ? 2 : 1;
}

}  // namespace gpufleet::cli
