#include "daemon/demo_tenants.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace gpufleet::daemon {

Status SeedDemoTenants(store::Store& store, const service::FleetContext& ctx, int64_t now_ms) {
  Result<std::vector<store::TenantRecord>> existing = store.ListTenants();
  if (!existing.ok()) return existing.status();
  if (!existing->empty()) return Status::Ok();

  // GPUs per model in the placement fleet (after quarantine), largest first.
  const Fleet& fleet = ctx.fleet.fleet;
  std::vector<std::pair<int64_t, std::string>> by_model(fleet.models().size());
  for (size_t m = 0; m < by_model.size(); ++m) by_model[m].second = fleet.models()[m].name;
  for (const NodeSpec& n : fleet.nodes()) by_model[n.gpu_model.value()].first += n.gpu_count;
  std::sort(by_model.begin(), by_model.end(), std::greater<>());

  struct Team {
    const char* id;
    const char* name;
    const char* org;
    int32_t priority;
    int32_t percent_of_top;  // guaranteed share of each of the two largest models
  };
  constexpr Team kTeams[] = {
      {"llm-training", "LLM training", "acme", 20, 30},
      {"chat-inference", "Chatbot inference", "acme", 30, 20},
      {"ads-reco", "Ads and recommendation", "acme", 10, 10},
      {"cloud-customer", "External cloud customer", "customer", 0, 0},
  };
  for (const Team& t : kTeams) {
    const inventory::Organisation* org = ctx.FindOrganisation(t.org);
    GPUFLEET_RETURN_IF_ERROR(store.PutTenant(
        {.id = t.id,
         .name = t.name,
         .org = t.org,
         .external = org != nullptr && org->kind == inventory::OrgKind::kExternalCustomer,
         .priority = t.priority,
         .max_job_priority = store::kDefaultMaxJobPriority,
         .created_at_ms = now_ms}));
    for (size_t i = 0; i < std::min<size_t>(2, by_model.size()); ++i) {
      const int64_t gpus = by_model[i].first * t.percent_of_top / 100;
      if (gpus == 0) continue;
      GPUFLEET_RETURN_IF_ERROR(store.SetQuota({.tenant = t.id,
                                               .model = by_model[i].second,
                                               .guaranteed_gpus = static_cast<int32_t>(gpus)}));
    }
  }
  return Status::Ok();
}

}  // namespace gpufleet::daemon
