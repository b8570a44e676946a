// Licences recorded and revoked through the API: each a rule change and a ledger entry; one id
// twice is 409 and records nothing; a revocation keeps the record and dates its end; the list
// says what each licence amounts to on a date; only an admin writes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "service/api_v1_fixture.h"

namespace gpufleet::service::testing {
namespace {

using ::testing::HasSubstr;

nlohmann::json Granted(const std::string& id) {
  return {{"id", id},
          {"jurisdiction", "US"},
          {"holder", "acme"},
          {"models", {"H20"}},
          {"locations", {"CN"}},
          {"valid_from", "2026-01-01"},
          {"status", "granted"},
          {"revenue_share_pct", 15},
          {"conditions", "15% of China revenue remitted"}};
}

class ApiV1Licences : public ApiV1Test {
 protected:
  // The licence `id` as GET /v1/licences?at= lists it; null when not on file.
  nlohmann::json Listed(const std::string& id, const std::string& at) const {
    const Reply reply = Call("GET", "/v1/licences?at=" + at, admin_token_);
    for (const nlohmann::json& l : reply.body["licences"]) {
      if (l["id"] == id) return l;
    }
    return nullptr;
  }
};

TEST_F(ApiV1Licences, RecordOnceRevokeAndList) {
  const int64_t entries = inventory_->size();
  const Reply recorded = Call("POST", "/v1/licences", admin_token_, Granted("LIC-TEST-1").dump());
  ASSERT_EQ(recorded.status, 201) << recorded.raw;
  EXPECT_EQ(recorded.body["licence"], "LIC-TEST-1");
  EXPECT_EQ(recorded.body["state"], "in_force");
  EXPECT_EQ(recorded.body["entry"], entries);
  EXPECT_EQ(inventory_->size(), entries + 1);

  const nlohmann::json listed = Listed("LIC-TEST-1", "2026-01-01");
  ASSERT_FALSE(listed.is_null());
  EXPECT_EQ(listed["state"], "granted");
  EXPECT_EQ(listed["revenue_share_pct"], 15);
  EXPECT_EQ(listed["models"], nlohmann::json::array({"nvidia-h20-96gb"}));

  // One id twice is 409, and so is the id of a licence the overlay holds; nothing recorded.
  for (const std::string id : {"LIC-TEST-1", "LIC-H20-2025-001"}) {
    const Reply again = Call("POST", "/v1/licences", admin_token_, Granted(id).dump());
    EXPECT_EQ(again.status, 409) << again.raw;
    EXPECT_THAT(again.raw, HasSubstr(id));
  }
  EXPECT_EQ(inventory_->size(), entries + 1);

  // Revoked from March: granted before, revoked from then on, the conditions kept.
  const Reply revoked =
      Call("POST", "/v1/licences/LIC-TEST-1/revoke", admin_token_, R"({"on": "2026-03-01"})");
  ASSERT_EQ(revoked.status, 201) << revoked.raw;
  EXPECT_EQ(inventory_->size(), entries + 2);
  EXPECT_EQ(Listed("LIC-TEST-1", "2026-02-28")["state"], "granted");
  const nlohmann::json after = Listed("LIC-TEST-1", "2026-03-01");
  EXPECT_EQ(after["state"], "revoked");
  EXPECT_EQ(after["revoked_on"], "2026-03-01");
  EXPECT_EQ(after["conditions"], "15% of China revenue remitted");
  EXPECT_EQ(Call("POST", "/v1/licences/LIC-TEST-1/revoke", admin_token_).status, 409);
  EXPECT_EQ(Call("POST", "/v1/licences/LIC-NONE/revoke", admin_token_).status, 404);
  // A revoked licence keeps its id.
  EXPECT_EQ(Call("POST", "/v1/licences", admin_token_, Granted("LIC-TEST-1").dump()).status, 409);

  // Both steps are rule changes, listed with the others.
  const nlohmann::json changes = Call("GET", "/v1/rules/changes", admin_token_).body.at("changes");
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0]["name"], "licence LIC-TEST-1");
  EXPECT_EQ(changes[1]["name"], "revoke licence LIC-TEST-1");

  // Reloaded from the store, a service has the same licences.
  InventoryService reloaded(*store_, clock_, *fleet().catalog, *fleet().engine);
  reloaded.SetRuleBase(SharedRulesText(), "default.yaml + acme-rules.yaml");
  ASSERT_TRUE(reloaded.Load().ok());
  const std::optional<RuleVersion> v = reloaded.RulesAt(kStartMs + 86'400'000LL * 90);
  ASSERT_TRUE(v.has_value());
  bool found = false;
  for (const compliance::Licence& l : v->rules->licences()) {
    if (l.id != "LIC-TEST-1") continue;
    found = true;
    EXPECT_EQ(l.status, compliance::LicenceStatus::kRevoked);
  }
  EXPECT_TRUE(found);
}

TEST_F(ApiV1Licences, BadRecordsAreRefusedWithTheFieldNamed) {
  const int64_t entries = inventory_->size();
  struct Case {
    nlohmann::json body;
    int status;
    std::string says;
  };
  nlohmann::json no_holder = Granted("LIC-BAD-1");
  no_holder.erase("holder");
  nlohmann::json unknown_model = Granted("LIC-BAD-2");
  unknown_model["models"] = {"no-such-chip"};
  nlohmann::json bad_status = Granted("LIC-BAD-3");
  bad_status["status"] = "approved";
  nlohmann::json colour = Granted("LIC-BAD-4");
  colour["colour"] = "red";
  nlohmann::json past = Granted("LIC-BAD-5");
  past["effective_at"] = "2025-12-31";
  nlohmann::json share = Granted("LIC-BAD-6");
  share["revenue_share_pct"] = 140;
  for (const Case& c : std::vector<Case>{
           {nlohmann::json::object(), 400, "id"},
           {no_holder, 400, "holder"},
           {unknown_model, 400, "no-such-chip"},
           {bad_status, 400, "approved"},
           {colour, 400, "colour"},
           {past, 400, "past"},
           {share, 400, "revenue_share_pct"},
       }) {
    const Reply r = Call("POST", "/v1/licences", admin_token_, c.body.dump());
    EXPECT_EQ(r.status, c.status) << c.body << ": " << r.raw;
    EXPECT_THAT(r.raw, HasSubstr(c.says)) << c.body;
  }
  EXPECT_EQ(Call("POST", "/v1/licences/LIC-H20-2025-001/revoke", admin_token_, R"({"on": "March"})")
                .status,
            400);
  EXPECT_EQ(inventory_->size(), entries) << "nothing refused reached the ledger";
}

TEST_F(ApiV1Licences, OnlyAnAdminRecordsOrRevokes) {
  EXPECT_EQ(Call("POST", "/v1/licences", alpha_token_, Granted("LIC-T").dump()).status, 403);
  EXPECT_EQ(Call("POST", "/v1/licences/LIC-H20-2025-001/revoke", alpha_token_).status, 403);
  EXPECT_EQ(Call("GET", "/v1/licences", alpha_token_).status, 403);
  const Reply listed = Call("GET", "/v1/licences?at=2026-01-15", admin_token_);
  ASSERT_EQ(listed.status, 200) << listed.raw;
  EXPECT_EQ(Listed("LIC-H200-2026-007", "2026-01-15")["state"], "pending");
}

}  // namespace
}  // namespace gpufleet::service::testing
