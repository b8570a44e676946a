#pragma once
// The REST API, version 1: every route under /v1, registered on an api::HttpServer.
//
// docs/openapi.json is the contract (request and response shapes, status codes); it is
// compiled into the binary and served at GET /v1/openapi.json. Routes by resource:
//   fleet    GET /v1/models, /v1/sites, /v1/nodes                      (any token)
//   tenants  GET /v1/tenants[/{id}[/quotas]]                           (tenant: only itself)
//            PUT /v1/tenants/{id}, PUT /v1/tenants/{id}/quotas/{model},
//            POST /v1/tenants/{id}/tokens                             (admin)
//   jobs     POST /v1/jobs, GET /v1/jobs[/{id}], POST /v1/jobs/{id}/cancel|complete,
//            GET /v1/placements                                       (tenant: own jobs)
//   events   GET /v1/events                                           (tenant: own jobs)
// Tenant isolation: a tenant token sees only its own tenant's objects, and another tenant's
// object answers 404 exactly as a missing one does, so ids never reveal what exists.
//
// Thread safety: the handlers are safe to run concurrently (the Store is, and the
// FleetContext is immutable).

#include <chrono>
#include <functional>
#include <string_view>
#include <vector>

#include "gpufleet/api/auth.h"
#include "gpufleet/api/http_server.h"
#include "gpufleet/service/clock.h"
#include "gpufleet/service/fleet_context.h"
#include "gpufleet/status.h"
#include "gpufleet/store/store.h"

namespace gpufleet::service {

// What the handlers read and write. Not owned: REQUIRES store, fleet and clock outlive the
// server the routes are registered on.
struct ApiV1Context {
  store::Store* store = nullptr;
  const FleetContext* fleet = nullptr;
  const Clock* clock = nullptr;
  // Called after a change the scheduler should act on at once (a job submitted, cancelled or
  // completed): wakes the scheduling loop. May be empty.
  std::function<void()> on_change;
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

// Resolves token hashes through store.FindToken: an admin token is the admin principal, a
// tenant token that tenant; unknown or revoked tokens are nobody, and a store read that fails
// is its error (503, not 401: the token may well be valid). A valid token
// is remembered for `remember` (at most kMaxRememberedTokens of them), which spares every
// request of a client a store read but lets a revoked token work that much longer on an
// instance that saw it; zero reads the store every time.
// REQUIRES: `store` outlives the returned function.
inline constexpr size_t kMaxRememberedTokens = 4096;
api::Authenticator StoreAuthenticator(
    store::Store& store, std::chrono::milliseconds remember = std::chrono::milliseconds(1000));

}  // namespace gpufleet::service
