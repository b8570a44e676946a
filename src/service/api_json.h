#pragma once
// Store records as the v1 API's JSON (docs/openapi.json, components.schemas), in one place so
// every route shows a job, tenant or event the same way.
//
// Times are ISO-8601 UTC strings with milliseconds ("2026-03-01T12:00:00.000Z"); a time the
// store records as 0 (never started, not finished) is null.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gpufleet/service/fleet_context.h"
#include "gpufleet/store/store.h"

namespace gpufleet::service::v1 {

// The data class a job without one is stored with (the store requires a non-empty class).
// The API accepts "" or an omitted field for it, and shows it as "none".
inline constexpr std::string_view kNoDataClass = "none";

// "2026-03-01T12:00:00.000Z" for milliseconds since the Unix epoch.
std::string IsoTime(int64_t ms);
// IsoTime, or null for 0.
nlohmann::json IsoTimeOrNull(int64_t ms);

// Indices of the set bits of a node's GPU mask, ascending.
std::vector<int> GpuIndices(uint64_t mask);

// The GPUs per replica as the API shows them: the whole count, or the fraction of one GPU
// (gpu_milli / 1000) for a shared GPU.
nlohmann::json GpusJson(const store::JobSpec& spec);

nlohmann::json TenantJson(const store::TenantRecord& t);
nlohmann::json QuotaJson(const store::QuotaRecord& q);
// {replica, node, site, model, gpus}; site and model come from the placement fleet (null for a
// node it no longer has).
nlohmann::json PlacementJson(const store::Placement& p, const FleetContext& fleet);
nlohmann::json JobJson(const store::JobRecord& job, const FleetContext& fleet);
nlohmann::json EventJson(const store::EventRecord& e);
// Never the secret nor its hash. `state` is live, expired (at `now_ms`) or revoked.
nlohmann::json TokenJson(const store::TokenRecord& t, int64_t now_ms);

}  // namespace gpufleet::service::v1
