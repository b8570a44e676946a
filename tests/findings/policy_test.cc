// The operator's policy file: kinds, actions and thresholds read strictly.

#include "gpufleet/findings/policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gpufleet::findings {
namespace {

using ::testing::HasSubstr;

TEST(PolicyTest, OverridesDefaultsAndThresholds) {
  Result<Policy> p = ParsePolicy(
      "model_differs: record\n"
      "device_not_in_inventory: quarantine_node\n"
      "node_silent_after_s: 90\n",
      "policy.yaml");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->For(Kind::kModelDiffers), Action::kRecord);
  EXPECT_EQ(p->For(Kind::kDeviceNotInInventory), Action::kQuarantineNode);
  EXPECT_EQ(p->For(Kind::kNodeSilent), Action::kQuarantineNode) << "the default";
  EXPECT_EQ(p->node_silent_after_ms, 90'000);
  EXPECT_EQ(p->not_seen_after_ms, Policy{}.not_seen_after_ms);
  // A device quarantine of a finding without a device falls back to its node.
  const Detection node_only{.kind = Kind::kModelDiffers,
                            .subject = "x",
                            .serial = "",
                            .node = "sh/n1",
                            .detail = "d",
                            .evidence = {}};
  Policy q;
  EXPECT_EQ(q.For(node_only), Action::kQuarantineNode);
}

TEST(PolicyTest, ErrorsNameTheLine) {
  const auto error = [](const char* text) {
    Result<Policy> p = ParsePolicy(text, "policy.yaml");
    EXPECT_FALSE(p.ok()) << text;
    return p.ok() ? std::string() : p.status().message();
  };
  EXPECT_THAT(error("model_differs: record\nmodel_diffres: record\n"),
              HasSubstr("policy.yaml:2:1"));
  EXPECT_THAT(error("model_differs: shoot\n"), HasSubstr("unknown action 'shoot'"));
  EXPECT_THAT(error("not_seen_after_s: -5\n"), HasSubstr("positive"));
  EXPECT_THAT(error("[1, 2]\n"), HasSubstr("expected a map"));
  EXPECT_TRUE(ParsePolicy("", "empty.yaml").ok());
}

TEST(FindingTest, EveryKindHasANameThatParsesBackAndASource) {
  for (const Kind k : kAllKinds) {
    EXPECT_EQ(ParseKind(KindName(k)), k);
    EXPECT_TRUE(SourceOf(k) == "agent" || SourceOf(k) == "ledger" || SourceOf(k) == "landmark");
  }
  EXPECT_EQ(ParseKind("nope"), std::nullopt);
  EXPECT_EQ(DetectionKey(Kind::kModelDiffers, "S1"), "model_differs:S1");
}

}  // namespace
}  // namespace gpufleet::findings
