#pragma once
// The API's error format and the one table mapping Status codes to HTTP statuses, plus the
// strict JSON body reader every endpoint validates with.
//
// Every error response has the body {"error": {"code": "<snake_case code>", "message": "..."}}.
// Messages follow the project style: say what and where, quote names, no trailing period.
// Thread safety: free functions and const methods are safe to call concurrently.

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/api/http_server.h"
#include "gpufleet/status.h"

namespace gpufleet::api {

// The HTTP status for a Status code:
//   InvalidArgument 400, Unauthenticated 401, PermissionDenied 403, NotFound 404,
//   FailedPrecondition / AlreadyExists / Aborted 409, ResourceExhausted 429 (quotas and rate
//   limits; an oversized body is answered 413 by the server itself), IOError 503 (the store
//   cannot be reached: the request may succeed when retried), Ok 200, anything else 500.
int HttpStatusFor(Status::Code code);

// Seconds a 503 answer asks the client to wait (its Retry-After header) before retrying.
inline constexpr int kRetryAfterSeconds = 1;

// The "code" field for a Status code: "invalid_argument", "not_found", ... ("unavailable" for
// IOError, "internal" for the codes that map to 500).
std::string_view ErrorCodeName(Status::Code code);

// {"error": {"code": code, "message": message}}.
nlohmann::json ErrorBody(std::string_view code, std::string_view message);

// The response for a failed Status. A 5xx response carries a generic message instead of
// status.message(), which may name files or internals; log the Status instead. A 503 also
// carries Retry-After (UnavailableResponse).
// REQUIRES: !status.ok().
Response ErrorResponse(const Status& status);
// 503 "unavailable" with Retry-After: what an IOError answers, and what a request gets when its
// token cannot be checked because the store cannot be read.
Response UnavailableResponse();
Response ErrorResponse(int http_status, std::string_view code, std::string_view message);

// Parses a request body as JSON. InvalidArgument "malformed JSON at line L, column C: <what>"
// (1-based) when it is not; duplicate keys in an object are rejected the same way.
Result<nlohmann::json> ParseJsonBody(std::string_view body);

// Typed, strict access to the fields of one JSON object. Unknown keys are rejected up front, so
// a misspelt optional field is an error rather than silently ignored. Error messages name the
// field by its dotted path from the body root: "field 'spec.gpus': expected an integer",
// "missing required field 'name'", "unknown field 'gpu'".
// Holds a pointer to the JSON value: REQUIRES the value outlives this object.
class JsonObject {
 public:
  // InvalidArgument if `value` is not an object or has a key outside `allowed_keys`.
  static Result<JsonObject> Make(const nlohmann::json& value,
                                 std::initializer_list<std::string_view> allowed_keys);

  // Required fields: InvalidArgument when missing, null or of the wrong type.
  Result<int64_t> Int(std::string_view key) const;
  Result<double> Number(std::string_view key) const;  // any JSON number
  Result<bool> Bool(std::string_view key) const;
  Result<std::string> String(std::string_view key) const;
  Result<std::vector<std::string>> StringList(std::string_view key) const;
  // A nested object, checked against its own allowed keys.
  Result<JsonObject> Object(std::string_view key,
                            std::initializer_list<std::string_view> allowed_keys) const;

  // Optional fields: nullopt when absent or null; InvalidArgument on the wrong type.
  Result<std::optional<int64_t>> OptionalInt(std::string_view key) const;
  Result<std::optional<double>> OptionalNumber(std::string_view key) const;
  Result<std::optional<bool>> OptionalBool(std::string_view key) const;
  Result<std::optional<std::string>> OptionalString(std::string_view key) const;

  bool Has(std::string_view key) const;
  const nlohmann::json& json() const { return *value_; }

 private:
  JsonObject(const nlohmann::json* value, std::string path_prefix)
      : value_(value), path_prefix_(std::move(path_prefix)) {}
  static Result<JsonObject> MakeAt(const nlohmann::json& value,
                                   std::initializer_list<std::string_view> allowed_keys,
                                   std::string path_prefix);
  // The field's value, nullptr when absent or null.
  const nlohmann::json* Find(std::string_view key) const;
  std::string FieldPath(std::string_view key) const;
  Status Missing(std::string_view key) const;
  Status WrongType(std::string_view key, std::string_view expected) const;

  const nlohmann::json* value_;
  std::string path_prefix_;  // "" at the root, "spec." inside field 'spec'
};

}  // namespace gpufleet::api
