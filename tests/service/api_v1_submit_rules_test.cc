// What a submission may ask for, decided at the door: a job priority within its tenant's
// max_job_priority, a duration the scheduler's clock can hold, and an Idempotency-Key that
// names one request. Each refusal names the field and changes nothing.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "service/api_v1_fixture.h"

namespace gpufleet::service::testing {
namespace {

using ::testing::HasSubstr;

class ApiV1SubmitRules : public ApiV1Test {};

TEST_F(ApiV1SubmitRules, JobPriorityAboveTheTenantsCapIsRefusedNamingTheCap) {
  const Snapshot before = Take();
  const Reply over = Submit(alpha_token_, {{"name", "a"}, {"gpus", 1}, {"priority", 2147483647}});
  EXPECT_EQ(over.status, 400) << over.raw;
  EXPECT_THAT(over.body["error"]["message"].get<std::string>(),
              HasSubstr("field 'priority': 2147483647 is above max_job_priority 1000"));
  EXPECT_EQ(Take(), before);

  const Reply capped =
      Call("PUT", "/v1/tenants/alpha", admin_token_, R"({"max_job_priority": 10})");
  ASSERT_EQ(capped.status, 200) << capped.raw;
  EXPECT_EQ(capped.body["max_job_priority"], 10);
  const Snapshot capped_before = Take();
  EXPECT_EQ(Submit(alpha_token_, {{"name", "a"}, {"gpus", 1}, {"priority", 11}}).status, 400);
  EXPECT_EQ(Take(), capped_before);
  EXPECT_EQ(Submit(alpha_token_, {{"name", "a"}, {"gpus", 1}, {"priority", 10}}).status, 201);
  // The cap is on how high, not how low: a tenant may always defer its own jobs.
  EXPECT_EQ(Submit(alpha_token_, {{"name", "b"}, {"gpus", 1}, {"priority", -50}}).status, 201);
}

TEST_F(ApiV1SubmitRules, DurationOutsideOneYearIsRefusedAndZeroMeansUntilCompleted) {
  const Snapshot before = Take();
  for (const nlohmann::json& duration :
       {nlohmann::json(-1), nlohmann::json(0), nlohmann::json(31536001),
        nlohmann::json(int64_t{10'000'000'000'000'000})}) {
    SCOPED_TRACE(duration.dump());
    const Reply r = Submit(alpha_token_, {{"name", "a"}, {"gpus", 1}, {"duration_s", duration}});
    EXPECT_EQ(r.status, 400) << r.raw;
    EXPECT_THAT(r.raw, HasSubstr("field 'duration_s'"));
    EXPECT_THAT(r.raw, HasSubstr("1..31536000"));
  }
  EXPECT_EQ(Take(), before);
  const Reply year = Submit(alpha_token_, {{"name", "a"}, {"gpus", 1}, {"duration_s", 31536000}});
  ASSERT_EQ(year.status, 201) << year.raw;
  EXPECT_EQ(year.body["duration_s"], 31536000);
  const Reply open = Submit(alpha_token_, {{"name", "b"}, {"gpus", 1}});
  ASSERT_EQ(open.status, 201) << open.raw;
  EXPECT_EQ(open.body["duration_s"], 0) << "omitted: runs until completed (stored as 0)";
}

TEST_F(ApiV1SubmitRules, IdempotencyKeyReusedWithAnotherBodyIs409AndKeepsTheFirstJob) {
  const httplib::Headers key = {{"Idempotency-Key", "nightly"}};
  const Reply first = Submit(alpha_token_, {{"name", "train"}, {"gpus", 1}}, key);
  ASSERT_EQ(first.status, 201) << first.raw;
  const Snapshot before = Take();

  const Reply other = Submit(alpha_token_, {{"name", "train"}, {"gpus", 2}}, key);
  EXPECT_EQ(other.status, 409) << other.raw;
  EXPECT_EQ(other.body["error"]["code"], "already_exists");
  EXPECT_THAT(other.raw, HasSubstr("Idempotency-Key"));
  EXPECT_THAT(other.raw, HasSubstr("job " + std::to_string(first.body["id"].get<uint64_t>())));
  EXPECT_EQ(Take(), before);

  clock_.Advance(5000);
  const Reply same = Submit(alpha_token_, {{"name", "train"}, {"gpus", 1}}, key);
  EXPECT_EQ(same.status, 200) << same.raw;
  EXPECT_EQ(same.body, first.body);
  EXPECT_EQ(Take(), before);
}

TEST_F(ApiV1SubmitRules, TenantUpdateKeepsWhatTheBodyLeavesOut) {
  const Reply bumped = Call("PUT", "/v1/tenants/beta", admin_token_, R"({"priority": 4})");
  ASSERT_EQ(bumped.status, 200) << bumped.raw;
  EXPECT_EQ(bumped.body["name"], "Beta Cloud");
  EXPECT_EQ(bumped.body["org"], "acme-cloud");
  EXPECT_EQ(bumped.body["priority"], 4);
  EXPECT_EQ(bumped.body["max_job_priority"], 1000);

  const Snapshot before = Take();
  const Reply unnamed = Call("PUT", "/v1/tenants/gamma", admin_token_, R"({"org": "lumen-ai"})");
  EXPECT_EQ(unnamed.status, 400) << unnamed.raw;
  EXPECT_THAT(unnamed.raw, HasSubstr("missing required field 'name'"));
  const Reply negative =
      Call("PUT", "/v1/tenants/beta", admin_token_, R"({"max_job_priority": -1})");
  EXPECT_EQ(negative.status, 400) << negative.raw;
  EXPECT_THAT(negative.raw, HasSubstr("field 'max_job_priority'"));
  EXPECT_EQ(Take(), before);
}

// `external` is what the organisation's kind says, so a tenant read with GET can be written
// back; a value that disagrees would be shown but never obeyed, and is refused.
TEST_F(ApiV1SubmitRules, TenantExternalIsAcceptedWhenItAgreesWithTheOrganisation) {
  const Reply agrees = Call("PUT", "/v1/tenants/alpha", admin_token_,
                            R"({"name": "Alpha", "org": "lumen-ai", "external": true})");
  ASSERT_EQ(agrees.status, 200) << agrees.raw;
  EXPECT_EQ(agrees.body["external"], true);
  EXPECT_EQ(agrees.body["name"], "Alpha");

  const Snapshot before = Take();
  const Reply disagrees = Call("PUT", "/v1/tenants/beta", admin_token_, R"({"external": true})");
  EXPECT_EQ(disagrees.status, 400) << disagrees.raw;
  EXPECT_THAT(disagrees.raw, HasSubstr("field 'external'"));
  EXPECT_THAT(disagrees.raw, HasSubstr("acme-cloud"));
  EXPECT_EQ(Take(), before);
}

}  // namespace
}  // namespace gpufleet::service::testing
