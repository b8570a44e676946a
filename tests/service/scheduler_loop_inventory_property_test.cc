// Property test of the scheduler loop following the living inventory (scheduler_loop.h,
// fleet_rebuilder.h): seeded random fleets (named and packed nodes, two models, three sites,
// the group's companies and others), tenants, guarantees and jobs, and between passes random
// inventory changes (registers, moves, sales, leases, retirements, losses, and now and then a
// site recorded in mainland China, which quarantines its H100s); changes the rules refuse are
// part of the sequence. After every pass, counted from the living inventory rather than from
// the fleet the scheduler built:
//   - no running job sits on capacity the inventory does not have: per (site, node, model)
//     group, the GPUs running jobs hold are at most the group's active boards that the group
//     of companies holds, that were acquired by the date and that the fleet check does not
//     find in violation (so nothing runs on a quarantined board), and every placement is
//     within its node (ExpectPlacementsWithinCapacity);
//   - every board a placement node is made of is such a board, where the inventory says it is;
//   - a job the inventory preempted was on a node whose boards changed, and its reason names a
//     ledger entry recorded since the previous pass; a job on a node whose boards did not
//     change is never preempted by the inventory.
// Print the seed on failure (SCOPED_TRACE).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "gpufleet/model/rng.h"
#include "service/live_fleet_harness.h"

namespace gpufleet::service {
namespace {

using inventory::Change;
using inventory::ChangeKind;
using ::testing::StartsWith;

constexpr int kSeeds = 8;
constexpr int kPasses = 25;
constexpr const char* kModels[] = {testing::kH100, testing::kH20};
constexpr const char* kSites[] = {"sg-0", "sg-1", "my-0"};
constexpr const char* kNodes[] = {"n0", "n1", "n2", ""};
// co and sub are the group; buyer buys hardware; ext rents it.
constexpr const char* kOwners[] = {"co", "sub", "buyer", "ext"};
constexpr const char* kTenantOrgs[] = {"co", "sub", "ext"};

std::string Board(const std::string& serial, const std::string& model, const std::string& site,
                  const std::string& node, const std::string& owner) {
  return "  - {serial: " + serial + ", model: " + model + ", site: " + site +
         (node.empty() ? "" : ", node: " + node) + ", owner: " + owner + ", operator: " + owner +
         ", holding: owned, acquired: 2024-01-01, arrival: export, from_country: TW}\n";
}

// Three sites (two in Singapore, one in Malaysia) with 1-3 named nodes of 4-8 boards of one
// model and 0-11 boards with no node, owned by the group.
std::string RandomInventory(Rng& rng, int& serial) {
  std::string y =
      "organisations:\n"
      "  - {id: co, name: Co, kind: company, hq_country: SG}\n"
      "  - {id: sub, name: Sub, kind: subsidiary, parent: co, hq_country: SG}\n"
      "  - {id: buyer, name: Buyer, kind: counterparty, hq_country: SG}\n"
      "  - {id: ext, name: Ext, kind: external_customer, hq_country: SG}\n"
      "sites:\n"
      "  - {id: sg-0, name: SG 0, country: SG, ownership: owned}\n"
      "  - {id: sg-1, name: SG 1, country: SG, ownership: owned}\n"
      "  - {id: my-0, name: MY 0, country: MY, ownership: owned}\n"
      "assets:\n";
  for (const char* site : kSites) {
    const int nodes = 1 + static_cast<int>(rng.Uniform(3));
    for (int n = 0; n < nodes; ++n) {
      const char* model = rng.Pick(kModels);
      const int boards = 4 + static_cast<int>(rng.Uniform(5));
      for (int b = 0; b < boards; ++b) {
        y += Board("S" + std::to_string(serial++), model, site, kNodes[n],
                   rng.Uniform(2) ? "co" : "sub");
      }
    }
    const int loose = static_cast<int>(rng.Uniform(12));
    for (int b = 0; b < loose; ++b) {
      y += Board("S" + std::to_string(serial++), rng.Pick(kModels), site, "", "co");
    }
  }
  return y;
}

store::JobSpec RandomJob(Rng& rng, const std::vector<std::string>& tenants) {
  constexpr int32_t kShapes[][3] = {{1, 1, 500},  {1, 1, 1000}, {2, 1, 1000},
                                    {4, 1, 1000}, {8, 1, 1000}, {2, 2, 1000}};
  const auto& s = kShapes[rng.Uniform(std::size(kShapes))];
  store::JobSpec spec = testing::Spec(tenants[rng.Uniform(tenants.size())], "job", s[0], s[1]);
  spec.gpu_milli = s[2];
  spec.priority = static_cast<int32_t>(rng.Uniform(3));
  spec.duration_s = rng.Uniform(3) == 0 ? 0 : 30 + static_cast<int64_t>(rng.Uniform(600));
  if (rng.Uniform(2) == 0) spec.models = {rng.Pick(kModels)};
  return spec;
}

// One random change to the inventory as it stands in `live`.
Change RandomChange(Rng& rng, testing::LiveFleet& live, int& serial) {
  std::vector<inventory::LiveAsset> active;
  for (std::string after;;) {
    std::vector<inventory::LiveAsset> page =
        live.inventory().List({.after = after,
                               .limit = 1000,
                               .site = {},
                               .visible_to = {},
                               .status = inventory::AssetStatus::kActive});
    active.insert(active.end(), page.begin(), page.end());
    if (page.size() < 1000) break;
    after = page.back().record.serial;
  }
  const uint64_t kind = rng.Uniform(20);
  if (kind < 5 || active.empty()) {
    Change c = live.At(ChangeKind::kRegister, "S" + std::to_string(serial++));
    inventory::Asset a;
    a.serial = c.serial;
    a.model = rng.Pick(kModels);
    a.site = rng.Pick(kSites);
    a.node = rng.Pick(kNodes);
    a.owner = a.operator_org = rng.Uniform(4) == 0 ? "buyer" : "co";
    a.holding = inventory::Holding::kOwned;
    // Now and then one acquired after the rules' date: recorded, not placed.
    a.acquired = *Date::Parse(rng.Uniform(8) == 0 ? "2026-06-01" : "2025-01-01");
    a.arrival = inventory::Arrival::kExport;
    a.from_country = "TW";
    c.asset = a;
    return c;
  }
  if (kind == 19) {
    // A site recorded in mainland China (or back): its H100s need a licence there.
    Change c;
    c.kind = ChangeKind::kSite;
    c.effective_ms = live.clock().NowMs();
    std::optional<inventory::Site> site = live.inventory().FindSite(rng.Pick(kSites));
    site->country = site->country == "CN" ? "SG" : "CN";
    c.place = *site;
    return c;
  }
  const inventory::LiveAsset& a = active[rng.Uniform(active.size())];
  switch (kind) {
    case 5:
    case 6:
    case 7: {
      Change c = live.At(ChangeKind::kMove, a.record.serial);
      c.site = rng.Pick(kSites);
      c.node = rng.Pick(kNodes);
      return c;
    }
    case 8:
    case 9: {
      Change c = live.At(ChangeKind::kTransfer, a.record.serial);
      c.owner = rng.Pick(kOwners);
      return c;
    }
    case 10:
    case 11: {
      Change c = live.At(ChangeKind::kLeaseStart, a.record.serial);
      c.operator_org = rng.Uniform(2) ? "ext" : "buyer";
      c.holding = inventory::Holding::kLeased;
      return c;
    }
    case 12:
      return live.At(ChangeKind::kLeaseEnd, a.record.serial);
    case 13:
    case 14:
    case 15: {
      Change c = live.At(ChangeKind::kLost, a.record.serial);
      c.how = rng.Uniform(2) ? "lost" : "stolen";
      return c;
    }
    default:
      return live.At(ChangeKind::kRetire, a.record.serial);
  }
}

using GroupKey = std::tuple<std::string, std::string, std::string>;  // site, node, model

// The serials of each group of `ctx`'s placement fleet.
std::map<GroupKey, std::set<std::string>> Groups(const FleetContext& ctx) {
  std::map<GroupKey, std::set<std::string>> out;
  for (const scheduler::NodeGroup& g : ctx.fleet.groups) {
    std::set<std::string>& serials = out[{g.site, g.node, g.model}];
    for (const inventory::Asset* a : g.assets) serials.insert(a->serial);
  }
  return out;
}

GroupKey GroupOf(const FleetContext& ctx, const std::string& node) {
  const std::optional<NodeId> id = ctx.fleet.fleet.FindNode(node);
  if (!id) return {};
  const scheduler::NodeGroup& g = ctx.fleet.groups[ctx.fleet.node_groups[id->value()]];
  return {g.site, g.node, g.model};
}

// The boards of each group a job may use, counted from the living inventory: active, the
// fleet's (run by the group, or rented by a customer; not run by a counterparty nor owned and
// run by a customer), acquired by the date, and not in violation by the fleet check of `ctx`.
std::map<GroupKey, std::set<std::string>> Usable(testing::LiveFleet& live,
                                                 const FleetContext& ctx) {
  std::map<std::string, inventory::OrgKind> kinds;
  for (const inventory::Organisation& o : live.inventory().Organisations()) kinds[o.id] = o.kind;
  std::set<std::string> violating;
  for (const compliance::AssetFinding& f : ctx.check.findings) {
    if (f.situation->severity == compliance::Severity::kViolation)
      violating.insert(f.asset->serial);
  }
  std::map<GroupKey, std::set<std::string>> out;
  std::vector<inventory::LiveAsset> all =
      live.inventory().List({.after = "",
                             .limit = 100000,
                             .site = {},
                             .visible_to = {},
                             .status = inventory::AssetStatus::kActive});
  for (const inventory::LiveAsset& a : all) {
    const inventory::Asset& r = a.record;
    const inventory::OrgKind op = kinds.at(r.operator_org);
    if (op == inventory::OrgKind::kCounterparty ||
        (op == inventory::OrgKind::kExternalCustomer && r.owner == r.operator_org)) {
      continue;
    }
    if (ctx.at < r.acquired || violating.contains(r.serial)) continue;
    out[{r.site, r.node, r.model}].insert(r.serial);
  }
  return out;
}

// "(ledger entry N)" or "(ledger entries A to B)" in `reason`: the entries it names.
std::vector<int64_t> EntriesNamed(const std::string& reason) {
  static const std::regex kEntry(R"(\(ledger entr(?:y (\d+)|ies (\d+) to (\d+))\))");
  std::vector<int64_t> out;
  for (auto it = std::sregex_iterator(reason.begin(), reason.end(), kEntry);
       it != std::sregex_iterator(); ++it) {
    if ((*it)[1].matched) {
      out.push_back(std::stoll((*it)[1]));
    } else {
      out.push_back(std::stoll((*it)[2]));
      out.push_back(std::stoll((*it)[3]));
    }
  }
  return out;
}

struct Tally {
  int64_t inventory_preemptions = 0;
  int64_t accepted = 0;
  int64_t refused = 0;
};

// One seeded scenario; adds what happened to `tally`.
void RunScenario(uint64_t seed, Tally& tally) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  Rng rng(seed);
  int serial = 0;
  SchedulerOptions options;
  options.holder = "prop";
  options.policy = rng.Uniform(2) == 0 ? "fgd" : "bestfit";
  options.seed = seed;
  options.verify_active = true;
  auto live = testing::LiveFleet::Make(RandomInventory(rng, serial), "seed" + std::to_string(seed),
                                       options);
  ASSERT_NE(live, nullptr);
  std::vector<std::string> tenants;
  for (int t = 0; t < 3; ++t) {
    const std::string id = "t" + std::to_string(t);
    const std::string org = rng.Pick(kTenantOrgs);
    tenants.push_back(id);
    ASSERT_TRUE(live->store().PutTenant(testing::Tenant(id, org, org == "ext")).ok());
    if (org != "ext" && rng.Uniform(2) == 0) {
      ASSERT_TRUE(live->store()
                      .SetQuota({.tenant = id, .model = rng.Pick(kModels), .guaranteed_gpus = 8})
                      .ok());
    }
  }
  std::shared_ptr<const FleetContext> previous = live->holder().Get();
  for (int pass = 0; pass < kPasses; ++pass) {
    SCOPED_TRACE("pass " + std::to_string(pass));
    const int arrivals = static_cast<int>(rng.Uniform(6));
    for (int i = 0; i < arrivals; ++i) live->SubmitJob(RandomJob(rng, tenants));
    const int changes = pass == 0 ? 0 : static_cast<int>(rng.Uniform(5));
    for (int i = 0; i < changes; ++i) {
      const Result<std::vector<ChangeOutcome>> out =
          live->inventory().Submit({RandomChange(rng, *live, serial)}, "tok_prop", true);
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      (out->front().status.ok() ? tally.accepted : tally.refused) += 1;
    }
    Result<std::vector<store::JobRecord>> before = live->store().LoadActive();
    ASSERT_TRUE(before.ok()) << before.status().ToString();

    const PassReport report = live->Pass();
    ASSERT_TRUE(report.leader);
    const std::shared_ptr<const FleetContext> ctx = live->holder().Get();
    ASSERT_EQ(report.fleet_generation, live->inventory().generation())
        << "the pass saw every change";
    ASSERT_EQ(ctx->generation, report.fleet_generation);

    // Within each node, and no more per group than the inventory's usable boards.
    testing::ExpectPlacementsWithinCapacity(live->store(), *ctx);
    const std::map<GroupKey, std::set<std::string>> usable = Usable(*live, *ctx);
    for (const scheduler::NodeGroup& g : ctx->fleet.groups) {
      const auto u = usable.find({g.site, g.node, g.model});
      for (const inventory::Asset* a : g.assets) {
        EXPECT_TRUE(u != usable.end() && u->second.contains(a->serial))
            << a->serial << " is placed at " << g.site << "/" << g.node << " (" << g.model
            << ") but the inventory does not hold it usable there";
      }
    }
    Result<std::vector<store::JobRecord>> after = live->store().LoadActive();
    ASSERT_TRUE(after.ok()) << after.status().ToString();
    std::map<std::string, uint64_t> masks;  // by node
    for (const store::JobRecord& j : *after) {
      for (const store::Placement& p : j.placements) masks[p.node] |= p.gpu_mask;
    }
    std::map<GroupKey, int64_t> held;
    for (const auto& [node, mask] : masks) held[GroupOf(*ctx, node)] += std::popcount(mask);
    for (const auto& [key, gpus] : held) {
      const auto u = usable.find(key);
      const int64_t boards = u == usable.end() ? 0 : static_cast<int64_t>(u->second.size());
      EXPECT_LE(gpus, boards) << std::get<0>(key) << "/" << std::get<1>(key) << " ("
                              << std::get<2>(key) << "): jobs hold more GPUs than it has boards";
    }

    // Preemptions: the inventory's name an entry of this pass's window and a changed node; a
    // node whose boards did not change loses no job to the inventory.
    const std::map<GroupKey, std::set<std::string>> was = Groups(*previous);
    const std::map<GroupKey, std::set<std::string>> is = Groups(*ctx);
    std::map<uint64_t, const store::JobRecord*> now;
    for (const store::JobRecord& j : *after) now[j.id.value()] = &j;
    for (const store::JobRecord& j : *before) {
      if (j.state != store::JobState::kRunning) continue;
      const auto it = now.find(j.id.value());
      if (it == now.end() || it->second->state != store::JobState::kPending) continue;
      const std::string& reason = it->second->last_preemption_reason;
      ASSERT_THAT(reason, StartsWith("preempted: ")) << "job " << j.id.value();
      const bool by_inventory = !reason.starts_with("preempted: tenant ");
      bool node_changed = false;
      for (const store::Placement& p : j.placements) {
        const GroupKey key = GroupOf(*previous, p.node);
        const auto w = was.find(key);
        const auto i = is.find(key);
        node_changed =
            node_changed || !ctx->fleet.fleet.FindNode(p.node) || w == was.end() || i == is.end() ||
            w->second != i->second ||
            ctx->fleet.fleet.node(*ctx->fleet.fleet.FindNode(p.node)).gpu_count !=
                previous->fleet.fleet.node(*previous->fleet.fleet.FindNode(p.node)).gpu_count;
      }
      if (!by_inventory) continue;
      ++tally.inventory_preemptions;
      EXPECT_TRUE(report.fleet_changed) << reason;
      EXPECT_TRUE(node_changed) << "job " << j.id.value()
                                << " preempted on unchanged nodes: " << reason;
      const std::vector<int64_t> entries = EntriesNamed(reason);
      EXPECT_FALSE(entries.empty()) << reason;
      for (const int64_t e : entries) {
        EXPECT_GE(e, previous->entries) << reason;
        EXPECT_LT(e, ctx->entries) << reason;
      }
    }
    previous = ctx;
    live->clock().Advance(static_cast<int64_t>(rng.Uniform(120'000)));
  }
}

class SchedulerLoopInventoryPropertyTest : public ::testing::TestWithParam<int> {};

TEST_P(SchedulerLoopInventoryPropertyTest, NothingRunsOnBoardsTheInventoryDoesNotHold) {
  Tally tally;
  for (int k = 0; k < kSeeds / 2; ++k) {
    RunScenario(static_cast<uint64_t>(GetParam() * 1000 + k), tally);
    if (HasFatalFailure()) return;
  }
  RecordProperty("inventory_preemptions", std::to_string(tally.inventory_preemptions));
  // The checks are not vacuous: changes were accepted and refused, and some took jobs' GPUs.
  EXPECT_GT(tally.accepted, 0);
  EXPECT_GT(tally.refused, 0);
  EXPECT_GT(tally.inventory_preemptions, 0);
}

INSTANTIATE_TEST_SUITE_P(Seeds, SchedulerLoopInventoryPropertyTest, ::testing::Range(0, 2));

}  // namespace
}  // namespace gpufleet::service
