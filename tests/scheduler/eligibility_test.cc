// The compliance filter for placement (eligibility.h) on the example fleet, with the shipped
// rule history and acme's overlay (its data-residency policy and resale cap).

#include "gpufleet/scheduler/eligibility.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gpufleet/compliance/engine.h"
#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/compliance/rule_change.h"
#include "gpufleet/compliance/workload.h"
#include "scheduler/shipped_inputs.h"

namespace gpufleet::scheduler {
namespace {

const std::string kSource = GPUFLEET_SOURCE_DIR;
constexpr char kDataRule[] = "ACME-DATA-CN-PERSONAL";

const RuleExclusion* FindRule(const std::vector<RuleExclusion>& v, const std::string& id) {
  for (const RuleExclusion& x : v) {
    if (x.rule_id == id) return &x;
  }
  return nullptr;
}

class EligibilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto in = testing::LoadShippedInputs();
    ASSERT_TRUE(in.ok()) << in.status().ToString();
    auto rules = in->RulesWithAcme();
    catalog_ = std::make_unique<catalog::Catalog>(std::move(in->catalog));
    ASSERT_TRUE(rules.ok()) << rules.status().ToString();
    rules_ = std::make_unique<compliance::RuleSet>(std::move(rules).value());
    auto inv = inventory::Inventory::Load(kSource + "/examples/fleet.yaml", *catalog_);
    ASSERT_TRUE(inv.ok()) << inv.status().ToString();
    inv_ = std::make_unique<inventory::Inventory>(std::move(inv).value());
    engine_ = compliance::MakeIndexedEngine(*rules_);
    naive_ = compliance::MakeNaiveEngine(*rules_);
    check_ = compliance::CheckFleet(*inv_, *catalog_, *rules_, *engine_, at_);
    auto fleet = BuildInventoryFleet(*inv_, *catalog_, at_, check_);
    ASSERT_TRUE(fleet.ok()) << fleet.status().ToString();
    fleet_ = std::make_unique<InventoryFleet>(std::move(fleet).value());
    ASSERT_GT(fleet_->fleet.nodes().size(), 0u);
    cache_ = std::make_unique<EligibilityCache>(*fleet_, *inv_, *engine_, at_);
  }

  const std::string& Country(const NodeSpec& n) const {
    return fleet_->sites[n.site.value()]->country;
  }

  // Independently: does the naive engine keep `org` with `data_class` off (site, model)?
  bool Blocked(const std::string& org, const std::string& data_class, SiteId site,
               ChipModelId model) const {
    const compliance::Situation s = compliance::WorkloadSituation(
        *inv_, *catalog_->Find(fleet_->fleet.model(model).name),
        *inv_->FindSite(fleet_->fleet.site(site).name), org, data_class, at_);
    return compliance::BlocksPlacement(naive_->Evaluate(s));
  }

  const Date at_ = *Date::Parse("2026-03-01");
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<compliance::RuleSet> rules_;
  std::unique_ptr<inventory::Inventory> inv_;
  std::unique_ptr<compliance::Engine> engine_, naive_;
  compliance::FleetCheckReport check_;
  std::unique_ptr<InventoryFleet> fleet_;
  std::unique_ptr<EligibilityCache> cache_;
};

TEST_F(EligibilityTest, PersonalDataOfChinaStaysOnMainlandSites) {
  int64_t outside_nodes = 0, outside_gpus = 0, inside_nodes = 0;
  for (const NodeSpec& n : fleet_->fleet.nodes()) {
    if (Country(n) == "CN") {
      ++inside_nodes;
      continue;
    }
    ++outside_nodes;
    outside_gpus += n.gpu_count;
  }
  ASSERT_GT(outside_nodes, 0) << "precondition: the example fleet has nodes outside CN";
  ASSERT_GT(inside_nodes, 0) << "precondition: the example fleet has nodes in CN";

  const Eligibility& e = cache_->For({"acme-sg", "cn_personal"});
  const RuleExclusion* x = FindRule(e.by_rule, kDataRule);
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->nodes, outside_nodes);
  EXPECT_EQ(x->gpus, outside_gpus);
  EXPECT_EQ(x->jurisdiction, "ACME");
  EXPECT_EQ(x->action, compliance::Action::kProhibited);
  EXPECT_FALSE(x->may_apply);
  EXPECT_EQ(x->summary, "Personal data of users in China stays in mainland China");

  const size_t data_rule = static_cast<size_t>(x - e.by_rule.data());
  int64_t listed_nodes = 0;
  for (const ExcludedPair& p : e.excluded) {
    const bool outside = fleet_->sites[p.site.value()]->country != "CN";
    const bool lists = std::find(p.rules.begin(), p.rules.end(), data_rule) != p.rules.end();
    EXPECT_EQ(lists, outside) << fleet_->fleet.site(p.site).name << " "
                              << fleet_->fleet.model(p.model).name;
    if (lists) listed_nodes += p.nodes;
  }
  EXPECT_EQ(listed_nodes, outside_nodes);
  for (const NodeSpec& n : fleet_->fleet.nodes()) {
    if (Country(n) != "CN") {
      EXPECT_FALSE(e.filter->Allows(n.site.value(), n.gpu_model)) << n.name;
    }
  }
}

TEST_F(EligibilityTest, WithNoDataClassTheDataRuleKeepsNobodyOff) {
  for (const char* org : {"acme-sg", "acme", "kite-robotics"}) {
    const Eligibility& e = cache_->For({org, ""});
    EXPECT_EQ(FindRule(e.by_rule, kDataRule), nullptr) << org;
    for (const ExcludedPair& p : e.excluded) {
      for (size_t i : p.rules) {
        ASSERT_LT(i, e.by_rule.size());
        EXPECT_NE(e.by_rule[i].rule_id, kDataRule) << org;
      }
    }
  }
  // And the same organisation with the data class is kept off: the difference is the data.
  EXPECT_NE(FindRule(cache_->For({"acme-sg", "cn_personal"}).by_rule, kDataRule), nullptr);
}

TEST_F(EligibilityTest, FilterAllowsExactlyThePairsTheRulesDoNotBlock) {
  // (site, model) pairs present in the fleet, with their nodes and accelerators.
  std::map<std::pair<uint32_t, uint16_t>, std::pair<int64_t, int64_t>> pairs;
  for (const NodeSpec& n : fleet_->fleet.nodes()) {
    auto& c = pairs[{n.site.value(), n.gpu_model.value()}];
    ++c.first;
    c.second += n.gpu_count;
  }
  int64_t blocked_somewhere = 0, allowed_somewhere = 0;
  for (const inventory::Organisation& org : inv_->organisations()) {
    for (const char* data_class : {"", "cn_personal", "cn_important"}) {
      const Eligibility& e = cache_->For({org.id, data_class});
      ASSERT_NE(e.filter, nullptr);
      int64_t eligible_nodes = 0, eligible_gpus = 0, excluded_nodes = 0, excluded_gpus = 0;
      std::set<std::pair<uint32_t, uint16_t>> excluded_listed;
      for (const ExcludedPair& p : e.excluded) {
        excluded_listed.insert({p.site.value(), p.model.value()});
      }
      for (const auto& [key, count] : pairs) {
        const SiteId site(key.first);
        const ChipModelId model(key.second);
        const bool blocked = Blocked(org.id, data_class, site, model);
        const std::string what = org.id + " (" + data_class + ") at " +
                                 fleet_->fleet.site(site).name + " on " +
                                 fleet_->fleet.model(model).name;
        EXPECT_EQ(e.filter->Allows(site.value(), model), !blocked) << what;
        EXPECT_EQ(excluded_listed.count(key) == 1, blocked) << what;
        (blocked ? excluded_nodes : eligible_nodes) += count.first;
        (blocked ? excluded_gpus : eligible_gpus) += count.second;
        (blocked ? blocked_somewhere : allowed_somewhere) += 1;
      }
      EXPECT_EQ(e.eligible_nodes, eligible_nodes) << org.id << " " << data_class;
      EXPECT_EQ(e.eligible_gpus, eligible_gpus) << org.id << " " << data_class;
      EXPECT_EQ(e.excluded_nodes, excluded_nodes) << org.id << " " << data_class;
      EXPECT_EQ(e.excluded_gpus, excluded_gpus) << org.id << " " << data_class;
      // Every excluded pair is kept off by at least one named rule.
      for (const ExcludedPair& p : e.excluded) EXPECT_FALSE(p.rules.empty());
    }
  }
  EXPECT_GT(blocked_somewhere, 0) << "the comparison covers blocked pairs";
  EXPECT_GT(allowed_somewhere, 0) << "the comparison covers allowed pairs";
}

TEST_F(EligibilityTest, ExclusionsForOneModelCountOnlyItsNodes) {
  const Eligibility& e = cache_->For({"acme-sg", "cn_personal"});
  std::map<std::string, int64_t> summed_nodes, summed_gpus;  // by rule, over the models
  for (const AcceleratorModel& m : fleet_->fleet.models()) {
    int64_t outside_nodes = 0, outside_gpus = 0, model_nodes = 0;
    for (const NodeSpec& n : fleet_->fleet.nodes()) {
      if (n.gpu_model != m.id) continue;
      ++model_nodes;
      if (Country(n) != "CN") {
        ++outside_nodes;
        outside_gpus += n.gpu_count;
      }
    }
    const std::vector<RuleExclusion> xs = e.ExclusionsFor(ModelSet::Of({m.id}));
    for (const RuleExclusion& x : xs) {
      EXPECT_GT(x.nodes, 0) << m.name << " " << x.rule_id;
      EXPECT_LE(x.nodes, model_nodes) << m.name << " " << x.rule_id;
      summed_nodes[x.rule_id] += x.nodes;
      summed_gpus[x.rule_id] += x.gpus;
    }
    for (size_t i = 1; i < xs.size(); ++i) EXPECT_GE(xs[i - 1].nodes, xs[i].nodes);
    const RuleExclusion* data = FindRule(xs, kDataRule);
    if (outside_nodes == 0) {
      EXPECT_EQ(data, nullptr) << m.name;
    } else {
      ASSERT_NE(data, nullptr) << m.name;
      EXPECT_EQ(data->nodes, outside_nodes) << m.name;
      EXPECT_EQ(data->gpus, outside_gpus) << m.name;
    }
  }
  // Summed over the models, the counts are those over the whole fleet, and "any model" (an
  // empty set) gives the whole fleet's.
  ASSERT_EQ(summed_nodes.size(), e.by_rule.size());
  const std::vector<RuleExclusion> any = e.ExclusionsFor(ModelSet());
  ASSERT_EQ(any.size(), e.by_rule.size());
  for (const RuleExclusion& x : e.by_rule) {
    EXPECT_EQ(summed_nodes[x.rule_id], x.nodes) << x.rule_id;
    EXPECT_EQ(summed_gpus[x.rule_id], x.gpus) << x.rule_id;
    const RuleExclusion* a = FindRule(any, x.rule_id);
    ASSERT_NE(a, nullptr) << x.rule_id;
    EXPECT_EQ(a->nodes, x.nodes) << x.rule_id;
  }
}

TEST_F(EligibilityTest, TheCacheSharesOneEligibilityPerProfile) {
  const Eligibility* a = &cache_->For({"acme-sg", "cn_personal"});
  cache_->For({"acme", ""});
  cache_->For({"lumen-ai", "cn_personal"});
  EXPECT_EQ(a, &cache_->For({"acme-sg", "cn_personal"}));
  EXPECT_NE(a, &cache_->For({"acme-sg", ""}));
}

}  // namespace
}  // namespace gpufleet::scheduler
