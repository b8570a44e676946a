// Request and Response, the values handlers see and return (http_server.h), apart from the
// transport.

#include <string>

#include "api/http_target.h"
#include "gpufleet/api/http_server.h"

namespace gpufleet::api {

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
  const std::string lower = AsciiLowercase(name);
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

}  // namespace gpufleet::api
