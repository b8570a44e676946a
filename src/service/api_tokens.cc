// Token routes: create (with role, scope and expiry), list, show and revoke (admin), a tenant's
// token (admin), and whoami (any token). docs/service.md, "Token lifecycle".

#include <string>

#include "gpufleet/model/utf8.h"
#include "gpufleet/service/admin_token.h"
#include "service/api_json.h"
#include "service/api_v1_routes.h"

namespace gpufleet::service::v1 {
namespace {

// Ten years: a token meant to outlive that should have no expiry at all.
constexpr int64_t kMaxExpiresInS = 315'360'000;

// The optional fields every creation takes: name and expires_in_s.
Status ReadNameAndExpiry(const api::JsonObject& fields, int64_t now_ms, store::TokenRecord& t) {
  const Result<std::optional<std::string>> name = fields.OptionalString("name");
  if (!name.ok()) return name.status();
  if (name->has_value()) {
    if ((*name)->size() > store::kMaxTextLength) {
      return FieldError("name",
                        "longer than " + std::to_string(store::kMaxTextLength) + " characters");
    }
    t.name = **name;
  }
  const Result<std::optional<int64_t>> expires_in = fields.OptionalInt("expires_in_s");
  if (!expires_in.ok()) return expires_in.status();
  if (expires_in->has_value()) {
    if (**expires_in < 1 || **expires_in > kMaxExpiresInS) {
      return FieldError("expires_in_s", std::to_string(**expires_in) + " is outside 1.." +
                                            std::to_string(kMaxExpiresInS) +
                                            " (omit it for no expiry)");
    }
    t.expires_at_ms = now_ms + **expires_in * 1000;
  }
  return Status::Ok();
}

api::Response Issue(const ApiState& state, IssuedToken issued, int64_t now_ms) {
  if (Status s = state.store().PutToken(issued.record); !s.ok()) return api::ErrorResponse(s);
  nlohmann::json body = TokenJson(issued.record, now_ms);
  body["token"] = std::move(issued.secret);
  return api::Response::Json(201, body);
}

Result<nlohmann::json> ParseOptionalBody(const api::Request& request) {
  if (request.body.empty()) return nlohmann::json::object();
  return api::ParseJsonBody(request.body);
}

// POST /v1/tokens {role, tenant?, node?, name?, expires_in_s?}
api::Response CreateToken(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<nlohmann::json> body = api::ParseJsonBody(request.body);
  if (!body.ok()) return api::ErrorResponse(body.status());
  const Result<api::JsonObject> fields =
      api::JsonObject::Make(*body, {"role", "tenant", "node", "name", "expires_in_s"});
  if (!fields.ok()) return api::ErrorResponse(fields.status());
  const Result<std::string> role_name = fields->String("role");
  if (!role_name.ok()) return api::ErrorResponse(role_name.status());
  const Result<store::Role> role = store::ParseRole(*role_name);
  if (!role.ok()) {
    return api::ErrorResponse(FieldError(
        "role", "'" + Excerpt(*role_name) + "' is not admin, tenant, inventory, node or viewer"));
  }
  const int64_t now = state.NowMs();
  IssuedToken issued = NewTokenRecord(*role, now);
  const Result<std::optional<std::string>> tenant = fields->OptionalString("tenant");
  if (!tenant.ok()) return api::ErrorResponse(tenant.status());
  const Result<std::optional<std::string>> node = fields->OptionalString("node");
  if (!node.ok()) return api::ErrorResponse(node.status());
  if (*role == Role::kTenant) {
    if (!tenant->has_value()) {
      return api::ErrorResponse(FieldError("tenant", "required for a tenant token"));
    }
    const Result<store::TenantRecord> found = VisibleTenant(state, request, **tenant);
    if (!found.ok()) return api::ErrorResponse(found.status());
    issued.record.tenant = found->id;
  } else if (tenant->has_value()) {
    return api::ErrorResponse(FieldError("tenant", "only a tenant token has a tenant"));
  }
  if (*role == Role::kNode) {
    if (!node->has_value()) {
      return api::ErrorResponse(FieldError("node", "required for a node token"));
    }
    if (!state.nodes().FindNode(**node)) {
      return api::ErrorResponse(
          FieldError("node", "no node '" + Excerpt(**node) + "' in the fleet"));
    }
    issued.record.node = **node;
  } else if (node->has_value()) {
    return api::ErrorResponse(FieldError("node", "only a node token has a node"));
  }
  if (Status s = ReadNameAndExpiry(*fields, now, issued.record); !s.ok()) {
    return api::ErrorResponse(s);
  }
  return Issue(state, std::move(issued), now);
}

// POST /v1/tenants/{id}/tokens {name?, expires_in_s?}: a tenant token.
api::Response CreateTenantToken(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<nlohmann::json> body = ParseOptionalBody(request);
  if (!body.ok()) return api::ErrorResponse(body.status());
  const Result<api::JsonObject> fields = api::JsonObject::Make(*body, {"name", "expires_in_s"});
  if (!fields.ok()) return api::ErrorResponse(fields.status());
  const Result<store::TenantRecord> tenant =
      VisibleTenant(state, request, request.PathParam("id").value_or(""));
  if (!tenant.ok()) return api::ErrorResponse(tenant.status());
  const int64_t now = state.NowMs();
  IssuedToken issued = NewTokenRecord(Role::kTenant, now);
  issued.record.tenant = tenant->id;
  if (Status s = ReadNameAndExpiry(*fields, now, issued.record); !s.ok()) {
    return api::ErrorResponse(s);
  }
  return Issue(state, std::move(issued), now);
}

// GET /v1/tokens[?role=R][&tenant=T]: every token, revoked and expired ones with their state.
api::Response ListTokens(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {"role", "tenant"}); !s.ok()) {
    return api::ErrorResponse(s);
  }
  std::optional<store::Role> role;
  if (const std::optional<std::string_view> name = request.Query("role")) {
    const Result<store::Role> parsed = store::ParseRole(*name);
    if (!parsed.ok()) {
      return api::ErrorResponse(
          Status::InvalidArgument("query parameter 'role': " + parsed.status().message()));
    }
    role = *parsed;
  }
  const std::optional<std::string_view> tenant = request.Query("tenant");
  const Result<std::vector<store::TokenRecord>> all = state.store().ListTokens();
  if (!all.ok()) return api::ErrorResponse(all.status());
  const int64_t now = state.NowMs();
  nlohmann::json tokens = nlohmann::json::array();
  for (const store::TokenRecord& t : *all) {
    if ((role && t.role != *role) || (tenant && t.tenant != *tenant)) continue;
    tokens.push_back(TokenJson(t, now));
  }
  return api::Response::Json(200, {{"tokens", std::move(tokens)}});
}

api::Response GetToken(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<store::TokenRecord> token =
      state.store().GetToken(request.PathParam("id").value_or(""));
  if (!token.ok()) return api::ErrorResponse(token.status());
  return api::Response::Json(200, TokenJson(*token, state.NowMs()));
}

// DELETE /v1/tokens/{id}: revoked at once in the store; every instance refuses it within its
// validity cache (one second, StoreAuthenticator).
api::Response RevokeToken(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  if (Status s = CheckEmptyBody(request); !s.ok()) return api::ErrorResponse(s);
  const std::string id(request.PathParam("id").value_or(""));
  const int64_t now = state.NowMs();
  if (Status s = state.store().RevokeToken(id, now); !s.ok()) return api::ErrorResponse(s);
  const Result<store::TokenRecord> token = state.store().GetToken(id);
  if (!token.ok()) return api::ErrorResponse(token.status());
  return api::Response::Json(200, TokenJson(*token, now));
}

// GET /v1/whoami: the caller's own token, role and scope.
api::Response WhoAmI(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<store::TokenRecord> token = state.store().GetToken(request.principal->token_id);
  if (!token.ok()) return api::ErrorResponse(token.status());
  return api::Response::Json(200, TokenJson(*token, state.NowMs()));
}

}  // namespace

std::vector<RouteDef> TokenRoutes() {
  return {
      {{"POST", "/v1/tenants/{id}/tokens", kAdminOnly}, &CreateTenantToken},
      {{"POST", "/v1/tokens", kAdminOnly}, &CreateToken},
      {{"GET", "/v1/tokens", kAdminOnly}, &ListTokens},
      {{"GET", "/v1/tokens/{id}", kAdminOnly}, &GetToken},
      {{"DELETE", "/v1/tokens/{id}", kAdminOnly}, &RevokeToken},
      {{"GET", "/v1/whoami", kAnyRole}, &WhoAmI},
  };
}

}  // namespace gpufleet::service::v1
