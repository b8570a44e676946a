#pragma once
// The REST API, version 1: every route under /v1, registered on an api::HttpServer.
//
// docs/openapi.json is the contract (request and response shapes, status codes); it is
// compiled into the binary and served at GET /v1/openapi.json. Routes by resource:
//   fleet    GET /v1/models, /v1/sites, /v1/nodes[/{id}]
//   tenants  GET /v1/tenants[/{id}[/quotas]], PUT /v1/tenants/{id}[/quotas/{model}]
//   jobs     POST /v1/jobs, GET /v1/jobs[/{id}], POST /v1/jobs/{id}/cancel|complete,
//            GET /v1/placements
//   events   GET /v1/events
//   tokens   POST|GET /v1/tokens, GET|DELETE /v1/tokens/{id}, POST /v1/tenants/{id}/tokens,
//            GET /v1/whoami
//   agents   POST /v1/nodes/{id}/reports, GET /v1/nodes/{id}/observed,
//            POST /v1/nodes/{id}/nonce
//   findings GET /v1/findings[/{id}], POST /v1/findings/{id}/acknowledge|resolve|release,
//            POST /v1/findings/reconcile
//   location POST /v1/landmarks/measurements, GET /v1/nodes/{id}/location
// Who may call each route is its api::Access (the roles table in docs/service.md).
// Isolation: a tenant token sees only its own tenant's objects and a node token only its own
// node; another's object answers 404 exactly as a missing one does, so ids never reveal what
// exists.
//
// The fleet (models, sites, nodes, and what a submission is checked against) is the version
// the FleetHolder holds when a request arrives; a request reads that one version throughout.
//
// Thread safety: the handlers are safe to run concurrently (the Store is, the FleetHolder is,
// and each FleetContext is immutable).

#include <chrono>
#include <functional>
#include <string_view>
#include <vector>

#include "gpufleet/api/auth.h"
#include "gpufleet/api/http_server.h"
#include "gpufleet/service/attestation_nonces.h"
#include "gpufleet/service/clock.h"
#include "gpufleet/service/findings_reconciler.h"
#include "gpufleet/service/fleet_context.h"
#include "gpufleet/service/fleet_holder.h"
#include "gpufleet/service/inventory_service.h"
#include "gpufleet/service/landmark_measurements.h"
#include "gpufleet/service/observed_nodes.h"
#include "gpufleet/status.h"
#include "gpufleet/store/store.h"

namespace gpufleet::service {

// What the handlers read and write. Not owned: REQUIRES store, fleet and clock outlive the
// server the routes are registered on.
struct ApiV1Context {
  store::Store* store = nullptr;
  FleetHolder* fleet = nullptr;
  const Clock* clock = nullptr;
  // The same clock when it is a paused simulated one (gpufleetd --sim-speed 0), which
  // POST /v1/admin/clock/advance moves; nullptr otherwise (the call is then 409).
  SimulatedClock* paused_clock = nullptr;
  // Called after a change the scheduler should act on at once (a job submitted, cancelled or
  // completed): wakes the scheduling loop. May be empty.
  std::function<void()> on_change;
  // The living inventory (its routes: /v1/assets, /v1/inventory/changes, /v1/orgs).
  InventoryService* inventory = nullptr;
  // The rule document the service's rules were parsed from (overlays merged) and its name:
  // what POST /v1/compliance/impact merges a proposed change into. Empty: that route is 409.
  std::string rules_text;
  std::string rules_name;
  // Runs one scheduling pass now and returns when it is done, with the next instant the
  // scheduler must act at (a draining job's grace period ending; nullopt when none): POST
  // /v1/admin/clock/advance stops the clock at each effective time it crosses and runs a
  // pass there, so that every rule change, licence expiry, revocation and grace period's end
  // acts at its own time, in order. Empty: the clock moves in one step and on_change wakes
  // the scheduler.
  std::function<std::optional<int64_t>()> run_pass;
  // What node agents reported (POST /v1/nodes/{id}/reports, GET /v1/nodes/{id}/observed).
  // nullptr: the routes keep their own, which nothing else reads.
  ObservedNodes* observed = nullptr;
  // Nonces issued for devices' attestation reports (POST /v1/nodes/{id}/nonce). nullptr: the
  // routes keep their own.
  AttestationNonces* nonces = nullptr;
  // The findings' checks: POST /v1/findings/reconcile runs a pass (409 when nullptr).
  FindingsReconciler* findings = nullptr;
  // The landmarks gpufleetd trusts and their measurements (POST /v1/landmarks/measurements,
  // GET /v1/nodes/{id}/location). nullptr: no landmark is trusted (a measurement is 409).
  LandmarkMeasurements* landmarks = nullptr;
};

// One route of the API, as registered.
struct ApiV1Route {
  std::string_view method;   // "GET", "PUT", "POST"
  std::string_view pattern;  // "/v1/jobs/{id}"
  api::Access access;
};

// Every route RegisterApiV1 adds, in registration order (the OpenAPI document lists the same).
const std::vector<ApiV1Route>& ApiV1Routes();

// Adds every route of ApiV1Routes() to `server`. The handlers keep a copy of `context`.
// REQUIRES: the server is not running; context's pointers are non-null.
Status RegisterApiV1(api::HttpServer& server, const ApiV1Context& context);

// The OpenAPI 3.0.3 document (docs/openapi.json as built).
std::string_view OpenApiDocument();

// Resolves token hashes through store.FindToken into the token's role and scope; unknown,
// revoked and expired (on `clock`) tokens are nobody, and a store read that fails is its error
// (503, not 401: the token may well be valid). A live token is remembered for `remember` (at
// most kMaxRememberedTokens of them), which spares every request of a client a store read but
// lets a token revoked elsewhere work that much longer on an instance that saw it; zero reads
// the store every time. Expiry is checked on every request, remembered or not. Each store read
// records the token's last use when the stored one is kLastUsedResolutionMs old or more.
// REQUIRES: `store` and `clock` outlive the returned function.
inline constexpr size_t kMaxRememberedTokens = 4096;
inline constexpr int64_t kLastUsedResolutionMs = 60'000;
api::Authenticator StoreAuthenticator(
    store::Store& store, const Clock& clock,
    std::chrono::milliseconds remember = std::chrono::milliseconds(1000));

}  // namespace gpufleet::service
