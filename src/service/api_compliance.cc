// Compliance over the living state, in the formats the CLI prints for files, so that
// `gpufleet check|check-transfer --url` show the same report for the service as for a file:
//   GET /v1/compliance/check: the fleet check on the inventory the service holds now, judged
//     on a date (default: the service clock's day; compliance/report_json.h);
//   POST /v1/compliance/check-transfer: may N units of a model go to a place and an end user
//     on a date, with the inventory's sites and organisations (compliance/transfer_question.h);
//   GET /v1/rules: the rules in force on a date and the licences on file, as the service runs
//     them (the shipped history with the operator's overlays);
//   POST /v1/compliance/impact: a proposed rule change (the examples/changes/ format) as a dry
//     run on the living inventory and the jobs running now (compliance/impact.h); nothing is
//     applied.

#include <algorithm>
#include <bit>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/compliance/impact.h"
#include "gpufleet/compliance/report_json.h"
#include "gpufleet/compliance/rule_change.h"
#include "gpufleet/compliance/transfer_question.h"
#include "gpufleet/model/utf8.h"
#include "service/api_v1_routes.h"

namespace gpufleet::service::v1 {
namespace {
constexpr int64_t kMsPerDay = 86'400'000;
}  // namespace

Date Today(const ApiState& state) {
  return Date::FromDays(static_cast<int32_t>(state.NowMs() / kMsPerDay));
}

api::Response Report(const nlohmann::ordered_json& report) {
  return api::Response::Text(200, report.dump(), "application/json");
}

Result<Date> DateField(const api::JsonObject& fields, std::string_view key, Date fallback) {
  const Result<std::optional<std::string>> text = fields.OptionalString(key);
  if (!text.ok()) return text.status();
  if (!text->has_value()) return fallback;
  const Result<Date> parsed = Date::Parse(**text);
  if (!parsed.ok()) return FieldError(key, "'" + Excerpt(**text) + "' is not a date YYYY-MM-DD");
  return *parsed;
}

int64_t EndOfDayMs(Date day) { return (static_cast<int64_t>(day.days()) + 1) * kMsPerDay - 1; }

nlohmann::ordered_json RulesInForceOn(const ApiState& state, Date day) {
  if (const std::optional<RuleVersion> v = state.context.inventory->RulesAt(EndOfDayMs(day))) {
    return compliance::RulesInForceJson(*v->rules, day);
  }
  return compliance::RulesInForceJson(*state.fleet().rules, day);
}

Result<Date> AtParam(const api::Request& request, Date fallback) {
  const auto it = request.query_params.find("at");
  if (it == request.query_params.end()) return fallback;
  const Result<Date> parsed = Date::Parse(it->second);
  if (!parsed.ok()) {
    return Status::InvalidArgument("query parameter 'at': '" + Excerpt(it->second) +
                                   "' is not a date YYYY-MM-DD");
  }
  return *parsed;
}

namespace {

// GET /v1/compliance/check?at=YYYY-MM-DD
api::Response FleetCheck(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {"at"}); !s.ok()) return api::ErrorResponse(s);
  const Result<Date> parsed_at = AtParam(request, Today(state));
  if (!parsed_at.ok()) return api::ErrorResponse(parsed_at.status());
  const Date at = *parsed_at;
  const FleetContext& ctx = state.fleet();
  // The version's own check was made on its date: reused when that is the date asked for.
  if (at == ctx.at) {
    return Report(compliance::FleetCheckJson(ctx.check, ctx.inventory));
  }
  const compliance::FleetCheckReport report =
      compliance::CheckFleet(ctx.inventory, *ctx.catalog, *ctx.rules, *ctx.engine, at);
  return Report(compliance::FleetCheckJson(report, ctx.inventory));
}

// A question's fields in errors, as the body names them.
std::string BodyField(std::string_view field) { return "'" + std::string(field) + "'"; }

Result<compliance::TransferQuestion> ReadQuestion(const nlohmann::json& body, Date today) {
  const Result<api::JsonObject> fields = api::JsonObject::Make(
      body, {"model", "units", "to", "to_site", "to_org", "from", "from_site", "transfer",
             "end_user", "end_user_hq", "end_user_parent_hq", "at", "state_funded", "public_hub",
             "project_completion_pct", "holding"});
  if (!fields.ok()) return fields.status();
  compliance::TransferQuestion q;
  for (const auto& [key, out] :
       {std::pair{"model", &q.model}, std::pair{"to", &q.to}, std::pair{"to_site", &q.to_site},
        std::pair{"to_org", &q.to_org}, std::pair{"from", &q.from},
        std::pair{"from_site", &q.from_site}, std::pair{"transfer", &q.transfer},
        std::pair{"end_user", &q.end_user}, std::pair{"end_user_hq", &q.end_user_hq},
        std::pair{"end_user_parent_hq", &q.end_user_parent_hq}, std::pair{"holding", &q.holding}}) {
    const Result<std::optional<std::string>> value = fields->OptionalString(key);
    if (!value.ok()) return value.status();
    if (value->has_value()) *out = **value;
  }
  if (q.model.empty()) return FieldError("model", "is required");
  const Result<std::optional<int64_t>> units = fields->OptionalInt("units");
  if (!units.ok()) return units.status();
  if (units->has_value()) q.units = **units;
  const Result<Date> at = DateField(*fields, "at", today);
  if (!at.ok()) return at.status();
  q.at = *at;
  for (const auto& [key, out] :
       {std::pair{"state_funded", &q.state_funded}, std::pair{"public_hub", &q.public_hub}}) {
    const Result<std::optional<bool>> flag = fields->OptionalBool(key);
    if (!flag.ok()) return flag.status();
    *out = flag->value_or(false);
  }
  const Result<std::optional<double>> pct = fields->OptionalNumber("project_completion_pct");
  if (!pct.ok()) return pct.status();
  q.project_completion_pct = *pct;
  return q;
}

// POST /v1/compliance/check-transfer {model, units?, to?, to_site?, to_org?, ...}
api::Response CheckTransfer(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<nlohmann::json> body = api::ParseJsonBody(request.body);
  if (!body.ok()) return api::ErrorResponse(body.status());
  const Result<compliance::TransferQuestion> q = ReadQuestion(*body, Today(state));
  if (!q.ok()) return api::ErrorResponse(q.status());
  const FleetContext& ctx = state.fleet();
  const Result<compliance::TransferAnswer> a =
      compliance::AnswerTransfer(*q, *ctx.catalog, &ctx.inventory, *ctx.engine, BodyField);
  if (!a.ok()) return api::ErrorResponse(a.status());
  nlohmann::ordered_json answer = compliance::TransferAnswerJson(*q, *a);
  answer["line"] = compliance::TransferQuestionLine(*q, *a);
  return Report(answer);
}

// Tenants' organisations (the end users the rules look at), each read from the store once.
class TenantOrgs {
 public:
  explicit TenantOrgs(store::Store& store) : store_(store) {}
  Result<std::string> Of(const std::string& tenant) {
    const auto it = orgs_.find(tenant);
    if (it != orgs_.end()) return it->second;
    Result<store::TenantRecord> record = store_.GetTenant(tenant);
    if (!record.ok()) return record.status();
    return orgs_.emplace(tenant, record->org).first->second;
  }

 private:
  store::Store& store_;
  std::map<std::string, std::string, std::less<>> orgs_;
};

// The jobs running now as a placement snapshot: one row per job and (site, model, holding)
// its replicas occupy, with the GPUs it holds there (a fractional job counts the GPU it shares).
Result<std::vector<compliance::JobPlacement>> RunningPlacements(
    const ApiState& state, const std::vector<store::JobRecord>& active) {
  const scheduler::InventoryFleet& fleet = state.fleet().fleet;
  TenantOrgs orgs(state.store());
  std::vector<compliance::JobPlacement> out;
  for (const store::JobRecord& job : active) {
    if (job.state != store::JobState::kRunning) continue;
    const Result<std::string> org = orgs.Of(job.spec.tenant);
    if (!org.ok()) return org.status();
    std::map<std::tuple<std::string, std::string, inventory::Holding>, int64_t> gpus;
    for (const store::Placement& p : job.placements) {
      const std::optional<NodeId> node = fleet.fleet.FindNode(p.node);
      if (!node) continue;  // a node the fleet no longer has: nothing left to judge there
      const scheduler::NodeGroup& g = fleet.groups[fleet.node_groups[node->value()]];
      const inventory::Holding holding =
          g.assets.empty() ? inventory::Holding::kOwned : g.assets.front()->holding;
      gpus[{g.site, g.model, holding}] += std::popcount(p.gpu_mask);
    }
    for (const auto& [where, n] : gpus) {
      out.push_back({.job = std::to_string(job.id.value()),
                     .tenant_org = *org,
                     .site = std::get<0>(where),
                     .model = std::get<1>(where),
                     .data_class = job.spec.data_class,
                     .holding = std::get<2>(where),
                     .gpus = n,
                     .state = compliance::JobState::kRunning,
                     .line = 0});
    }
  }
  return out;
}

// Pending jobs that share a tenant organisation, data class and model list: the rules judge
// them alike, so each such profile is judged once, at every (site, model, holding) of the
// fleet its models allow, as a queued row of the impact.
struct QueuedProfile {
  std::string org;
  std::string data_class;
  std::vector<std::string> models;  // as the jobs name them; empty = any
  std::vector<const store::JobRecord*> jobs;
  size_t first_row = 0;  // its rows in the impact's job list
  size_t rows = 0;
};

// The profiles of the pending jobs of `active`, their rows appended to `rows`.
Result<std::vector<QueuedProfile>> QueuedProfiles(const ApiState& state,
                                                  const std::vector<store::JobRecord>& active,
                                                  std::vector<compliance::JobPlacement>& rows) {
  const scheduler::InventoryFleet& fleet = state.fleet().fleet;
  std::set<std::tuple<std::string, std::string, inventory::Holding>> zones;
  for (const scheduler::NodeGroup& g : fleet.groups) {
    zones.insert({g.site, g.model,
                  g.assets.empty() ? inventory::Holding::kOwned : g.assets.front()->holding});
  }
  std::map<std::tuple<std::string, std::string, std::vector<std::string>>, QueuedProfile> by_key;
  TenantOrgs orgs(state.store());
  for (const store::JobRecord& job : active) {
    if (job.state != store::JobState::kPending) continue;
    const Result<std::string> org = orgs.Of(job.spec.tenant);
    if (!org.ok()) return org.status();
    std::vector<std::string> models = job.spec.models;
    std::sort(models.begin(), models.end());
    QueuedProfile& p = by_key[{*org, job.spec.data_class, models}];
    p.org = *org;
    p.data_class = job.spec.data_class;
    p.models = models;
    p.jobs.push_back(&job);
  }
  std::vector<QueuedProfile> out;
  for (auto& [key, p] : by_key) {
    p.first_row = rows.size();
    for (const auto& [site, model, holding] : zones) {
      if (!p.models.empty() && !std::binary_search(p.models.begin(), p.models.end(), model)) {
        continue;
      }
      rows.push_back({.job = "queued",
                      .tenant_org = p.org,
                      .site = site,
                      .model = model,
                      .data_class = p.data_class,
                      .holding = holding,
                      .gpus = 0,
                      .state = compliance::JobState::kQueued,
                      .line = 0});
    }
    p.rows = rows.size() - p.first_row;
    out.push_back(std::move(p));
  }
  return out;
}

bool Blocked(compliance::Action action, bool manual) {
  return manual || action >= compliance::Action::kLicenceRequired;
}

// The pending jobs that could run somewhere before the change and nowhere after, taken out of
// `report`'s job list (the profiles' rows) into their own list.
nlohmann::ordered_json QueuedImpact(const std::vector<QueuedProfile>& profiles,
                                    compliance::ImpactReport& report) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const QueuedProfile& p : profiles) {
    int64_t before = 0;
    int64_t after = 0;
    for (size_t i = p.first_row; i < p.first_row + p.rows; ++i) {
      const compliance::JobImpact& row = report.jobs[i];
      before += Blocked(row.before, row.manual_before) ? 0 : 1;
      after += Blocked(row.after, row.manual_after) ? 0 : 1;
    }
    if (before == 0 || after > 0) continue;
    for (const store::JobRecord* job : p.jobs) {
      out.push_back({{"job", std::to_string(job->id.value())},
                     {"tenant", job->spec.tenant},
                     {"tenant_org", p.org},
                     {"data_class", p.data_class},
                     {"models", p.models},
                     {"places_before", before},
                     {"places_after", after}});
    }
  }
  if (!profiles.empty()) {
    // The profiles' rows are not jobs: the running jobs' counts stand alone.
    const size_t running = profiles.front().first_row;
    for (size_t i = running; i < report.jobs.size(); ++i) {
      if (report.jobs[i].loses_placement) --report.jobs_losing_placement;
    }
    report.jobs.resize(running);
  }
  return out;
}

}  // namespace

// POST /v1/compliance/impact {change: YAML text, name?, at?}
api::Response ImpactResponse(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<nlohmann::json> body = api::ParseJsonBody(request.body);
  if (!body.ok()) return api::ErrorResponse(body.status());
  const Result<api::JsonObject> fields = api::JsonObject::Make(*body, {"change", "name", "at"});
  if (!fields.ok()) return api::ErrorResponse(fields.status());
  const Result<ChangeFields> change = ReadChangeFields(*fields);
  if (!change.ok()) return api::ErrorResponse(change.status());
  const Result<Date> at = DateField(*fields, "at", Today(state));
  if (!at.ok()) return api::ErrorResponse(at.status());
  // With scheduled changes, those in force by the end of that day count (as GET /v1/rules).
  return ImpactAt(state, change->text, change->name, EndOfDayMs(*at));
}

Result<ChangeFields> ReadChangeFields(const api::JsonObject& fields) {
  const Result<std::optional<std::string>> change = fields.OptionalString("change");
  if (!change.ok()) return change.status();
  if (!change->has_value()) return FieldError("change", "is required: a change file's YAML text");
  const Result<std::optional<std::string>> name = fields.OptionalString("name");
  if (!name.ok()) return name.status();
  if (name->has_value() && (**name).empty()) return FieldError("name", "must not be empty");
  return ChangeFields{.text = **change, .name = name->value_or("change")};
}

api::Response ImpactAt(const ApiState& state, const std::string& change,
                       const std::string& change_name, int64_t ms) {
  const ApiV1Context& context = state.context;
  const FleetContext& ctx = state.fleet();
  // Merged into the rules in force at that instant: the rule book's when the service keeps
  // one (so a dry run sees the changes scheduled before it), else the document the service's
  // rules were parsed from (rule_change.h).
  const std::optional<RuleVersion> before =
      context.inventory ? context.inventory->RulesAt(ms) : std::nullopt;
  const std::string& text = before ? before->layered->text : context.rules_text;
  const std::string& name = before ? before->layered->name : context.rules_name;
  if (text.empty()) {
    return api::ErrorResponse(Status::FailedPrecondition(
        "this service was given no rule document to merge a change into"));
  }
  const Result<compliance::RuleSet> after =
      compliance::ApplyChange(text, name, change, change_name, ctx.catalog->IdsByName());
  if (!after.ok()) return api::ErrorResponse(after.status());
  Result<std::vector<store::JobRecord>> active = state.store().LoadActive();
  if (!active.ok()) return api::ErrorResponse(active.status());
  Result<std::vector<compliance::JobPlacement>> jobs = RunningPlacements(state, *active);
  if (!jobs.ok()) return api::ErrorResponse(jobs.status());
  const Result<std::vector<QueuedProfile>> queued = QueuedProfiles(state, *active, *jobs);
  if (!queued.ok()) return api::ErrorResponse(queued.status());
  compliance::ImpactReport report =
      compliance::Impact(ctx.inventory, *ctx.catalog, before ? *before->rules : *ctx.rules, *after,
                         Date::FromDays(static_cast<int32_t>(ms / kMsPerDay)), *jobs);
  nlohmann::ordered_json queued_jobs = QueuedImpact(*queued, report);
  nlohmann::ordered_json out = compliance::ImpactJson(report, change_name);
  out["queued_jobs_losing_placement"] = queued_jobs.size();
  out["queued_jobs"] = std::move(queued_jobs);
  return Report(out);
}

namespace {

// GET /v1/rules?at=YYYY-MM-DD
api::Response RulesInForce(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {"at"}); !s.ok()) return api::ErrorResponse(s);
  const Result<Date> at = AtParam(request, Today(state));
  if (!at.ok()) return api::ErrorResponse(at.status());
  return Report(RulesInForceOn(state, *at));
}

}  // namespace

std::vector<RouteDef> ComplianceRoutes() {
  return {
      {{"GET", "/v1/compliance/check", kFleetCheckReaders}, &FleetCheck},
      {{"POST", "/v1/compliance/check-transfer", kFleetCheckReaders}, &CheckTransfer},
      {{"POST", "/v1/compliance/impact", kFleetCheckReaders}, &ImpactResponse},
      {{"GET", "/v1/rules", kFleetCheckReaders}, &RulesInForce},
  };
}

}  // namespace gpufleet::service::v1
