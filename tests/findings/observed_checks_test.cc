// The agents' checks: each kind found when it should be, and nothing when the report agrees
// with the inventory.

#include "gpufleet/findings/observed_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <random>

#include "findings/findings_test_fleet.h"

namespace gpufleet::findings {
namespace {

using testing::Board;
using ::testing::HasSubstr;

constexpr int64_t kNow = 10'000'000'000;

class ObservedChecksTest : public ::testing::Test {
 protected:
  ObservedChecksTest()
      : catalog_(testing::TestCatalog()),
        inventory_(testing::TestInventory(
            catalog_, {"S1,H20,sh-03,n1", "S2,H20,sh-03,n1", "S3,H100,kl-01,n2", "S4,H20,sh-03,"})),
        models_(catalog_) {}

  // A report of `node` heard at kNow, last changed `changed_ago` ms before.
  void Report(const std::string& node, std::vector<ObservedDevice> devices, int64_t changed_ago = 0,
              int64_t seen_ago = 0) {
    reports_.push_back(
        {.node = node, .agent_version = "t", .provider = "file", .devices = std::move(devices)});
    nodes_.push_back({.report = &reports_.back(),
                      .last_seen_ms = kNow - seen_ago,
                      .last_change_ms = kNow - changed_ago});
  }

  std::vector<Detection> Run() {
    const DeclaredIndex declared(inventory_);
    return CheckObserved(declared, catalog_, models_, nodes_, policy_, kNow);
  }

  catalog::Catalog catalog_;
  inventory::Inventory inventory_;
  DeviceModels models_;
  Policy policy_;
  std::deque<NodeReport> reports_;  // stable addresses
  std::vector<NodeObservation> nodes_;
};

std::vector<Kind> Kinds(const std::vector<Detection>& found) {
  std::vector<Kind> out;
  for (const Detection& d : found) out.push_back(d.kind);
  return out;
}

TEST_F(ObservedChecksTest, AgreeingReportsFindNothing) {
  Report("sh-03/n1", {Board("S1", "NVIDIA H20", 95.6), Board("s2", "NVIDIA H20", 95.6)});
  Report("kl-01/n2", {Board("S3", "NVIDIA H100 80GB HBM3", 79.6)});
  // S4 is declared at sh-03 without a node: any node there may hold it.
  Report("sh-03/n9", {Board("S4", "H20", 95.6)});
  EXPECT_THAT(Run(), ::testing::IsEmpty());
}

TEST_F(ObservedChecksTest, DeclaredH20ObservedH100IsModelDiffers) {
  Report("sh-03/n1", {Board("S1", "NVIDIA H100 80GB HBM3", 79.6), Board("S2", "NVIDIA H20", 95.6)});
  const std::vector<Detection> found = Run();
  ASSERT_EQ(Kinds(found), std::vector<Kind>{Kind::kModelDiffers});
  EXPECT_EQ(found[0].serial, "S1");
  EXPECT_EQ(found[0].node, "sh-03/n1");
  EXPECT_THAT(found[0].detail, HasSubstr("declared nvidia-h20-96gb"));
  EXPECT_THAT(found[0].detail, HasSubstr("nvidia-h100-sxm5-80gb"));
  EXPECT_EQ(policy_.For(found[0]), Action::kQuarantineDevice);
}

TEST_F(ObservedChecksTest, UnknownNameWithOtherMemoryIsMemoryDiffers) {
  // A name no catalog entry claims: judged by memory alone, 141 GiB against the H20's 96.
  Report("sh-03/n1", {Board("S1", "Relabelled Board", 140.4), Board("S2", "mystery", 95.6)});
  const std::vector<Detection> found = Run();
  ASSERT_EQ(Kinds(found), std::vector<Kind>{Kind::kMemoryDiffers});
  EXPECT_EQ(found[0].serial, "S1");
  EXPECT_THAT(found[0].detail, HasSubstr("96 GB"));
}

TEST_F(ObservedChecksTest, SerialNotInInventory) {
  Report("sh-03/n1", {Board("S1", "NVIDIA H20", 95.6), Board("S2", "NVIDIA H20", 95.6),
                      Board("X9", "H20", 96)});
  const std::vector<Detection> found = Run();
  ASSERT_EQ(Kinds(found), std::vector<Kind>{Kind::kDeviceNotInInventory});
  EXPECT_EQ(found[0].subject, "X9");
  EXPECT_EQ(policy_.For(found[0]), Action::kRecord);
}

TEST_F(ObservedChecksTest, AssetAtAnotherSiteOrNode) {
  Report("kl-01/n2", {Board("S3", "NVIDIA H100 80GB HBM3", 79.6), Board("S1", "NVIDIA H20", 96)});
  Report("sh-03/n7", {Board("S2", "NVIDIA H20", 95.6)});
  const std::vector<Detection> found = Run();
  ASSERT_EQ(Kinds(found), (std::vector<Kind>{Kind::kObservedElsewhere, Kind::kObservedElsewhere}));
  EXPECT_EQ(found[0].serial, "S1");  // declared sh-03/n1, seen in Kuala Lumpur
  EXPECT_THAT(found[0].detail, HasSubstr("declared at sh-03/n1 but reported by kl-01/n2"));
  EXPECT_EQ(found[1].serial, "S2");  // the right site, the wrong node
}

TEST_F(ObservedChecksTest, SameSerialOrUuidOnTwoNodes) {
  Report("sh-03/n1", {Board("S1", "NVIDIA H20", 95.6, "GPU-a"), Board("S2", "H20", 95.6, "GPU-b")});
  Report("sh-03/n8", {Board("s1", "NVIDIA H20", 95.6, "GPU-c"), Board("", "H20", 95.6, "GPU-b")});
  const std::vector<Detection> found = Run();
  std::vector<Kind> kinds = Kinds(found);
  std::sort(kinds.begin(), kinds.end());
  EXPECT_EQ(kinds, (std::vector<Kind>{Kind::kSerialOnTwoNodes, Kind::kUuidOnTwoNodes}));
}

TEST_F(ObservedChecksTest, NotSeenOnlyAfterItsNodesReportsStayedWithoutItPastTheThreshold) {
  Report("sh-03/n1", {Board("S1", "NVIDIA H20", 95.6)}, /*changed_ago=*/policy_.not_seen_after_ms);
  EXPECT_THAT(Run(), ::testing::IsEmpty()) << "not longer than the threshold yet";
  nodes_.back().last_change_ms -= 1;
  const std::vector<Detection> found = Run();
  ASSERT_EQ(Kinds(found), std::vector<Kind>{Kind::kNotSeen});
  EXPECT_EQ(found[0].serial, "S2");
  // S3's node runs no agent: nothing to compare with, so nothing found about it.
}

TEST_F(ObservedChecksTest, NodeSilentPastTheThreshold) {
  Report("sh-03/n1", {Board("S1", "NVIDIA H20", 95.6), Board("S2", "NVIDIA H20", 95.6)}, 0,
         policy_.node_silent_after_ms + 1);
  const std::vector<Detection> found = Run();
  ASSERT_EQ(Kinds(found), std::vector<Kind>{Kind::kNodeSilent});
  EXPECT_EQ(found[0].node, "sh-03/n1");
  EXPECT_EQ(policy_.For(found[0]), Action::kQuarantineNode);
}

// Whatever the reports, the same input gives the same detections in the same order, and
// every detection names what it is about.
TEST_F(ObservedChecksTest, PropertyRandomReportsAreDeterministicAndNamed) {
  std::mt19937 rng(7);
  const std::vector<std::string> serials = {"S1", "S2", "S3", "S4", "X1", "X2"};
  const std::vector<std::string> names = {"NVIDIA H20", "NVIDIA H100 80GB HBM3", "odd"};
  for (int round = 0; round < 200; ++round) {
    reports_.clear();
    nodes_.clear();
    for (const char* node : {"sh-03/n1", "sh-03/n2", "kl-01/n2"}) {
      std::vector<ObservedDevice> devices;
      for (int d = static_cast<int>(rng() % 4); d > 0; --d) {
        devices.push_back(Board(serials[rng() % serials.size()], names[rng() % names.size()],
                                static_cast<double>(60 + rng() % 100),
                                "GPU-" + std::to_string(rng() % 5)));
      }
      Report(node, std::move(devices), static_cast<int64_t>(rng() % 2) * 7'200'000,
             static_cast<int64_t>(rng() % 2) * 600'000);
    }
    const std::vector<Detection> a = Run();
    std::reverse(nodes_.begin(), nodes_.end());
    EXPECT_EQ(a, Run()) << "round " << round;
    for (const Detection& d : a) {
      EXPECT_FALSE(d.subject.empty());
      EXPECT_FALSE(d.detail.empty());
      EXPECT_TRUE(ObservedKinds().contains(d.kind));
    }
  }
}

TEST(DeviceModelsTest, DriverNamesNamesAndAliasesMatchAmbiguousOnesDoNot) {
  const catalog::Catalog cat = testing::TestCatalog();
  const DeviceModels models(cat);
  EXPECT_EQ(models.Match("nvidia", "NVIDIA H100 80GB HBM3")->id, "nvidia-h100-sxm5-80gb");
  EXPECT_EQ(models.Match("nvidia", "nvidia h20")->id, "nvidia-h20-96gb");
  EXPECT_EQ(models.Match("nvidia", "H100")->id, "nvidia-h100-sxm5-80gb");
  EXPECT_EQ(models.Match("nvidia", "NVIDIA-H100")->id, "nvidia-h100-sxm5-80gb");
  EXPECT_EQ(models.Match("nvidia", "NVIDIA H200"), nullptr);
  Result<catalog::Catalog> two = catalog::Catalog::Parse(
      "accelerators:\n"
      "  - {id: a-one, name: Board One, vendor: V, device_names: [Same Name]}\n"
      "  - {id: a-two, name: Board Two, vendor: V, device_names: [Same-Name]}\n",
      "two.yaml");
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  const DeviceModels ambiguous(*two);
  EXPECT_EQ(ambiguous.Match("v", "Same Name"), nullptr);
  EXPECT_EQ(ambiguous.Match("v", "Board Two")->id, "a-two");
}

}  // namespace
}  // namespace gpufleet::findings
