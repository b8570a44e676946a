// A submission the fleet could never run is refused at the door with 422 and the reason,
// rather than stored to pend forever: a gang (replicas run together at one site) larger than
// any site holds of its models, and a model or site the rules keep the tenant's organisation
// off. The expectations are computed from the example fleet and the same eligibility filter the
// scheduler places with.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "gpufleet/scheduler/eligibility.h"
#include "service/api_v1_fixture.h"

namespace gpufleet::service::testing {
namespace {

using ::testing::HasSubstr;

class ApiV1Unschedulable : public ApiV1Test {
 protected:
  // GPUs per site of `model`, counting only (site, model) pairs `org` may use with `data_class`
  // (every pair when org is "").
  static std::map<uint32_t, int64_t> SiteGpus(const std::string& model, const std::string& org,
                                              const std::string& data_class) {
    const FleetContext& ctx = fleet();
    scheduler::EligibilityCache cache(ctx.fleet, ctx.inventory, *ctx.engine, ctx.at);
    const std::shared_ptr<const ZoneFilter> zones =
        org.empty() ? nullptr : cache.For({org, data_class}).filter;
    std::map<uint32_t, int64_t> out;
    const Fleet& f = ctx.fleet.fleet;
    for (const NodeSpec& n : f.nodes()) {
      if (n.gpu_count == 0 || f.model(n.gpu_model).name != model) continue;
      if (zones && !zones->Allows(n.site.value(), n.gpu_model)) continue;
      out[n.site.value()] += n.gpu_count;
    }
    return out;
  }
  static int64_t Most(const std::map<uint32_t, int64_t>& by_site) {
    int64_t most = 0;
    for (const auto& [site, gpus] : by_site) most = std::max(most, gpus);
    return most;
  }
};

TEST_F(ApiV1Unschedulable, GangLargerThanAnySiteOfItsModelIs422) {
  // A model spread over several sites: all its GPUs would hold the gang, no one site does.
  std::string model;
  int64_t most = 0, total = 0;
  for (const auto& [m, cap] : CapacityByModel(fleet())) {
    const std::map<uint32_t, int64_t> sites = SiteGpus(m, "", "");
    if (sites.size() > 1 && Most(sites) < cap.gpus) {
      model = m;
      most = Most(sites);
      total = cap.gpus;
      break;
    }
  }
  ASSERT_FALSE(model.empty()) << "the example fleet has no model at two sites";
  const Snapshot before = Take();
  const Reply r = Submit(
      beta_token_, {{"name", "gang"}, {"gpus", 1}, {"replicas", most + 1}, {"models", {model}}});
  EXPECT_EQ(r.status, 422) << r.raw << " (" << total << " GPUs in all)";
  EXPECT_EQ(r.body["error"]["code"], "unschedulable");
  EXPECT_THAT(r.raw, HasSubstr(std::to_string(most + 1) + " replicas run together at one site"));
  EXPECT_EQ(Take(), before);
}

TEST_F(ApiV1Unschedulable, GangLargerThanTheSitesTheRulesAllowTheOrganisationIs422) {
  // Some (model, data class) whose sites the rules partly close to alpha (lumen-ai): acme's
  // policy keeps cn_personal data in mainland China. Ask for one replica more than the largest
  // site alpha may use holds.
  std::string model, data_class;
  int64_t allowed = 0;
  for (const auto& [m, cap] : CapacityByModel(fleet())) {
    for (const char* dc : {"none", "cn_personal"}) {
      const int64_t open = Most(SiteGpus(m, "lumen-ai", dc));
      if (model.empty() && open < Most(SiteGpus(m, "", ""))) {
        model = m;
        data_class = dc;
        allowed = open;
      }
    }
  }
  ASSERT_FALSE(model.empty()) << "the rules close no site of any model to lumen-ai";
  const nlohmann::json job = {{"name", "gang"},
                              {"gpus", 1},
                              {"replicas", allowed + 1},
                              {"data_class", data_class},
                              {"models", {model}}};
  const Snapshot before = Take();
  const Reply r = Submit(alpha_token_, job);
  EXPECT_EQ(r.status, 422) << r.raw << " (" << model << ", " << data_class << ")";
  EXPECT_EQ(r.body["error"]["code"], "unschedulable");
  EXPECT_THAT(r.raw, HasSubstr("organisation 'lumen-ai'"));
  EXPECT_EQ(Take(), before);
  // Without the data class, or for an organisation the rules let use more, the job may fit.
  if (Most(SiteGpus(model, "acme-cloud", "none")) > allowed) {
    nlohmann::json plain = job;
    plain["data_class"] = "none";
    EXPECT_EQ(Submit(beta_token_, plain).status, 201);
  }
}

}  // namespace
}  // namespace gpufleet::service::testing
