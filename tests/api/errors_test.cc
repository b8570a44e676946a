#include "gpufleet/api/errors.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace gpufleet::api {
namespace {

TEST(ErrorsTest, StatusCodesMapToHttpStatuses) {
  struct Case {
    Status status;
    int http;
    std::string_view code;
  };
  const Case cases[] = {
      {Status::InvalidArgument("m"), 400, "invalid_argument"},
      {Status::Unauthenticated("m"), 401, "unauthenticated"},
      {Status::PermissionDenied("m"), 403, "permission_denied"},
      {Status::NotFound("m"), 404, "not_found"},
      {Status::FailedPrecondition("m"), 409, "failed_precondition"},
      {Status::AlreadyExists("m"), 409, "already_exists"},
      {Status::Aborted("m"), 409, "aborted"},
      {Status::ResourceExhausted("m"), 429, "resource_exhausted"},
      {Status::Corruption("m"), 500, "internal"},
      {Status::IOError("m"), 503, "unavailable"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.status.ToString());
    EXPECT_EQ(HttpStatusFor(c.status.code()), c.http);
    EXPECT_EQ(ErrorCodeName(c.status.code()), c.code);
    const Response response = ErrorResponse(c.status);
    EXPECT_EQ(response.status, c.http);
    EXPECT_EQ(response.content_type, "application/json");
    const nlohmann::json body = nlohmann::json::parse(response.body);
    EXPECT_EQ(body["error"]["code"], c.code);
  }
  EXPECT_EQ(HttpStatusFor(Status::Code::kOk), 200);
}

TEST(ErrorsTest, ClientErrorsKeepTheMessageServerErrorsHideIt) {
  EXPECT_EQ(nlohmann::json::parse(ErrorResponse(Status::NotFound("job '7' not found")).body),
            ErrorBody("not_found", "job '7' not found"));
  const Response internal = ErrorResponse(Status::Corruption("/var/lib/gpufleet/db: bad page"));
  EXPECT_EQ(internal.body.find("/var/lib"), std::string::npos) << internal.body;
  EXPECT_EQ(nlohmann::json::parse(internal.body)["error"]["message"], "internal error");
  const Response unavailable = ErrorResponse(Status::IOError("/var/lib/gpufleet/db: disk full"));
  EXPECT_EQ(unavailable.body.find("/var/lib"), std::string::npos) << unavailable.body;
}

// A store that cannot be reached is a condition the client should wait out, not a bug: 503
// with the wait in Retry-After, which load balancers and the CLI's retries understand.
TEST(ErrorsTest, StoreErrorsAre503WithRetryAfter) {
  const Response response = ErrorResponse(Status::IOError("store: cannot connect"));
  EXPECT_EQ(response.status, 503);
  const auto retry = std::find_if(response.headers.begin(), response.headers.end(),
                                  [](const auto& h) { return h.first == "Retry-After"; });
  ASSERT_NE(retry, response.headers.end());
  EXPECT_EQ(retry->second, std::to_string(kRetryAfterSeconds));
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "unavailable");
}

TEST(ErrorsTest, MalformedJsonNamesLineAndColumn) {
  const Result<nlohmann::json> parsed = ParseJsonBody("{\n  \"name\": ,\n}");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(parsed.status().message().starts_with("malformed JSON at line 2, column 11: "))
      << parsed.status().message();
  EXPECT_NE(parsed.status().message().find("unexpected ','"), std::string::npos)
      << parsed.status().message();

  const Result<nlohmann::json> truncated = ParseJsonBody("{\"a\": [1, 2");
  ASSERT_FALSE(truncated.ok());
  EXPECT_TRUE(truncated.status().message().starts_with("malformed JSON at line 1, column 12: "))
      << truncated.status().message();

  const Result<nlohmann::json> empty = ParseJsonBody("");
  ASSERT_FALSE(empty.ok());
  EXPECT_TRUE(empty.status().message().starts_with("malformed JSON at line 1, column 1: "))
      << empty.status().message();
}

TEST(ErrorsTest, DuplicateKeysAreRejectedAtAnyDepth) {
  EXPECT_EQ(ParseJsonBody(R"({"a": 1, "a": 2})").status().message(), "duplicate field 'a'");
  EXPECT_EQ(ParseJsonBody(R"({"a": {"x": 1, "x": 1}})").status().message(), "duplicate field 'x'");
  // The same key in sibling objects, or inside and outside a nested object, is fine.
  EXPECT_TRUE(ParseJsonBody(R"({"a": {"a": 1}, "b": [{"k": 1}, {"k": 2}]})").ok());
}

// nlohmann throws out_of_range (not parse_error) for a number beyond a double: it is still
// the client's malformed input, named by the field whose value it was.
TEST(ErrorsTest, NumbersBeyondADoubleNameTheirField) {
  EXPECT_EQ(ParseJsonBody(R"({"gpu_count": 1e999})").status().message(),
            "field 'gpu_count': number 1e999 is out of range");
  EXPECT_EQ(ParseJsonBody(R"({"a": {"x": 1}, "b": {"c": [1, -2e308, 3]}})").status().message(),
            "field 'b.c': number -2e308 is out of range");
  EXPECT_EQ(ParseJsonBody("1e999").status().message(), "body: number 1e999 is out of range");
  EXPECT_EQ(ParseJsonBody(R"({"a": 1e999})").status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(ParseJsonBody(R"({"a": 1e308})").ok());
}

TEST(ErrorsTest, IntegralDoublesBeyondInt64AreOutOfRangeNotWrongType) {
  const nlohmann::json body =
      nlohmann::json::parse(R"({"a": 1e30, "b": -1e19, "c": 1e18, "d": 1.5})");
  const Result<JsonObject> fields = JsonObject::Make(body, {"a", "b", "c", "d"});
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ(fields->Int("a").status().message(),
            "field 'a': 1e+30 is out of range for a 64-bit integer");
  EXPECT_EQ(fields->Int("b").status().message(),
            "field 'b': -1e+19 is out of range for a 64-bit integer");
  EXPECT_EQ(fields->Int("c").status().message(), "field 'c': expected an integer");
  EXPECT_EQ(fields->Int("d").status().message(), "field 'd': expected an integer");
}

TEST(ErrorsTest, JsonObjectReadsTypedFieldsStrictly) {
  const nlohmann::json body = nlohmann::json::parse(R"({
    "name": "train", "gpus": 8, "share": 0.5, "preemptible": true, "tags": ["a", "b"],
    "spec": {"memory_mib": 1024}, "note": null
  })");
  const Result<JsonObject> object =
      JsonObject::Make(body, {"name", "gpus", "share", "preemptible", "tags", "spec", "note"});
  ASSERT_TRUE(object.ok()) << object.status().ToString();
  EXPECT_EQ(*object->String("name"), "train");
  EXPECT_EQ(*object->Int("gpus"), 8);
  EXPECT_DOUBLE_EQ(*object->Number("share"), 0.5);
  EXPECT_DOUBLE_EQ(*object->Number("gpus"), 8.0);
  EXPECT_TRUE(*object->Bool("preemptible"));
  EXPECT_EQ(*object->StringList("tags"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*object->OptionalString("note"), std::nullopt);  // null reads as absent
  EXPECT_EQ(*object->OptionalInt("absent"), std::nullopt);
  EXPECT_EQ(*object->OptionalInt("gpus"), 8);

  const Result<JsonObject> spec = object->Object("spec", {"memory_mib"});
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(*spec->Int("memory_mib"), 1024);
  EXPECT_EQ(spec->Bool("memory_mib").status().message(),
            "field 'spec.memory_mib': expected a boolean");
  EXPECT_EQ(object->Object("spec", {}).status().message(), "unknown field 'spec.memory_mib'");
  EXPECT_EQ(object->Object("name", {}).status().message(), "field 'name': expected an object");

  EXPECT_EQ(object->Int("share").status().message(), "field 'share': expected an integer");
  EXPECT_EQ(object->Int("name").status().message(), "field 'name': expected an integer");
  EXPECT_EQ(object->String("gpus").status().message(), "field 'gpus': expected a string");
  EXPECT_EQ(object->Number("name").status().message(), "field 'name': expected a number");
  EXPECT_EQ(object->StringList("name").status().message(),
            "field 'name': expected an array of strings");
  EXPECT_EQ(object->Int("note").status().message(), "missing required field 'note'");
  EXPECT_EQ(object->String("missing").status().message(), "missing required field 'missing'");
}

TEST(ErrorsTest, JsonObjectRejectsUnknownFieldsAndNonObjects) {
  const nlohmann::json body = nlohmann::json::parse(R"({"name": "x", "gpu": 1})");
  EXPECT_EQ(JsonObject::Make(body, {"name", "gpus"}).status().message(), "unknown field 'gpu'");
  EXPECT_EQ(JsonObject::Make(nlohmann::json::array(), {}).status().message(),
            "body: expected a JSON object");
}

TEST(ErrorsTest, IntegersOutsideInt64AreRejected) {
  const nlohmann::json body = nlohmann::json::parse(R"({"n": 18446744073709551615, "m": -3})");
  const Result<JsonObject> object = JsonObject::Make(body, {"n", "m"});
  ASSERT_TRUE(object.ok());
  EXPECT_EQ(object->Int("n").status().message(), "field 'n': integer out of range");
  EXPECT_EQ(*object->Int("m"), -3);
}

}  // namespace
}  // namespace gpufleet::api
