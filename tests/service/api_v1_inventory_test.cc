// The living inventory over the v1 API: assets listed and paged, one asset and its chain of
// custody, and changes, refused with the status the issue names (404 unknown serial, site or
// organisation; 409 a second register; 400 a change more than 5 minutes ahead or back-dated
// without a reason; 422 a move the rules forbid, with the verdict and the rules) and, when
// accepted, recorded with the licence that allowed them and seen at once.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "service/api_v1_fixture.h"

namespace gpufleet::service::testing {
namespace {

using ::testing::HasSubstr;

class ApiV1Inventory : public ApiV1Test {
 protected:
  void SetUp() override {
    ApiV1Test::SetUp();
    const Reply made = Call("POST", "/v1/tokens", admin_token_, R"({"role": "inventory"})");
    ASSERT_EQ(made.status, 201) << made.raw;
    inventory_token_ = made.body["token"];
  }

  Reply Post(const nlohmann::json& body) {
    return Call("POST", "/v1/inventory/changes", inventory_token_, body.dump());
  }

  nlohmann::json Asset(const std::string& serial) {
    const Reply r = Call("GET", "/v1/assets/" + serial, admin_token_);
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body;
  }

  std::string inventory_token_;
};

TEST_F(ApiV1Inventory, AssetsPageBySerialAndFilter) {
  std::vector<std::string> serials;
  for (std::string after;;) {
    const Reply r =
        Call("GET", "/v1/assets?limit=7" + (after.empty() ? "" : "&after=" + after), admin_token_);
    ASSERT_EQ(r.status, 200) << r.raw;
    for (const nlohmann::json& a : r.body["assets"]) serials.push_back(a["serial"]);
    if (r.body["next_after"].is_null()) break;
    after = r.body["next_after"];
  }
  std::set<std::string> expected;
  for (const inventory::Asset& a : fleet().inventory.assets()) expected.insert(a.serial);
  EXPECT_EQ(std::set<std::string>(serials.begin(), serials.end()), expected);
  EXPECT_TRUE(std::is_sorted(serials.begin(), serials.end()));
  EXPECT_EQ(serials.size(), expected.size()) << "each asset once";

  const Reply sg = Call("GET", "/v1/assets?site=sg-01&limit=1000", admin_token_);
  ASSERT_EQ(sg.status, 200);
  EXPECT_FALSE(sg.body["assets"].empty());
  for (const nlohmann::json& a : sg.body["assets"]) EXPECT_EQ(a["site"], "sg-01");
  EXPECT_EQ(Call("GET", "/v1/assets?status=borrowed", admin_token_).status, 400);
  EXPECT_EQ(Call("GET", "/v1/assets?limit=0", admin_token_).status, 400);
  EXPECT_EQ(Call("GET", "/v1/assets?colour=red", admin_token_).status, 400);
}

TEST_F(ApiV1Inventory, AMoveIsRecordedSeenAtOnceAndInTheHistory) {
  const nlohmann::json before = Asset("1654223000001");
  ASSERT_EQ(before["site"], "sh-03");
  const Reply moved = Post({{"changes",
                             {{{"kind", "move"},
                               {"serial", "1654223000001"},
                               {"site", "gz-hub"},
                               {"node", "gz-n07"}}}}});
  ASSERT_EQ(moved.status, 200) << moved.raw;
  const nlohmann::json& result = moved.body["results"][0];
  EXPECT_EQ(result["status"], "accepted");
  const int64_t index = result["index"];
  EXPECT_EQ(result["change"]["actor"], store::TokenIdForHash(api::HashToken(inventory_token_)));
  EXPECT_EQ(result["change"]["recorded_ms"], clock_.NowMs());
  EXPECT_TRUE(result["change"]["verdict"].is_string()) << "a move is judged";
  EXPECT_EQ(changes_, 1) << "the scheduler is told";

  const nlohmann::json after = Asset("1654223000001");
  EXPECT_EQ(after["site"], "gz-hub");
  EXPECT_EQ(after["node"], "gz-n07");
  EXPECT_EQ(after["last_entry"], index);
  const Reply history = Call("GET", "/v1/assets/1654223000001/history", admin_token_);
  ASSERT_EQ(history.status, 200) << history.raw;
  ASSERT_EQ(history.body["entries"].size(), 2u);
  EXPECT_EQ(history.body["entries"][0]["kind"], "register");
  EXPECT_EQ(history.body["entries"][1]["index"], index);
  EXPECT_EQ(history.body["entries"][1]["change"]["site"], "gz-hub");
  // The same H100 on into the state-funded Beijing project, 20% built: China's rule for
  // such projects forbids foreign chips there.
  const Reply beijing =
      Post({{"changes", {{{"kind", "move"}, {"serial", "1654223000001"}, {"site", "bj-01"}}}}});
  EXPECT_EQ(beijing.status, 422) << beijing.raw;
  EXPECT_THAT(beijing.body["results"][0]["rules"].dump(), HasSubstr("CN-2025-STATEFUNDED"));
}

TEST_F(ApiV1Inventory, RefusalsAnswerWithTheStatusOfTheFirstRefusedChange) {
  const Snapshot before = Take();
  // Moved from Singapore to Shanghai, the H100 of a China-headquartered group: the rules say
  // no, and say why.
  const Reply refused =
      Post({{"changes", {{{"kind", "move"}, {"serial", "1654823001201"}, {"site", "sh-03"}}}}});
  EXPECT_EQ(refused.status, 422) << refused.raw;
  EXPECT_EQ(refused.body["error"]["code"], "non_compliant");
  const nlohmann::json& r = refused.body["results"][0];
  EXPECT_FALSE(r["rules"].empty()) << refused.raw;
  EXPECT_FALSE(r["explanation"].empty()) << refused.raw;
  EXPECT_TRUE(r["verdict"] == "prohibited" || r["verdict"] == "licence_required") << refused.raw;

  const int64_t now = clock_.NowMs();
  const std::vector<std::pair<nlohmann::json, int>> cases = {
      {{{"kind", "retire"}, {"serial", "no-such-serial"}}, 404},
      {{{"kind", "move"}, {"serial", "1654223000001"}, {"site", "mars-01"}}, 404},
      {{{"kind", "transfer"}, {"serial", "1654223000001"}, {"owner", "nobody"}}, 404},
      {{{"kind", "register"}, {"serial", "1654223000001"}, {"asset", Asset("1654223000001")}},
       400},  // status, last_entry: not fields of a record
      {{{"kind", "retire"}, {"serial", "1654223000001"}, {"effective_ms", now + 6 * 60'000}}, 400},
      {{{"kind", "retire"}, {"serial", "1654223000001"}, {"effective_ms", now - 3'600'000}}, 400},
      {{{"kind", "retire"}, {"serial", "1654223000001"}, {"actor", "someone-else"}}, 400},
      {{{"kind", "retire"}, {"serial", "1654223000001"}, {"licence", "LIC-NOPE"}}, 409},
  };
  for (const auto& [change, status] : cases) {
    const Reply reply = Post({{"changes", {change}}});
    EXPECT_EQ(reply.status, status) << change.dump() << "\n" << reply.raw;
  }
  // In an atomic batch, the good change is not recorded either.
  const Reply batch = Post({{"changes",
                             {{{"kind", "retire"}, {"serial", "1654223000002"}},
                              {{"kind", "retire"}, {"serial", "no-such-serial"}}}}});
  EXPECT_EQ(batch.status, 404) << batch.raw;
  EXPECT_EQ(batch.body["results"][0]["error"]["code"], "aborted");
  EXPECT_EQ(Asset("1654223000002")["status"], "active");

  EXPECT_EQ(Post({{"changes", nlohmann::json::array()}}).status, 400);
  EXPECT_EQ(Post({{"changes", std::vector<nlohmann::json>(1001, {{"kind", "retire"}})}}).status,
            400);
  EXPECT_EQ(Post({{"changes", {{{"kind", "melt"}, {"serial", "1654223000002"}}}}}).status, 400);
  EXPECT_EQ(Take(), before);
  EXPECT_EQ(changes_, 0);

  // A register of a serial already there: 409, and no asset changes; the attempt is a finding
  // (docs/findings.md), the one entry it leaves.
  nlohmann::json record = Asset("1654223000001");
  for (const char* key : {"status", "last_entry", "last_effective"}) record.erase(key);
  EXPECT_EQ(
      Post({{"changes", {{{"kind", "register"}, {"serial", "1654223000001"}, {"asset", record}}}}})
          .status,
      409);
  const Reply found = Call("GET", "/v1/findings?serial=1654223000001", admin_token_);
  ASSERT_EQ(found.status, 200) << found.raw;
  ASSERT_EQ(found.body["findings"].size(), 1u) << found.raw;
  EXPECT_EQ(found.body["findings"][0]["kind"], "serial_registered_twice");
  EXPECT_EQ(Asset("1654223000001")["status"], "active");
}

TEST_F(ApiV1Inventory, ANonAtomicBatchRecordsWhatItCanAndSaysWhatItDidNot) {
  const Reply batch =
      Post({{"atomic", false},
            {"changes",
             {{{"kind", "retire"}, {"serial", "1654223000002"}},
              {{"kind", "retire"}, {"serial", "no-such-serial"}},
              {{"kind", "lost"}, {"serial", "1654223000003"}, {"how", "stolen"}}}}});
  ASSERT_EQ(batch.status, 200) << batch.raw;
  EXPECT_EQ(batch.body["results"][0]["status"], "accepted");
  EXPECT_EQ(batch.body["results"][1]["status"], "refused");
  EXPECT_EQ(batch.body["results"][1]["error"]["code"], "not_found");
  EXPECT_EQ(batch.body["results"][2]["index"].get<int64_t>(),
            batch.body["results"][0]["index"].get<int64_t>() + 1);
  EXPECT_EQ(Asset("1654223000002")["status"], "retired");
  EXPECT_EQ(Asset("1654223000003")["lost_how"], "stolen");
  // A lost asset does not move.
  const Reply move =
      Post({{"changes", {{{"kind", "move"}, {"serial", "1654223000003"}, {"site", "gz-hub"}}}}});
  EXPECT_EQ(move.status, 409) << move.raw;
  EXPECT_THAT(move.body["error"]["message"].get<std::string>(), HasSubstr("lost"));
}

// acme's granted H20 export licence lets a new H20 in; the entry names it.
TEST_F(ApiV1Inventory, TheLicenceThatAllowedAChangeIsRecordedWithIt) {
  const nlohmann::json h20 = {{"serial", "NEW-H20-0001"}, {"model", "H20"},
                              {"site", "sh-03"},          {"node", ""},
                              {"owner", "acme"},          {"operator", "acme"},
                              {"holding", "owned"},       {"acquired", "2025-12-20"},
                              {"arrival", "export"},      {"from_country", "TW"},
                              {"declared_memory_gb", 96}};
  const Reply reg = Post({{"changes",
                           {{{"kind", "register"},
                             {"serial", "NEW-H20-0001"},
                             {"asset", h20},
                             {"effective_ms", clock_.NowMs() - 3'600'000},
                             {"reason", "arrived yesterday; papers recorded today"}}}}});
  ASSERT_EQ(reg.status, 200) << reg.raw;
  const nlohmann::json& change = reg.body["results"][0]["change"];
  EXPECT_EQ(change["licence"], "LIC-H20-2025-001") << reg.raw;
  EXPECT_EQ(change["asset"]["model"], "nvidia-h20-96gb") << "the alias resolved to the id";
  EXPECT_EQ(Asset("NEW-H20-0001")["owner"], "acme");
}

TEST_F(ApiV1Inventory, OrganisationsAreListedAndShown) {
  const Reply all = Call("GET", "/v1/orgs", alpha_token_);
  ASSERT_EQ(all.status, 200) << all.raw;
  EXPECT_EQ(all.body["organisations"].size(), fleet().inventory.organisations().size());
  const Reply sg = Call("GET", "/v1/orgs/acme-sg", alpha_token_);
  ASSERT_EQ(sg.status, 200);
  EXPECT_EQ(sg.body["parent"], "acme-hk");
  EXPECT_EQ(sg.body["hq_country"], "SG");
  EXPECT_EQ(Call("GET", "/v1/orgs/nobody", alpha_token_).status, 404);
}

}  // namespace
}  // namespace gpufleet::service::testing
