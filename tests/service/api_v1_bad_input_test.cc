// Bad input on the v1 routes, and jobs the fleet could never run (422): each request gets the
// right 4xx with a JSON error
// {"error": {"code", "message"}} naming what was wrong, and changes nothing (jobs, tenants,
// quotas and events are compared before and after, and the scheduler is not woken).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "service/api_v1_fixture.h"

namespace gpufleet::service::testing {
namespace {

using ::testing::HasSubstr;

struct Case {
  std::string name;
  std::string method;
  std::string path;
  std::string body;
  int status;
  std::string code;
  std::string message;  // a substring of the error message
  bool as_admin = false;
  httplib::Headers headers = {};
};

// A catalog model the example fleet has no GPUs of.
std::string ModelNotInFleet(const FleetContext& ctx) {
  const auto capacity = CapacityByModel(ctx);
  for (const catalog::AcceleratorSpec& m : ctx.catalog->models()) {
    if (!capacity.contains(m.id)) return m.id;
  }
  ADD_FAILURE() << "every catalog model is in the example fleet";
  return "";
}

class ApiV1BadInput : public ApiV1Test {
 protected:
  void SetUp() override {
    ApiV1Test::SetUp();
    job_ = SubmitOk(alpha_token_, {{"name", "existing"}, {"gpus", 1}});
  }
  uint64_t job_ = 0;
};

TEST_F(ApiV1BadInput, EachGetsTheRight4xxAndChangesNothing) {
  const std::string model = SomeModel();
  const ModelCapacity cap = CapacityByModel(fleet()).at(model);
  const std::string models = "\"models\": [\"" + model + "\"]";
  const std::string too_wide = std::to_string(cap.largest_node + 1);
  const std::string too_many = std::to_string(cap.gpus / cap.largest_node + 1);
  const std::string job = std::to_string(job_);
  const std::string huge = R"({"name": ")" + std::string(2 << 20, 'x') + R"(", "gpus": 1})";

  const std::vector<Case> cases = {
      // Bodies.
      {"malformed JSON", "POST", "/v1/jobs", "{\n  \"name\": ,\n}", 400, "invalid_argument",
       "malformed JSON at line 2, column 11"},
      {"not an object", "POST", "/v1/jobs", "[1]", 400, "invalid_argument",
       "body: expected a JSON object"},
      {"empty body", "POST", "/v1/jobs", "", 400, "invalid_argument", "malformed JSON"},
      {"duplicate key", "POST", "/v1/jobs", R"({"name": "a", "name": "b", "gpus": 1})", 400,
       "invalid_argument", "duplicate field 'name'"},
      {"unknown field", "POST", "/v1/jobs", R"({"name": "a", "gpus": 1, "gpu": 2})", 400,
       "invalid_argument", "unknown field 'gpu'"},
      {"missing name", "POST", "/v1/jobs", R"({"gpus": 1})", 400, "invalid_argument",
       "missing required field 'name'"},
      {"gpus wrong type", "POST", "/v1/jobs", R"({"name": "a", "gpus": "eight"})", 400,
       "invalid_argument", "field 'gpus': expected a number"},
      {"gpus zero", "POST", "/v1/jobs", R"({"name": "a", "gpus": 0})", 400, "invalid_argument",
       "field 'gpus'"},
      {"gpus negative", "POST", "/v1/jobs", R"({"name": "a", "gpus": -2})", 400, "invalid_argument",
       "field 'gpus'"},
      {"gpus over 64", "POST", "/v1/jobs", R"({"name": "a", "gpus": 65})", 400, "invalid_argument",
       "field 'gpus'"},
      {"gpus 1.5", "POST", "/v1/jobs", R"({"name": "a", "gpus": 1.5})", 400, "invalid_argument",
       "either whole GPUs or a fraction of one GPU, not 1.5"},
      {"gpus finer than 0.001", "POST", "/v1/jobs", R"({"name": "a", "gpus": 0.0005})", 400,
       "invalid_argument", "steps of 0.001"},
      {"replicas zero", "POST", "/v1/jobs", R"({"name": "a", "gpus": 1, "replicas": 0})", 400,
       "invalid_argument", "field 'replicas': 0 is outside 1..4096"},
      {"replicas a string", "POST", "/v1/jobs", R"({"name": "a", "gpus": 1, "replicas": "2"})", 400,
       "invalid_argument", "field 'replicas': expected an integer"},
      {"priority beyond int32", "POST", "/v1/jobs",
       R"({"name": "a", "gpus": 1, "priority": 3000000000})", 400, "invalid_argument",
       "field 'priority'"},
      {"negative memory", "POST", "/v1/jobs", R"({"name": "a", "gpus": 1, "memory_mib": -1})", 400,
       "invalid_argument", "field 'memory_mib': -1 is negative"},
      {"models not a list", "POST", "/v1/jobs", R"({"name": "a", "gpus": 1, "models": "h100"})",
       400, "invalid_argument", "field 'models': expected an array of strings"},
      {"unknown model", "POST", "/v1/jobs", R"({"name": "a", "gpus": 1, "models": ["nope"]})", 400,
       "invalid_argument", "'nope' is not in the catalog"},
      {"model not in fleet", "POST", "/v1/jobs",
       R"({"name": "a", "gpus": 1, "models": [")" + ModelNotInFleet(fleet()) + R"("]})", 422,
       "unschedulable", "has no GPUs in the fleet"},
      {"bad data class", "POST", "/v1/jobs",
       R"({"name": "a", "gpus": 1, "data_class": "Personal Data"})", 400, "invalid_argument",
       "field 'data_class': 'Personal Data' is not a data class"},
      {"tenant field wrong type", "POST", "/v1/jobs", R"({"name": "a", "gpus": 1, "tenant": 3})",
       400, "invalid_argument", "field 'tenant': expected a string"},
      {"replica wider than any node", "POST", "/v1/jobs",
       R"({"name": "a", "gpus": )" + too_wide + ", " + models + "}", 422, "unschedulable",
       "a replica needs " + too_wide + " GPUs but the largest node of the accepted models has " +
           std::to_string(cap.largest_node)},
      {"more GPUs than the models have", "POST", "/v1/jobs",
       R"({"name": "a", "gpus": )" + std::to_string(cap.largest_node) + R"(, "replicas": )" +
           too_many + ", " + models + "}",
       422, "unschedulable",
       "the job needs " + std::to_string(cap.largest_node * std::stoll(too_many)) + " GPUs (" +
           too_many + " replicas) but the accepted models have " + std::to_string(cap.gpus)},
      {"more GPUs than the fleet has", "POST", "/v1/jobs",
       R"({"name": "a", "gpus": 1, "replicas": 4096})", 422, "unschedulable",
       "the job needs 4096 GPUs (4096 replicas) but the fleet has " +
           std::to_string(fleet().fleet.fleet.total_gpus())},
      {"no node has the memory", "POST", "/v1/jobs",
       R"({"name": "a", "gpus": 1, "memory_mib": 999999999999})", 422, "unschedulable",
       "memory_mib 999999999999"},
      {"idempotency key too long",
       "POST",
       "/v1/jobs",
       R"({"name": "a", "gpus": 1})",
       400,
       "invalid_argument",
       "header 'Idempotency-Key'",
       false,
       {{"Idempotency-Key", std::string(1025, 'k')}}},
      {"huge body", "POST", "/v1/jobs", huge, 413, "resource_exhausted", "bytes"},
      // Numbers beyond a double (nlohmann cannot hold them) or beyond an integer field.
      {"gpus 1e999", "POST", "/v1/jobs", R"({"name": "a", "gpus": 1e999})", 400, "invalid_argument",
       "field 'gpus': number 1e999 is out of range"},
      {"any field 1e999", "POST", "/v1/jobs", R"({"name": "a", "gpus": 1, "gpu_count": 1e999})",
       400, "invalid_argument", "field 'gpu_count': number 1e999 is out of range"},
      {"negative overflow", "POST", "/v1/jobs", R"({"name": "a", "gpus": 1, "duration_s": -1e999})",
       400, "invalid_argument", "field 'duration_s': number -1e999 is out of range"},
      {"in an array", "POST", "/v1/jobs", R"({"name": "a", "gpus": 1, "models": [1, 2e400]})", 400,
       "invalid_argument", "field 'models': number 2e400 is out of range"},
      {"replicas 1e30", "POST", "/v1/jobs", R"({"name": "a", "gpus": 1, "replicas": 1e30})", 400,
       "invalid_argument", "field 'replicas': 1e+30 is out of range for a 64-bit integer"},
      {"duration a 30-digit integer", "POST", "/v1/jobs",
       R"({"name": "a", "gpus": 1, "duration_s": 100000000000000000000000000000})", 400,
       "invalid_argument", "field 'duration_s': 1e+29 is out of range for a 64-bit integer"},
      {"gpus 1e30", "POST", "/v1/jobs", R"({"name": "a", "gpus": 1e30})", 400, "invalid_argument",
       "field 'gpus'"},
      {"memory beyond int64", "POST", "/v1/jobs",
       R"({"name": "a", "gpus": 1, "memory_mib": 10000000000000000000})", 400, "invalid_argument",
       "field 'memory_mib': integer out of range"},
      {"admin without tenant", "POST", "/v1/jobs", R"({"name": "a", "gpus": 1})", 400,
       "invalid_argument", "missing required field 'tenant'", true},
      {"admin with unknown tenant", "POST", "/v1/jobs",
       R"({"name": "a", "gpus": 1, "tenant": "nobody"})", 400, "invalid_argument",
       "tenant: unknown 'nobody'", true},
      {"unknown query parameter on submit", "POST", "/v1/jobs?dry=1", R"({"name": "a", "gpus": 1})",
       400, "invalid_argument", "unknown query parameter 'dry'"},
      // Ids.
      {"job id letters", "GET", "/v1/jobs/abc", "", 400, "invalid_argument",
       "job id 'abc' is not a positive integer"},
      {"job id negative", "GET", "/v1/jobs/-1", "", 400, "invalid_argument",
       "job id '-1' is not a positive integer"},
      {"job id zero", "GET", "/v1/jobs/0", "", 400, "invalid_argument", "job id '0'"},
      {"job id overflow", "GET", "/v1/jobs/99999999999999999999999", "", 400, "invalid_argument",
       "is not a positive integer"},
      {"job id with sign", "GET", "/v1/jobs/+1", "", 400, "invalid_argument",
       "is not a positive integer"},
      {"cancel bad id", "POST", "/v1/jobs/1x/cancel", "", 400, "invalid_argument", "job id '1x'"},
      {"complete bad id", "POST", "/v1/jobs/1.0/complete", "", 400, "invalid_argument",
       "job id '1.0'"},
      {"cancel missing job", "POST", "/v1/jobs/987654/cancel", "", 404, "not_found",
       "job '987654' not found"},
      {"cancel with a body field", "POST", "/v1/jobs/" + job + "/cancel", R"({"force": true})", 400,
       "invalid_argument", "unknown field 'force'"},
      // Query parameters.
      {"limit zero", "GET", "/v1/jobs?limit=0", "", 400, "invalid_argument", "limit '0'"},
      {"limit too large", "GET", "/v1/jobs?limit=1001", "", 400, "invalid_argument",
       "limit '1001' is not an integer in 1..1000"},
      {"limit letters", "GET", "/v1/events?limit=ten", "", 400, "invalid_argument", "limit 'ten'"},
      {"after negative", "GET", "/v1/jobs?after=-3", "", 400, "invalid_argument",
       "after '-3' is not a positive integer"},
      {"bad state", "GET", "/v1/jobs?state=done", "", 400, "invalid_argument",
       "query parameter 'state': 'done'"},
      {"unknown list parameter", "GET", "/v1/jobs?owner=alpha", "", 400, "invalid_argument",
       "unknown query parameter 'owner'"},
      {"repeated parameter", "GET", "/v1/jobs?limit=1&limit=2", "", 400, "invalid_argument",
       "given more than once"},
      {"events bad job", "GET", "/v1/events?job=zero", "", 400, "invalid_argument",
       "job 'zero' is not a positive integer"},
      {"events bad after", "GET", "/v1/events?after=1e3", "", 400, "invalid_argument",
       "after '1e3'"},
      {"nodes unknown site", "GET", "/v1/nodes?site=atlantis", "", 400, "invalid_argument",
       "no site 'atlantis' in the fleet"},
      {"nodes unknown model", "GET", "/v1/nodes?model=nope", "", 400, "invalid_argument",
       "no model 'nope' in the fleet"},
      {"nodes unknown cursor", "GET", "/v1/nodes?after=nowhere", "", 400, "invalid_argument",
       "no node 'nowhere' in the fleet"},
      {"models takes no parameters", "GET", "/v1/models?all=1", "", 400, "invalid_argument",
       "unknown query parameter 'all'"},
      // Tenants, quotas, tokens.
      {"tenant id not a slug", "PUT", "/v1/tenants/Bad_Id", R"({"name": "x", "org": "lumen-ai"})",
       400, "invalid_argument", "'Bad_Id' is not 1..63 characters of [a-z0-9-]", true},
      {"tenant unknown org", "PUT", "/v1/tenants/gamma", R"({"name": "x", "org": "nope"})", 400,
       "invalid_argument", "field 'org': no organisation 'nope' in the fleet inventory", true},
      {"tenant missing name", "PUT", "/v1/tenants/gamma", R"({"org": "lumen-ai"})", 400,
       "invalid_argument", "missing required field 'name'", true},
      {"tenant priority a string", "PUT", "/v1/tenants/gamma",
       R"({"name": "x", "org": "lumen-ai", "priority": "high"})", 400, "invalid_argument",
       "field 'priority': expected an integer", true},
      {"tenant unknown field", "PUT", "/v1/tenants/gamma",
       R"({"name": "x", "org": "lumen-ai", "tier": "gold"})", 400, "invalid_argument",
       "unknown field 'tier'", true},
      {"quota unknown model", "PUT", "/v1/tenants/alpha/quotas/nope", R"({"guaranteed_gpus": 1})",
       400, "invalid_argument", "model 'nope' is not in the catalog", true},
      {"quota model not in fleet", "PUT", "/v1/tenants/alpha/quotas/" + ModelNotInFleet(fleet()),
       R"({"guaranteed_gpus": 1})", 400, "invalid_argument", "has no GPUs in the fleet", true},
      {"quota negative", "PUT", "/v1/tenants/alpha/quotas/" + model, R"({"guaranteed_gpus": -1})",
       400, "invalid_argument", "field 'guaranteed_gpus'", true},
      {"quota fractional", "PUT", "/v1/tenants/alpha/quotas/" + model,
       R"({"guaranteed_gpus": 1.5})", 400, "invalid_argument",
       "field 'guaranteed_gpus': expected an integer", true},
      {"quota 1e30", "PUT", "/v1/tenants/alpha/quotas/" + model, R"({"guaranteed_gpus": 1e30})",
       400, "invalid_argument", "field 'guaranteed_gpus': 1e+30 is out of range", true},
      {"quota 1e999", "PUT", "/v1/tenants/alpha/quotas/" + model, R"({"guaranteed_gpus": 1e999})",
       400, "invalid_argument", "field 'guaranteed_gpus': number 1e999 is out of range", true},
      {"tenant priority 1e999", "PUT", "/v1/tenants/gamma",
       R"({"name": "x", "org": "lumen-ai", "priority": 1e999})", 400, "invalid_argument",
       "field 'priority': number 1e999 is out of range", true},
      {"tenant priority -1e30", "PUT", "/v1/tenants/gamma",
       R"({"name": "x", "org": "lumen-ai", "priority": -1e30})", 400, "invalid_argument",
       "field 'priority': -1e+30 is out of range", true},
      {"quota for missing tenant", "PUT", "/v1/tenants/gamma/quotas/" + model,
       R"({"guaranteed_gpus": 1})", 404, "not_found", "tenant 'gamma' not found", true},
      {"token for missing tenant", "POST", "/v1/tenants/gamma/tokens", "", 404, "not_found",
       "tenant 'gamma' not found", true},
      {"token with a body field", "POST", "/v1/tenants/alpha/tokens", R"({"role": "admin"})", 400,
       "invalid_argument", "unknown field 'role'", true},
      {"missing tenant", "GET", "/v1/tenants/gamma", "", 404, "not_found",
       "tenant 'gamma' not found", true},
      {"jobs of missing tenant", "GET", "/v1/jobs?tenant=gamma", "", 404, "not_found",
       "tenant 'gamma' not found", true},
  };

  const Snapshot before = Take();
  ASSERT_EQ(before.jobs.size(), 1u);
  const int changes = changes_;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name + ": " + c.method + " " + c.path.substr(0, 100));
    const Reply r =
        Call(c.method, c.path, c.as_admin ? admin_token_ : alpha_token_, c.body, c.headers);
    EXPECT_EQ(r.status, c.status) << r.raw.substr(0, 300);
    ASSERT_TRUE(r.body.is_object()) << r.raw.substr(0, 300);
    ASSERT_TRUE(r.body.contains("error"));
    EXPECT_EQ(r.body["error"].size(), 2u);
    EXPECT_EQ(r.body["error"]["code"], c.code);
    EXPECT_THAT(r.body["error"]["message"].get<std::string>(), HasSubstr(c.message));
  }
  EXPECT_EQ(Take(), before);
  EXPECT_EQ(changes_, changes);
}

TEST_F(ApiV1BadInput, FinishedJobCannotBeFinishedAgain) {
  ASSERT_EQ(Call("POST", "/v1/jobs/" + std::to_string(job_) + "/cancel", alpha_token_).status, 200);
  const Snapshot before = Take();
  for (const char* action : {"/cancel", "/complete"}) {
    const Reply r = Call("POST", "/v1/jobs/" + std::to_string(job_) + action, alpha_token_);
    EXPECT_EQ(r.status, 409) << r.raw;
    EXPECT_EQ(r.body["error"]["code"], "failed_precondition");
  }
  EXPECT_EQ(Take(), before);
}

// Messages quote what the client sent, but at most 200 bytes of each value: a 50 kB field
// name or a 4 kB path or query parameter (under the request line limit) is not echoed whole.
TEST_F(ApiV1BadInput, MessagesQuoteLongInputAsAnExcerpt) {
  const std::string huge(50'000, 'x');
  const std::string long_segment(4'000, 'x');
  const std::vector<Reply> replies = {
      Submit(alpha_token_, {{"name", "j"}, {"gpus", 1}, {huge, 1}}),
      Submit(alpha_token_, {{"name", "j"}, {"gpus", 1}, {"models", {huge}}}),
      Call("GET", "/v1/" + long_segment, alpha_token_),
      Call("GET", "/v1/jobs?" + long_segment + "=1", alpha_token_),
      Call("GET", "/v1/jobs/" + long_segment, alpha_token_),
      Call("GET", "/v1/tenants/" + long_segment, alpha_token_),
  };
  for (const Reply& r : replies) {
    ASSERT_GE(r.status, 400) << r.raw.substr(0, 300);
    ASSERT_LT(r.status, 500) << r.raw.substr(0, 300);
    const std::string message = r.body["error"]["message"];
    EXPECT_LT(message.size(), 400u) << message.substr(0, 300);
    EXPECT_NE(message.find("xxxx"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace gpufleet::service::testing
