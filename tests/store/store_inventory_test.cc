// The Store contract for the inventory log, the assets it leaves and the ledger's checkpoints,
// on every back end: entries continue the log or nothing is written, an asset row is replaced
// by serial, reads page by index and by serial, an organisation's view is what it owns or
// operates, and checkpoints are one per size and never beyond the log.

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/store_conformance_fixture.h"

namespace gpufleet::store {
namespace {

using Code = Status::Code;

class StoreInventoryTest : public StoreConformanceTest {
 protected:
  static InventoryEntry Entry(int64_t index, const std::string& subject) {
    return {.index = index,
            .subject = subject,
            .kind = "register",
            .effective_ms = 1000 + index,
            .recorded_ms = 2000 + index,
            .body = "{\"i\":" + std::to_string(index) + "}",
            .hashes = std::string(64 * (1 + index % 3), 'a' + static_cast<char>(index % 6))};
  }
  static AssetRow Asset(const std::string& serial, const std::string& site,
                        const std::string& owner, const std::string& op, int64_t last) {
    return {.serial = serial,
            .model = "nvidia-h20-96gb",
            .site = site,
            .owner = owner,
            .operator_org = op,
            .status = "active",
            .last_entry = last,
            .record = "{\"serial\":\"" + serial + "\"}"};
  }
  static AssetFilter Filter(std::string after, int32_t limit,
                            std::optional<std::string> site = std::nullopt,
                            std::optional<std::string> organisation = std::nullopt) {
    return {.after = std::move(after),
            .limit = limit,
            .site = std::move(site),
            .organisation = std::move(organisation)};
  }
  std::vector<AssetRow> List(const AssetFilter& filter) {
    Result<std::vector<AssetRow>> rows = store_->ListAssets(filter);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<AssetRow>{};
  }
  static std::vector<std::string> Serials(const std::vector<AssetRow>& rows) {
    std::vector<std::string> out;
    for (const AssetRow& r : rows) out.push_back(r.serial);
    return out;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreInventoryTest, StoreBackendNames(), BackendTestName);

TEST_P(StoreInventoryTest, EntriesContinueTheLogOrNothingIsWritten) {
  ASSERT_EQ(*store_->InventorySize(), 0);
  ASSERT_TRUE(store_
                  ->AppendInventory({Entry(0, "s1"), Entry(1, "s2")},
                                    {Asset("s1", "sh-03", "acme", "acme", 0),
                                     Asset("s2", "bj-01", "acme", "lumen", 1)})
                  .ok());
  EXPECT_EQ(*store_->InventorySize(), 2);

  // Another writer already appended index 2: this batch starting at 2 again is refused whole.
  std::unique_ptr<Store> other = Open();
  ASSERT_TRUE(
      other->AppendInventory({Entry(2, "s1")}, {Asset("s1", "gz-hub", "acme", "acme", 2)}).ok());
  EXPECT_EQ(store_
                ->AppendInventory({Entry(2, "s3"), Entry(3, "s3")},
                                  {Asset("s3", "sh-03", "acme", "acme", 3)})
                .code(),
            Code::kFailedPrecondition);
  EXPECT_EQ(*store_->InventorySize(), 3);
  EXPECT_FALSE(store_->GetAsset("s3")->has_value());
  // A gap is refused too, and so is a batch not numbered consecutively.
  EXPECT_EQ(store_->AppendInventory({Entry(5, "s3")}, {}).code(), Code::kFailedPrecondition);
  EXPECT_EQ(store_->AppendInventory({Entry(3, "s3"), Entry(5, "s3")}, {}).code(),
            Code::kInvalidArgument);

  Result<std::vector<InventoryEntry>> all = store_->ReadInventory(0, 100);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, (std::vector<InventoryEntry>{Entry(0, "s1"), Entry(1, "s2"), Entry(2, "s1")}));
  EXPECT_EQ(*store_->ReadInventory(1, 1), std::vector<InventoryEntry>{Entry(1, "s2")});
  EXPECT_TRUE(store_->ReadInventory(3, 10)->empty());
  EXPECT_EQ(*store_->ReadInventoryAt({2, 0, 7}),
            (std::vector<InventoryEntry>{Entry(0, "s1"), Entry(2, "s1")}));
  EXPECT_TRUE(store_->ReadInventoryAt({})->empty());
  EXPECT_EQ(store_->ReadInventoryAt({-1}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->ReadInventoryAt(std::vector<int64_t>(1001, 0)).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(*store_->ReadSubjectHistory("s1"),
            (std::vector<InventoryEntry>{Entry(0, "s1"), Entry(2, "s1")}));
  EXPECT_TRUE(store_->ReadSubjectHistory("nobody")->empty());

  // The asset row was replaced by the later entry's.
  Result<std::optional<AssetRow>> s1 = store_->GetAsset("s1");
  ASSERT_TRUE(s1.ok() && s1->has_value());
  EXPECT_EQ(**s1, Asset("s1", "gz-hub", "acme", "acme", 2));
}

TEST_P(StoreInventoryTest, AssetsPageBySerialAndFilterBySiteAndOrganisation) {
  std::vector<InventoryEntry> entries;
  std::vector<AssetRow> assets;
  const std::vector<std::string> sites = {"sh-03", "bj-01", "gz-hub"};
  const std::vector<std::string> orgs = {"acme", "lumen", "kite"};
  for (int i = 0; i < 30; ++i) {
    const std::string serial = "SN" + std::to_string(100 + i);
    entries.push_back(Entry(i, serial));
    assets.push_back(Asset(serial, sites[i % 3], orgs[i % 2], orgs[(i / 2) % 3], i));
  }
  ASSERT_TRUE(store_->AppendInventory(entries, assets).ok());

  std::vector<std::string> paged;
  for (std::string after;;) {
    std::vector<AssetRow> page = List(Filter(after, 7));
    if (page.empty()) break;
    for (const AssetRow& r : page) paged.push_back(r.serial);
    after = page.back().serial;
  }
  std::vector<std::string> want;
  for (const AssetRow& a : assets) want.push_back(a.serial);
  EXPECT_EQ(paged, want);  // SN100..SN129 sort as written

  for (const std::string& site : sites) {
    for (const AssetRow& r : List(Filter("", 100, site))) EXPECT_EQ(r.site, site);
  }
  for (const std::string& org : orgs) {
    std::vector<std::string> expected;
    for (const AssetRow& a : assets) {
      if (a.owner == org || a.operator_org == org) expected.push_back(a.serial);
    }
    EXPECT_EQ(Serials(List(Filter("", 100, std::nullopt, org))), expected) << org;
  }
  EXPECT_EQ(List(Filter("", 100, "sh-03", "kite")).size(),
            static_cast<size_t>(std::count_if(assets.begin(), assets.end(), [](const AssetRow& a) {
              return a.site == "sh-03" && (a.owner == "kite" || a.operator_org == "kite");
            })));
  EXPECT_EQ(store_->ListAssets(Filter("", 0)).status().code(), Code::kInvalidArgument);
}

TEST_P(StoreInventoryTest, WhatIsWrittenIsChecked) {
  InventoryEntry e = Entry(0, "s1");
  e.subject.clear();
  EXPECT_EQ(store_->AppendInventory({e}, {}).code(), Code::kInvalidArgument);
  e = Entry(0, "s1");
  e.hashes = "abc";
  EXPECT_EQ(store_->AppendInventory({e}, {}).code(), Code::kInvalidArgument);
  AssetRow a = Asset("s1", "sh-03", "acme", "acme", 0);
  a.status = "borrowed";
  EXPECT_EQ(store_->AppendInventory({Entry(0, "s1")}, {a}).code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->ReadInventory(-1, 10).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->ReadInventory(0, 0).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->ReadInventory(0, 100'001).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(*store_->InventorySize(), 0);  // nothing above wrote anything
}

TEST_P(StoreInventoryTest, CheckpointsAreOnePerSizeAndNeverBeyondTheLog) {
  EXPECT_FALSE(store_->LatestCheckpoint()->has_value());
  ASSERT_TRUE(store_->AppendInventory({Entry(0, "s1"), Entry(1, "s2"), Entry(2, "s3")}, {}).ok());
  const CheckpointRecord one{.size = 1, .note = "one\n", .created_ms = 5};
  const CheckpointRecord three{.size = 3, .note = "three\n", .created_ms = 6};
  ASSERT_TRUE(store_->PutCheckpoint(three).ok());
  ASSERT_TRUE(store_->PutCheckpoint(one).ok());  // an older size may come late
  EXPECT_EQ(**store_->LatestCheckpoint(), three);
  EXPECT_TRUE(store_->PutCheckpoint(three).ok());  // the same note again
  EXPECT_EQ(store_->PutCheckpoint({.size = 3, .note = "other\n", .created_ms = 7}).code(),
            Code::kAlreadyExists);
  EXPECT_EQ(store_->PutCheckpoint({.size = 4, .note = "ahead\n", .created_ms = 7}).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(store_->PutCheckpoint({.size = 2, .note = "", .created_ms = 7}).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(**Open()->LatestCheckpoint(), three);  // durable, seen by another process
}

}  // namespace
}  // namespace gpufleet::store
