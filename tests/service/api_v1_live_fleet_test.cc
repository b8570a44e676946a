// The v1 API serves the version of the fleet the FleetHolder holds when a request arrives
// (api_v1.h): after a new version is Set, models, nodes and the checks of a submission follow
// it, with no restart and no re-registration of the routes.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gpufleet/inventory/change.h"
#include "gpufleet/service/fleet_rebuilder.h"
#include "service/api_v1_fixture.h"

namespace gpufleet::service::testing {
namespace {

using ApiV1LiveFleet = ApiV1Test;

TEST_F(ApiV1LiveFleet, ModelsNodesAndSubmissionsFollowTheFleetTheHolderHolds) {
  // The model with the fewest GPUs in the example fleet, and every board of it.
  std::string model;
  int64_t fewest = 0;
  for (const auto& [id, cap] : CapacityByModel(fleet())) {
    if (cap.gpus > 0 && (model.empty() || cap.gpus < fewest)) {
      model = id;
      fewest = cap.gpus;
    }
  }
  ASSERT_FALSE(model.empty());
  const Reply models = Call("GET", "/v1/models", admin_token_);
  ASSERT_EQ(models.status, 200) << models.raw;
  bool listed = false;
  for (const nlohmann::json& m : models.body["models"]) listed = listed || m["id"] == model;
  ASSERT_TRUE(listed);
  const nlohmann::json job = {{"tenant", "beta"}, {"name", "j"}, {"gpus", 1}, {"models", {model}}};
  ASSERT_EQ(Submit(admin_token_, job).status, 201);

  // Every board of the model retired; the next version of the fleet from the inventory.
  std::vector<inventory::Change> retire;
  for (const inventory::LiveAsset& a : inventory_->List({.after = "",
                                       .limit = 100000,
                                       .site = {},
                                       .visible_to = {},
                                       .status = inventory::AssetStatus::kActive})) {
    if (a.record.model != model) continue;
    inventory::Change c;
    c.kind = inventory::ChangeKind::kRetire;
    c.serial = a.record.serial;
    c.effective_ms = clock_.NowMs();
    retire.push_back(c);
  }
  ASSERT_FALSE(retire.empty());
  const auto retired = inventory_->Submit(retire, "tok_test", true);
  ASSERT_TRUE(retired.ok()) << retired.status().ToString();
  const FleetBasis basis{.catalog = fleet().catalog,
                         .rules = fleet().rules,
                         .engine = fleet().engine,
                         .at = fleet().at,
                         .resources = {}};
  Result<std::shared_ptr<const FleetContext>> next = BuildFleetFromInventory(basis, *inventory_);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  fleet_holder_.Set(*next);

  const Reply after = Call("GET", "/v1/models", admin_token_);
  ASSERT_EQ(after.status, 200) << after.raw;
  for (const nlohmann::json& m : after.body["models"]) EXPECT_NE(m["id"], model);
  const Reply nodes = Call("GET", "/v1/nodes?model=" + model, admin_token_);
  EXPECT_EQ(nodes.status, 400) << nodes.raw;
  const Reply refused = Submit(admin_token_, job);
  EXPECT_EQ(refused.status, 422) << refused.raw;
  EXPECT_NE(refused.raw.find("has no GPUs in the fleet"), std::string::npos) << refused.raw;
}

}  // namespace
}  // namespace gpufleet::service::testing
