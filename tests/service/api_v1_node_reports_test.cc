// POST /v1/nodes/{id}/reports and GET /v1/nodes/{id}/observed (docs/agent.md): a node token
// reports for its own node only, admin for any; the latest report is kept and read back; a
// report equal to the one held is a heartbeat (only last_seen moves); bodies are read strictly
// with the field's path in the error.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gpufleet/ledger/note_key.h"
#include "service/api_v1_fixture.h"

namespace gpufleet::service::testing {
namespace {

using ::testing::HasSubstr;

class ApiV1NodeReports : public ApiV1Test {
 protected:
  void SetUp() override {
    ApiV1Test::SetUp();
    node_ = NodeOf(SomeModel(), 1);
    for (const NodeSpec& n : fleet().fleet.fleet.nodes()) {
      if (n.name != node_) other_ = n.name;
    }
    node_token_ = Create(nlohmann::json{{"role", "node"}, {"node", node_}}.dump());
    viewer_token_ = Create(R"({"role": "viewer"})");
  }

  std::string Create(const std::string& body) {
    const Reply r = Call("POST", "/v1/tokens", admin_token_, body);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body.is_object() ? r.body.value("token", "") : "";
  }

  static nlohmann::json ReportOf(const std::string& node, const std::string& serial) {
    return {{"node", node},
            {"agent_version", "0.1.0"},
            {"provider", "nvml"},
            {"devices",
             {{{"vendor", "nvidia"},
               {"model", "NVIDIA H100 80GB HBM3"},
               {"serial", serial},
               {"memory_bytes", 85'520'809'984}}}}};
  }

  Reply Post(const std::string& node, const nlohmann::json& body, const std::string& token) {
    return Call("POST", "/v1/nodes/" + PathSegment(node) + "/reports", token, body.dump());
  }
  Reply Observed(const std::string& node, const std::string& token) {
    return Call("GET", "/v1/nodes/" + PathSegment(node) + "/observed", token);
  }

  std::string node_;
  std::string other_;
  std::string node_token_;
  std::string viewer_token_;
};

TEST_F(ApiV1NodeReports, TheLatestReportIsKeptAndAHeartbeatOnlyMovesLastSeen) {
  EXPECT_EQ(Observed(node_, admin_token_).status, 404);
  const Reply first = Post(node_, ReportOf(node_, "S1"), node_token_);
  ASSERT_EQ(first.status, 200) << first.raw;
  EXPECT_EQ(first.body["changed"], true);
  EXPECT_EQ(first.body["devices"], 1);
  const Reply seen = Observed(node_, viewer_token_);
  ASSERT_EQ(seen.status, 200) << seen.raw;
  EXPECT_EQ(seen.body["report"]["devices"][0]["serial"], "S1");
  EXPECT_EQ(seen.body["reports"], 1);

  clock_.Advance(30'000);
  const Reply heartbeat = Post(node_, ReportOf(node_, "S1"), node_token_);
  ASSERT_EQ(heartbeat.status, 200) << heartbeat.raw;
  EXPECT_EQ(heartbeat.body["changed"], false);
  const Reply after_heartbeat = Observed(node_, admin_token_);
  EXPECT_EQ(after_heartbeat.body["last_change"], seen.body["last_change"]);
  EXPECT_NE(after_heartbeat.body["last_seen"], seen.body["last_seen"]);
  EXPECT_EQ(after_heartbeat.body["reports"], 2);

  clock_.Advance(30'000);
  const Reply swapped = Post(node_, ReportOf(node_, "S9"), node_token_);
  EXPECT_EQ(swapped.body["changed"], true);
  const Reply after_swap = Observed(node_, admin_token_);
  EXPECT_EQ(after_swap.body["report"]["devices"][0]["serial"], "S9");
  EXPECT_EQ(after_swap.body["last_change"], after_swap.body["last_seen"]);
  EXPECT_EQ(after_swap.body["first_seen"], seen.body["first_seen"]);
}

TEST_F(ApiV1NodeReports, AChangeIsStoredBeforeItIsAnsweredAndAHeartbeatIsNotStoredAtAll) {
  ASSERT_EQ(Post(node_, ReportOf(node_, "S1"), node_token_).status, 200);
  const int64_t first_ms = clock_.NowMs();
  const auto stored = [this] {
    Result<std::vector<store::ObservedNodeRow>> rows = store_->ListObservedNodes();
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<store::ObservedNodeRow>{};
  };
  ASSERT_EQ(stored().size(), 1u);
  EXPECT_EQ(stored()[0].last_seen_ms, first_ms);

  // A heartbeat is a memory update: answered while the store is down, and nothing written.
  clock_.Advance(30'000);
  served_->SetDown(true);
  const Reply heartbeat = Post(node_, ReportOf(node_, "S1"), node_token_);
  EXPECT_EQ(heartbeat.status, 200) << heartbeat.raw;
  // A change is not acknowledged unless stored.
  const Reply swapped = Post(node_, ReportOf(node_, "S9"), node_token_);
  EXPECT_EQ(swapped.status, 503) << swapped.raw;
  served_->SetDown(false);
  EXPECT_EQ(stored()[0].last_seen_ms, first_ms);
  EXPECT_NE(stored()[0].report.find("\"S1\""), std::string::npos);

  // The agent sends the refused report again: a change still, though the service holds it.
  clock_.Advance(30'000);
  const Reply again = Post(node_, ReportOf(node_, "S9"), node_token_);
  ASSERT_EQ(again.status, 200) << again.raw;
  EXPECT_EQ(again.body["changed"], true);
  EXPECT_NE(stored()[0].report.find("\"S9\""), std::string::npos);
  EXPECT_EQ(stored()[0].last_change_ms, clock_.NowMs());
}

TEST_F(ApiV1NodeReports, ANodeTokenReportsForItsOwnNodeOnlyAndAdminForAny) {
  const Reply theirs = Post(other_, ReportOf(other_, "S1"), node_token_);
  EXPECT_EQ(theirs.status, 403) << theirs.raw;
  EXPECT_EQ(theirs.body["error"]["code"], "permission_denied");
  EXPECT_THAT(theirs.raw, HasSubstr("its own node only"));
  EXPECT_EQ(Observed(other_, admin_token_).status, 404);
  // Admin may post for any node; the other roles may not post at all.
  EXPECT_EQ(Post(other_, ReportOf(other_, "S1"), admin_token_).status, 200);
  EXPECT_EQ(Post(other_, ReportOf(other_, "S2"), viewer_token_).status, 403);
  EXPECT_EQ(Post(other_, ReportOf(other_, "S2"), alpha_token_).status, 403);
  EXPECT_EQ(Observed(other_, admin_token_).body["report"]["devices"][0]["serial"], "S1");
  // A node reads no observed devices, not even its own (that is the inventory's view).
  EXPECT_EQ(Observed(node_, node_token_).status, 403);
  EXPECT_EQ(Observed(node_, alpha_token_).status, 403);
}

TEST_F(ApiV1NodeReports, BodiesAreReadStrictlyWithTheFieldInTheError) {
  nlohmann::json misnamed = ReportOf(node_, "S1");
  misnamed["devices"][0]["seriall"] = "x";
  const Reply unknown = Post(node_, misnamed, node_token_);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_THAT(unknown.raw, HasSubstr("unknown field 'devices[0].seriall'"));

  const Reply elsewhere = Post(node_, ReportOf(other_, "S1"), node_token_);
  EXPECT_EQ(elsewhere.status, 400);
  EXPECT_THAT(elsewhere.raw,
              HasSubstr("field 'node': '" + other_ + "' is not the node of the path"));

  const Reply malformed =
      Call("POST", "/v1/nodes/" + PathSegment(node_) + "/reports", node_token_, "{\"node\": ");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_THAT(malformed.raw, HasSubstr("malformed JSON"));

  const Reply query = Call("POST", "/v1/nodes/" + PathSegment(node_) + "/reports?x=1", node_token_,
                           ReportOf(node_, "S1").dump());
  EXPECT_EQ(query.status, 400);
  EXPECT_EQ(Observed(node_, admin_token_).status, 404) << "nothing refused is kept";
}

// Attestation evidence (docs/agent.md, "Attestation"): over a nonce the service issued to
// this node lately, accepted and kept opaque; over any other nonce, refused; repeated unchanged
// in a heartbeat, not checked again.
TEST_F(ApiV1NodeReports, AttestationEvidenceMustBeOverANonceIssuedToTheNode) {
  const Reply issued = Call("POST", "/v1/nodes/" + PathSegment(node_) + "/nonce", node_token_);
  ASSERT_EQ(issued.status, 200) << issued.raw;
  const std::string nonce = issued.body["nonce"];
  EXPECT_EQ(nonce.size(), 64u);
  EXPECT_EQ(Call("POST", "/v1/nodes/" + PathSegment(other_) + "/nonce", node_token_).status, 403);
  const Reply theirs = Call("POST", "/v1/nodes/" + PathSegment(other_) + "/nonce", admin_token_);
  ASSERT_EQ(theirs.status, 200);

  const auto attested = [&](const std::string& over) {
    nlohmann::json r = ReportOf(node_, "S1");
    r["devices"][0]["attestation"] = {{"nonce", over}, {"report", "AAEC"}, {"verified", false}};
    return r;
  };
  const Reply forged = Post(node_, attested(std::string(64, 'a')), node_token_);
  EXPECT_EQ(forged.status, 400) << forged.raw;
  EXPECT_THAT(forged.raw, HasSubstr("devices[0].attestation.nonce"));
  EXPECT_EQ(Post(node_, attested(theirs.body["nonce"]), node_token_).status, 400)
      << "another node's nonce";
  const Reply ok = Post(node_, attested(nonce), node_token_);
  ASSERT_EQ(ok.status, 200) << ok.raw;
  const Reply seen = Observed(node_, admin_token_);
  EXPECT_EQ(seen.body["report"]["devices"][0]["attestation"]["nonce"], nonce);
  EXPECT_EQ(seen.body["report"]["devices"][0]["attestation"]["verified"], false);
  // Past the nonce's life the same evidence is still a heartbeat: it was checked when new.
  clock_.Advance(kNonceTtlMs + 1);
  const Reply heartbeat = Post(node_, attested(nonce), node_token_);
  ASSERT_EQ(heartbeat.status, 200) << heartbeat.raw;
  EXPECT_EQ(heartbeat.body["changed"], false);
}

TEST_F(ApiV1NodeReports, TheFirstEchoKeyIsPinnedAndAMalformedOneRefused) {
  const Result<ledger::NoteKeyPair> first = ledger::GenerateNoteKey("n");
  const Result<ledger::NoteKeyPair> second = ledger::GenerateNoteKey("n");
  ASSERT_TRUE(first.ok() && second.ok());
  nlohmann::json report = ReportOf(node_, "S1");
  report["echo_key"] = "n+00000000+AQ";
  const Reply malformed = Post(node_, report, node_token_);
  EXPECT_EQ(malformed.status, 400) << malformed.raw;
  EXPECT_THAT(malformed.raw, HasSubstr("field 'echo_key'"));

  report["echo_key"] = first->verifier_key;
  ASSERT_EQ(Post(node_, report, node_token_).status, 200);
  // Trust on first use: neither another key nor none replaces it, whoever holds the token.
  report["echo_key"] = second->verifier_key;
  const Reply changed = Post(node_, report, node_token_);
  EXPECT_EQ(changed.status, 409) << changed.raw;
  EXPECT_THAT(changed.raw, HasSubstr("reported another echo key before"));
  report.erase("echo_key");
  EXPECT_EQ(Post(node_, report, admin_token_).status, 409);
  const Reply held = Observed(node_, admin_token_);
  ASSERT_EQ(held.status, 200) << held.raw;
  EXPECT_EQ(held.body["report"]["echo_key"], first->verifier_key);
  // The same key again is a heartbeat.
  report["echo_key"] = first->verifier_key;
  const Reply again = Post(node_, report, node_token_);
  EXPECT_EQ(again.status, 200) << again.raw;
  EXPECT_EQ(again.body["changed"], false);
}

}  // namespace
}  // namespace gpufleet::service::testing
