#include "gpufleet/api/errors.h"

#include <cmath>
#include <limits>
#include <set>

#include "gpufleet/model/utf8.h"

namespace gpufleet::api {
namespace {

constexpr int kHttpInternalError = 500;
constexpr int kHttpUnavailable = 503;

// "at line L, column C" for the 1-based byte position nlohmann reports (the last byte read).
std::string Where(std::string_view text, size_t byte) {
  const size_t offset = byte == 0 ? 0 : std::min(byte - 1, text.size());
  size_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(offset - line_start + 1);
}

// nlohmann's what() is "[json.exception.parse_error.101] parse error at line 1, column 2:
// syntax error ..."; keep the part after the position, which says what was wrong.
std::string ParseErrorDetail(const std::string& what) {
  const size_t column = what.find("column ");
  if (column != std::string::npos) {
    const size_t colon = what.find(": ", column);
    if (colon != std::string::npos) return what.substr(colon + 2);
  }
  const size_t bracket = what.find("] ");
  return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

}  // namespace

int HttpStatusFor(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return 200;
    case Status::Code::kInvalidArgument:
      return 400;
    case Status::Code::kUnauthenticated:
      return 401;
    case Status::Code::kPermissionDenied:
      return 403;
    case Status::Code::kNotFound:
      return 404;
    case Status::Code::kFailedPrecondition:
    case Status::Code::kAlreadyExists:
    case Status::Code::kAborted:
      return 409;
    case Status::Code::kResourceExhausted:
      return 429;
    case Status::Code::kIOError:
      return kHttpUnavailable;
    case Status::Code::kCorruption:
      return kHttpInternalError;
  }
  return kHttpInternalError;
}

std::string_view ErrorCodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return "ok";
    case Status::Code::kInvalidArgument:
      return "invalid_argument";
    case Status::Code::kUnauthenticated:
      return "unauthenticated";
    case Status::Code::kPermissionDenied:
      return "permission_denied";
    case Status::Code::kNotFound:
      return "not_found";
    case Status::Code::kFailedPrecondition:
      return "failed_precondition";
    case Status::Code::kAlreadyExists:
      return "already_exists";
    case Status::Code::kAborted:
      return "aborted";
    case Status::Code::kResourceExhausted:
      return "resource_exhausted";
    case Status::Code::kIOError:
      return "unavailable";
    case Status::Code::kCorruption:
      return "internal";
  }
  return "internal";
}

nlohmann::json ErrorBody(std::string_view code, std::string_view message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

Response ErrorResponse(int http_status, std::string_view code, std::string_view message) {
  return Response::Json(http_status, ErrorBody(code, message));
}

Response ErrorResponse(const Status& status) {
  const int http = HttpStatusFor(status.code());
  if (http == kHttpUnavailable) return UnavailableResponse();
  if (http >= kHttpInternalError) return ErrorResponse(http, "internal", "internal error");
  return ErrorResponse(http, ErrorCodeName(status.code()), status.message());
}

Response UnavailableResponse() {
  Response response = ErrorResponse(
      kHttpUnavailable, "unavailable",
      "the store is unavailable; retry after " + std::to_string(kRetryAfterSeconds) + " s");
  response.headers.emplace_back("Retry-After", std::to_string(kRetryAfterSeconds));
  return response;
}

Result<nlohmann::json> ParseJsonBody(std::string_view body) {
  // Duplicate keys: nlohmann keeps the last silently; a strict API says so instead. The
  // callback sees each key as it is read, with `depth` telling which open object it is in.
  std::vector<std::set<std::string>> keys_by_depth;
  std::optional<std::string> duplicate;
  // The key most recently read in each open object, so that a number nlohmann cannot hold
  // (1e999) is reported with the field it was the value of.
  std::vector<std::string> key_path;
  const auto callback = [&](int depth, nlohmann::json::parse_event_t event,
                            nlohmann::json& parsed) {
    const size_t level = static_cast<size_t>(depth);
    if (event == nlohmann::json::parse_event_t::object_start) {
      if (keys_by_depth.size() <= level) keys_by_depth.resize(level + 1);
      keys_by_depth[level].clear();
    } else if (event == nlohmann::json::parse_event_t::key) {
      // Keys are reported one level deeper than the object_start of their object.
      const size_t object_level = level == 0 ? 0 : level - 1;
      key_path.resize(object_level + 1);
      key_path[object_level] = parsed.get<std::string>();
      if (keys_by_depth.size() <= object_level) keys_by_depth.resize(object_level + 1);
      if (!duplicate && !keys_by_depth[object_level].insert(parsed.get<std::string>()).second) {
        duplicate = parsed.get<std::string>();
      }
    }
    return true;
  };
  try {
    nlohmann::json value = nlohmann::json::parse(body.begin(), body.end(), callback);
    if (duplicate) return Status::InvalidArgument("duplicate field '" + Excerpt(*duplicate) + "'");
    return value;
  } catch (const nlohmann::json::parse_error& e) {
    return Status::InvalidArgument("malformed JSON at " + Where(body, e.byte) + ": " +
                                   ParseErrorDetail(e.what()));
  } catch (const nlohmann::json::out_of_range& e) {
    // A number beyond a double ("number overflow parsing '1e999'"): nlohmann throws
    // out_of_range, which is the client's error, not the server's.
    std::string field;
    for (const std::string& key : key_path) field += (field.empty() ? "" : ".") + key;
    const std::string what = e.what();
    const size_t open = what.find('\'');
    const size_t close = what.rfind('\'');
    const std::string number =
        open < close ? Excerpt(std::string_view(what).substr(open + 1, close - open - 1)) : "";
    return Status::InvalidArgument(
        (field.empty() ? std::string("body") : "field '" + Excerpt(field) + "'") + ": number " +
        number + " is out of range");
  }
}

Result<JsonObject> JsonObject::Make(const nlohmann::json& value,
                                    std::initializer_list<std::string_view> allowed_keys) {
  return MakeAt(value, allowed_keys, "");
}

Result<JsonObject> JsonObject::MakeAt(const nlohmann::json& value,
                                      std::initializer_list<std::string_view> allowed_keys,
                                      std::string path_prefix) {
  if (!value.is_object()) {
    if (path_prefix.empty()) return Status::InvalidArgument("body: expected a JSON object");
    path_prefix.pop_back();  // the trailing '.'
    return Status::InvalidArgument("field '" + path_prefix + "': expected an object");
  }
  for (const auto& [key, unused] : value.items()) {
    bool allowed = false;
    for (const std::string_view a : allowed_keys) allowed = allowed || a == key;
    if (!allowed)
      return Status::InvalidArgument("unknown field '" + Excerpt(path_prefix + key) + "'");
  }
  return JsonObject(&value, std::move(path_prefix));
}

const nlohmann::json* JsonObject::Find(std::string_view key) const {
  const auto it = value_->find(key);
  if (it == value_->end() || it->is_null()) return nullptr;
  return &*it;
}

bool JsonObject::Has(std::string_view key) const { return Find(key) != nullptr; }

std::string JsonObject::FieldPath(std::string_view key) const {
  return path_prefix_ + std::string(key);
}

Status JsonObject::Missing(std::string_view key) const {
  return Status::InvalidArgument("missing required field '" + FieldPath(key) + "'");
}

Status JsonObject::WrongType(std::string_view key, std::string_view expected) const {
  return Status::InvalidArgument("field '" + FieldPath(key) + "': expected " +
                                 std::string(expected));
}

Result<std::optional<int64_t>> JsonObject::OptionalInt(std::string_view key) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return std::optional<int64_t>();
  if (v->is_number_float()) {
    // 1e30, or an integer literal too long for 64 bits (nlohmann reads it as a double): say
    // that it is out of range rather than that it is not an integer.
    const double d = v->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::abs(d) >= 0x1p63) {
      return Status::InvalidArgument("field '" + FieldPath(key) + "': " + v->dump() +
                                     " is out of range for a 64-bit integer");
    }
  }
  if (!v->is_number_integer()) return WrongType(key, "an integer");
  if (v->is_number_unsigned() &&
      v->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Status::InvalidArgument("field '" + FieldPath(key) + "': integer out of range");
  }
  return std::optional<int64_t>(v->get<int64_t>());
}

Result<std::optional<double>> JsonObject::OptionalNumber(std::string_view key) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return std::optional<double>();
  if (!v->is_number()) return WrongType(key, "a number");
  return std::optional<double>(v->get<double>());
}

Result<std::optional<bool>> JsonObject::OptionalBool(std::string_view key) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return std::optional<bool>();
  if (!v->is_boolean()) return WrongType(key, "a boolean");
  return std::optional<bool>(v->get<bool>());
}

Result<std::optional<std::string>> JsonObject::OptionalString(std::string_view key) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return WrongType(key, "a string");
  return std::optional<std::string>(v->get<std::string>());
}

namespace {

// A required field from its optional reader: missing becomes an error.
template <typename T>
Result<T> Require(Result<std::optional<T>> field, const Status& missing) {
  if (!field.ok()) return field.status();
  if (!field->has_value()) return missing;
  return std::move(**field);
}

}  // namespace

Result<int64_t> JsonObject::Int(std::string_view key) const {
  return Require(OptionalInt(key), Missing(key));
}

Result<double> JsonObject::Number(std::string_view key) const {
  return Require(OptionalNumber(key), Missing(key));
}

Result<bool> JsonObject::Bool(std::string_view key) const {
  return Require(OptionalBool(key), Missing(key));
}

Result<std::string> JsonObject::String(std::string_view key) const {
  return Require(OptionalString(key), Missing(key));
}

Result<std::vector<std::string>> JsonObject::StringList(std::string_view key) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return Missing(key);
  if (!v->is_array()) return WrongType(key, "an array of strings");
  std::vector<std::string> out;
  out.reserve(v->size());
  for (const nlohmann::json& element : *v) {
    if (!element.is_string()) return WrongType(key, "an array of strings");
    out.push_back(element.get<std::string>());
  }
  return out;
}

Result<JsonObject> JsonObject::Object(std::string_view key,
                                      std::initializer_list<std::string_view> allowed_keys) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return Missing(key);
  return MakeAt(*v, allowed_keys, FieldPath(key) + ".");
}

}  // namespace gpufleet::api
