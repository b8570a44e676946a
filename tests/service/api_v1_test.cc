// The v1 REST API's happy paths, route by route, over a real server and SQLite store
// (api_v1_fixture.h), and the OpenAPI document's agreement with the registered routes.

#include "gpufleet/service/api_v1.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "service/api_v1_fixture.h"
#include "support/route_path.h"

namespace gpufleet::service::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// Percent-encodes everything but unreserved characters (node names hold '/' and '#').
std::string QueryEscape(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Lower(std::string_view text) {
  std::string s(text);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

using ApiV1Happy = ApiV1Test;

TEST_F(ApiV1Happy, OpenApiDocumentIsPublicAndListsExactlyTheRegisteredRoutes) {
  const Reply doc = Call("GET", "/v1/openapi.json", "");
  ASSERT_EQ(doc.status, 200) << doc.raw;
  EXPECT_EQ(doc.body, nlohmann::json::parse(OpenApiDocument()));
  EXPECT_EQ(doc.body["openapi"], "3.0.3");

  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, item] : doc.body["paths"].items()) {
    for (auto it = item.begin(); it != item.end(); ++it) documented.emplace(Upper(it.key()), path);
  }
  std::set<std::pair<std::string, std::string>> registered;
  for (const ApiV1Route& r : ApiV1Routes()) {
    registered.emplace(std::string(r.method), std::string(r.pattern));
    const nlohmann::json& paths = doc.body["paths"];
    const std::string pattern(r.pattern);
    ASSERT_TRUE(paths.contains(pattern)) << pattern;
    const std::string method = Lower(r.method);
    ASSERT_TRUE(paths[pattern].contains(method)) << r.method << " " << r.pattern;
    const nlohmann::json& op = paths[pattern][method];
    ASSERT_TRUE(op.is_object()) << r.method << " " << r.pattern;
    // Public routes need no token; routes closed to some role document their 403.
    bool closed_to_some_role = false;
    std::vector<std::string> allowed;
    for (const store::Role role : store::kAllRoles) {
      closed_to_some_role = closed_to_some_role || !r.access.Allows(role);
      if (r.access.Allows(role)) allowed.emplace_back(store::RoleName(role));
    }
    if (!r.access.is_public()) {
      EXPECT_EQ(op["x-gpufleet-roles"], nlohmann::json(allowed)) << r.method << " " << r.pattern;
    }
    EXPECT_EQ(op["security"].empty(), r.access.is_public()) << r.pattern;
    EXPECT_EQ(op["responses"].contains("403"), closed_to_some_role) << r.method << " " << r.pattern;
  }
  EXPECT_EQ(documented, registered);
}

TEST_F(ApiV1Happy, EveryListedRouteIsRegisteredOnTheServer) {
  for (const ApiV1Route& r : ApiV1Routes()) {
    SCOPED_TRACE(std::string(r.method) + " " + std::string(r.pattern));
    const Reply reply = Call(std::string(r.method), gpufleet::testing::FillRoute(r.pattern, "1"),
                             admin_token_, "{}");
    EXPECT_NE(reply.status, 405);
    if (reply.status == 404) {
      EXPECT_THAT(reply.body["error"]["message"].get<std::string>(),
                  ::testing::Not(HasSubstr("no route")));
    }
  }
}

TEST_F(ApiV1Happy, ModelsShowCatalogDataAndTheFleetsGpuTotals) {
  const Reply r = Call("GET", "/v1/models", alpha_token_);
  ASSERT_EQ(r.status, 200) << r.raw;
  const auto capacity = CapacityByModel(fleet());
  ASSERT_EQ(r.body["models"].size(), capacity.size());
  for (const nlohmann::json& m : r.body["models"]) {
    const std::string id = m["id"];
    SCOPED_TRACE(id);
    ASSERT_TRUE(capacity.contains(id));
    EXPECT_EQ(m["gpus"], capacity.at(id).gpus);
    EXPECT_EQ(m["max_node_gpus"], capacity.at(id).largest_node);
    const catalog::AcceleratorSpec* chip = fleet().catalog->Find(id);
    ASSERT_NE(chip, nullptr);
    EXPECT_EQ(m["name"], chip->name);
    EXPECT_EQ(m["vendor"], chip->vendor);
  }
}

TEST_F(ApiV1Happy, SitesShowCapacityAndWhatRunningJobsHold) {
  const std::string model = SomeModel();
  const std::string node = NodeOf(model, 2);
  const NodeSpec& spec = fleet().fleet.fleet.node(*fleet().fleet.fleet.FindNode(node));
  const std::string site = fleet().fleet.fleet.site(spec.site).name;
  const uint64_t job =
      SubmitOk(alpha_token_, {{"name", "train"}, {"gpus", 2}, {"models", {model}}});
  StartJob(job, node, 0b0110);

  const Reply r = Call("GET", "/v1/sites", beta_token_);
  ASSERT_EQ(r.status, 200) << r.raw;
  int64_t total = 0;
  int64_t allocated = 0;
  bool found = false;
  for (const nlohmann::json& s : r.body["sites"]) {
    total += s["gpus"].get<int64_t>();
    allocated += s["allocated"].get<int64_t>();
    if (s["id"] != site) continue;
    const inventory::Site* inv = fleet().inventory.FindSite(site);
    ASSERT_NE(inv, nullptr);
    EXPECT_EQ(s["country"], inv->country);
    EXPECT_EQ(s["provider"], inv->provider);
    EXPECT_EQ(s["ownership"], inventory::SiteOwnershipName(inv->ownership));
    for (const nlohmann::json& m : s["models"]) {
      if (m["model"] == model) {
        found = true;
        EXPECT_EQ(m["allocated"], 2);
      }
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(total, fleet().fleet.fleet.total_gpus());
  EXPECT_EQ(allocated, 2);
}

TEST_F(ApiV1Happy, NodesPageThroughTheWholeFleetInOrderAndFilter) {
  const Fleet& f = fleet().fleet.fleet;
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 1000; ++page) {
    const Reply r =
        Call("GET", "/v1/nodes?limit=3" + (after.empty() ? "" : "&after=" + after), alpha_token_);
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_LE(r.body["nodes"].size(), 3u);
    for (const nlohmann::json& n : r.body["nodes"]) seen.push_back(n["name"]);
    if (r.body["next"].is_null()) break;
    after = QueryEscape(r.body["next"].get<std::string>());
  }
  ASSERT_EQ(seen.size(), f.nodes().size());
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], f.nodes()[i].name);

  const std::string model = SomeModel();
  const std::string node = NodeOf(model, 1);
  const uint64_t job = SubmitOk(beta_token_, {{"name", "x"}, {"gpus", 1}, {"models", {model}}});
  StartJob(job, node, 0b1);
  const Reply filtered = Call("GET", "/v1/nodes?limit=1000&model=" + model, alpha_token_);
  ASSERT_EQ(filtered.status, 200) << filtered.raw;
  int64_t gpus = 0;
  for (const nlohmann::json& n : filtered.body["nodes"]) {
    EXPECT_EQ(n["model"], model);
    gpus += n["gpus"].get<int64_t>();
    if (n["name"] == node) {
      EXPECT_EQ(n["allocated"], 1);
      EXPECT_THAT(n["allocated_gpus"], ElementsAre(0));
    } else {
      EXPECT_EQ(n["allocated"], 0);
    }
  }
  EXPECT_EQ(gpus, CapacityByModel(fleet()).at(model).gpus);
}

TEST_F(ApiV1Happy, TenantsAreCreatedReplacedAndReadWithTheirDerivedExternalFlag) {
  const Reply alpha = Call("GET", "/v1/tenants/alpha", alpha_token_);
  ASSERT_EQ(alpha.status, 200) << alpha.raw;
  EXPECT_EQ(alpha.body, (nlohmann::json{{"id", "alpha"},
                                        {"name", "Alpha Labs"},
                                        {"org", "lumen-ai"},
                                        {"external", true},
                                        {"priority", 0},
                                        {"max_job_priority", 1000},
                                        {"created_at", "2026-01-01T00:00:00.000Z"}}));

  clock_.Advance(60'000);
  const Reply replaced = Call("PUT", "/v1/tenants/beta", admin_token_,
                              R"({"name": "Beta Cloud 2", "org": "acme-cloud", "priority": 7})");
  ASSERT_EQ(replaced.status, 200) << replaced.raw;
  EXPECT_EQ(replaced.body["external"], false);
  EXPECT_EQ(replaced.body["priority"], 7);
  EXPECT_EQ(replaced.body["name"], "Beta Cloud 2");
  EXPECT_EQ(replaced.body["created_at"], "2026-01-01T00:00:00.000Z");

  const Reply all = Call("GET", "/v1/tenants", admin_token_);
  ASSERT_EQ(all.status, 200) << all.raw;
  ASSERT_EQ(all.body["tenants"].size(), 2u);
  EXPECT_EQ(all.body["tenants"][0]["id"], "alpha");
  EXPECT_EQ(all.body["tenants"][1], replaced.body);
  const Reply own = Call("GET", "/v1/tenants", beta_token_);
  ASSERT_EQ(own.status, 200) << own.raw;
  EXPECT_EQ(own.body, (nlohmann::json{{"tenants", {replaced.body}}}));
}

TEST_F(ApiV1Happy, QuotasAreSetPerFleetModelAndReadBack) {
  const std::string model = SomeModel();
  const Reply put =
      Call("PUT", "/v1/tenants/alpha/quotas/" + model, admin_token_, R"({"guaranteed_gpus": 4})");
  ASSERT_EQ(put.status, 200) << put.raw;
  EXPECT_EQ(put.body,
            (nlohmann::json{{"tenant", "alpha"}, {"model", model}, {"guaranteed_gpus", 4}}));
  const Reply get = Call("GET", "/v1/tenants/alpha/quotas", alpha_token_);
  ASSERT_EQ(get.status, 200) << get.raw;
  EXPECT_EQ(get.body, (nlohmann::json{{"tenant", "alpha"}, {"quotas", {put.body}}}));
  const Reply none = Call("GET", "/v1/tenants/beta/quotas", admin_token_);
  ASSERT_EQ(none.status, 200) << none.raw;
  EXPECT_EQ(none.body, (nlohmann::json{{"tenant", "beta"}, {"quotas", nlohmann::json::array()}}));
}

TEST_F(ApiV1Happy, TokensAreShownOnceAndOnlyTheirHashIsStored) {
  const Reply r = Call("POST", "/v1/tenants/beta/tokens", admin_token_);
  ASSERT_EQ(r.status, 201) << r.raw;
  const std::string token = r.body["token"];
  EXPECT_THAT(token, MatchesRegex("gf_[0-9a-f]{64}"));
  EXPECT_EQ(r.body["tenant"], "beta");
  const auto stored = store_->FindToken(api::HashToken(token));
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->tenant, "beta");
  EXPECT_EQ((*stored)->role, store::Role::kTenant);
  EXPECT_FALSE(store_->FindToken(token)->has_value());
  EXPECT_EQ(Call("GET", "/v1/tenants/beta", token).status, 200);
}

TEST_F(ApiV1Happy, SubmittedJobHasTheDocumentedShapeAndWakesTheScheduler) {
  const int before = changes_;
  const Reply r = Submit(alpha_token_, {{"name", "train"}, {"gpus", 2}});
  ASSERT_EQ(r.status, 201) << r.raw;
  EXPECT_EQ(changes_, before + 1);
  const nlohmann::json expected = {{"id", r.body["id"]},
                                   {"tenant", "alpha"},
                                   {"name", "train"},
                                   {"state", "pending"},
                                   {"draining", nullptr},
                                   {"priority", 0},
                                   {"data_class", "none"},
                                   {"models", nlohmann::json::array()},
                                   {"gpus", 2},
                                   {"replicas", 1},
                                   {"cpu_milli", 0},
                                   {"memory_mib", 0},
                                   {"duration_s", 0},
                                   {"submitted_at", "2026-01-01T00:00:00.000Z"},
                                   {"started_at", nullptr},
                                   {"finished_at", nullptr},
                                   {"pending_reason", nullptr},
                                   {"preempted_count", 0},
                                   {"last_preemption_reason", nullptr},
                                   {"placements", nlohmann::json::array()}};
  EXPECT_EQ(r.body, expected);
  EXPECT_GT(r.body["id"].get<uint64_t>(), 0u);
  const Reply get =
      Call("GET", "/v1/jobs/" + std::to_string(r.body["id"].get<uint64_t>()), alpha_token_);
  ASSERT_EQ(get.status, 200) << get.raw;
  EXPECT_EQ(get.body, expected);
}

TEST_F(ApiV1Happy, EveryJobFieldIsStoredAsSubmitted) {
  const std::string model = SomeModel();
  const Reply r = Submit(beta_token_, {{"name", "infer"},
                                       {"gpus", 0.25},
                                       {"replicas", 3},
                                       {"models", {model}},
                                       {"data_class", "cn_personal"},
                                       {"priority", -2},
                                       {"cpu_milli", 4000},
                                       {"memory_mib", 8192},
                                       {"duration_s", 600},
                                       {"tenant", "beta"}});
  ASSERT_EQ(r.status, 201) << r.raw;
  EXPECT_EQ(r.body["gpus"], 0.25);
  EXPECT_EQ(r.body["replicas"], 3);
  EXPECT_EQ(r.body["models"], nlohmann::json({model}));
  EXPECT_EQ(r.body["data_class"], "cn_personal");
  EXPECT_EQ(r.body["priority"], -2);
  EXPECT_EQ(r.body["cpu_milli"], 4000);
  EXPECT_EQ(r.body["memory_mib"], 8192);
  EXPECT_EQ(r.body["duration_s"], 600);
  const auto job = store_->GetJob(JobId(r.body["id"].get<uint64_t>()));
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->spec.gpu_count, 1);
  EXPECT_EQ(job->spec.gpu_milli, 250);
  EXPECT_EQ(job->spec.tenant, "beta");
}

TEST_F(ApiV1Happy, AdminSubmitsForANamedTenant) {
  const Reply r = Submit(admin_token_, {{"name", "ops"}, {"gpus", 1}, {"tenant", "beta"}});
  ASSERT_EQ(r.status, 201) << r.raw;
  EXPECT_EQ(r.body["tenant"], "beta");
}

TEST_F(ApiV1Happy, IdempotencyKeyRepeatReturnsTheFirstJobWith200) {
  const httplib::Headers key = {{"Idempotency-Key", "retry-1"}};
  const Reply first = Submit(alpha_token_, {{"name", "a"}, {"gpus", 1}}, key);
  ASSERT_EQ(first.status, 201) << first.raw;
  clock_.Advance(1000);
  const Reply again = Submit(alpha_token_, {{"name", "a"}, {"gpus", 1}}, key);
  ASSERT_EQ(again.status, 200) << again.raw;
  EXPECT_EQ(again.body, first.body);
  // The same key of another tenant is another job.
  const Reply other = Submit(beta_token_, {{"name", "a"}, {"gpus", 1}}, key);
  EXPECT_EQ(other.status, 201) << other.raw;
  EXPECT_EQ(Take().jobs.size(), 2u);
}

TEST_F(ApiV1Happy, JobListsPageByIdAndFilterByTenantAndState) {
  std::vector<uint64_t> alpha_jobs;
  for (int i = 0; i < 5; ++i) {
    alpha_jobs.push_back(SubmitOk(alpha_token_, {{"name", "a" + std::to_string(i)}, {"gpus", 1}}));
    SubmitOk(beta_token_, {{"name", "b" + std::to_string(i)}, {"gpus", 1}});
  }
  ASSERT_EQ(
      Call("POST", "/v1/jobs/" + std::to_string(alpha_jobs[1]) + "/cancel", alpha_token_).status,
      200);

  std::vector<uint64_t> listed;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    const Reply r = Call("GET", "/v1/jobs?limit=2" + after, alpha_token_);
    ASSERT_EQ(r.status, 200) << r.raw;
    for (const nlohmann::json& j : r.body["jobs"]) {
      EXPECT_EQ(j["tenant"], "alpha");
      listed.push_back(j["id"]);
    }
    if (r.body["next"].is_null()) break;
    after = "&after=" + std::to_string(r.body["next"].get<uint64_t>());
  }
  EXPECT_EQ(listed, alpha_jobs);

  const Reply cancelled = Call("GET", "/v1/jobs?state=cancelled", admin_token_);
  ASSERT_EQ(cancelled.status, 200) << cancelled.raw;
  ASSERT_EQ(cancelled.body["jobs"].size(), 1u);
  EXPECT_EQ(cancelled.body["jobs"][0]["id"], alpha_jobs[1]);
  EXPECT_TRUE(cancelled.body["next"].is_null());

  const Reply beta = Call("GET", "/v1/jobs?tenant=beta&state=pending", admin_token_);
  ASSERT_EQ(beta.status, 200) << beta.raw;
  EXPECT_EQ(beta.body["jobs"].size(), 5u);
  const Reply all = Call("GET", "/v1/jobs?limit=1000", admin_token_);
  EXPECT_EQ(all.body["jobs"].size(), 10u);
  const Reply own_named = Call("GET", "/v1/jobs?tenant=alpha", alpha_token_);
  EXPECT_EQ(own_named.body["jobs"].size(), 5u);
}

TEST_F(ApiV1Happy, CancelAndCompleteFinishJobsOnceAndWakeTheScheduler) {
  const std::string model = SomeModel();
  const uint64_t pending = SubmitOk(alpha_token_, {{"name", "p"}, {"gpus", 1}});
  const uint64_t running =
      SubmitOk(alpha_token_, {{"name", "r"}, {"gpus", 2}, {"models", {model}}});
  StartJob(running, NodeOf(model, 2), 0b11);
  clock_.Advance(5000);
  const int before = changes_;

  const Reply cancel =
      Call("POST", "/v1/jobs/" + std::to_string(pending) + "/cancel", alpha_token_);
  ASSERT_EQ(cancel.status, 200) << cancel.raw;
  EXPECT_EQ(cancel.body["state"], "cancelled");
  EXPECT_EQ(cancel.body["finished_at"], "2026-01-01T00:00:05.000Z");
  const Reply complete =
      Call("POST", "/v1/jobs/" + std::to_string(running) + "/complete", admin_token_, "{}");
  ASSERT_EQ(complete.status, 200) << complete.raw;
  EXPECT_EQ(complete.body["state"], "completed");
  EXPECT_EQ(complete.body["started_at"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(complete.body["placements"], nlohmann::json::array());
  EXPECT_EQ(changes_, before + 2);

  const Reply again =
      Call("POST", "/v1/jobs/" + std::to_string(pending) + "/complete", alpha_token_);
  EXPECT_EQ(again.status, 409) << again.raw;
  EXPECT_EQ(again.body["error"]["code"], "failed_precondition");
}

TEST_F(ApiV1Happy, RunningJobShowsPlacementsAndPendingJobItsReason) {
  const std::string model = SomeModel();
  const std::string node = NodeOf(model, 4);
  const uint64_t running =
      SubmitOk(alpha_token_, {{"name", "r"}, {"gpus", 2}, {"models", {model}}});
  const uint64_t waiting = SubmitOk(beta_token_, {{"name", "w"}, {"gpus", 1}});
  StartJob(running, node, 0b1100);
  store::Schedule s;
  s.epoch = *store_->AcquireEpoch("api-test", kStartMs);
  s.pending_reasons.push_back(
      {.job = JobId(waiting), .reason = "0 of 12 nodes have a free GPU", .at_ms = kStartMs});
  ASSERT_TRUE(store_->ApplySchedule(s).ok());

  const NodeSpec& spec = fleet().fleet.fleet.node(*fleet().fleet.fleet.FindNode(node));
  const nlohmann::json placement = {{"replica", 0},
                                    {"node", node},
                                    {"site", fleet().fleet.fleet.site(spec.site).name},
                                    {"model", model},
                                    {"gpus", {2, 3}}};
  const Reply job = Call("GET", "/v1/jobs/" + std::to_string(running), alpha_token_);
  ASSERT_EQ(job.status, 200) << job.raw;
  EXPECT_EQ(job.body["state"], "running");
  EXPECT_EQ(job.body["placements"], nlohmann::json::array({placement}));
  const Reply pending = Call("GET", "/v1/jobs/" + std::to_string(waiting), beta_token_);
  EXPECT_EQ(pending.body["pending_reason"], "0 of 12 nodes have a free GPU");

  nlohmann::json with_job = placement;
  with_job["job"] = running;
  with_job["tenant"] = "alpha";
  const Reply all = Call("GET", "/v1/placements", admin_token_);
  ASSERT_EQ(all.status, 200) << all.raw;
  EXPECT_EQ(all.body, (nlohmann::json{{"placements", {with_job}}}));
  EXPECT_EQ(Call("GET", "/v1/placements", alpha_token_).body, all.body);
  EXPECT_EQ(Call("GET", "/v1/placements", beta_token_).body,
            (nlohmann::json{{"placements", nlohmann::json::array()}}));
}

TEST_F(ApiV1Happy, EventsPageAndFilterByJob) {
  const uint64_t a = SubmitOk(alpha_token_, {{"name", "a"}, {"gpus", 1}});
  const uint64_t b = SubmitOk(alpha_token_, {{"name", "b"}, {"gpus", 1}});
  ASSERT_EQ(Call("POST", "/v1/jobs/" + std::to_string(a) + "/cancel", alpha_token_).status, 200);

  const Reply first = Call("GET", "/v1/events?limit=2", alpha_token_);
  ASSERT_EQ(first.status, 200) << first.raw;
  ASSERT_EQ(first.body["events"].size(), 2u);
  EXPECT_EQ(first.body["events"][0]["kind"], "submitted");
  EXPECT_EQ(first.body["events"][0]["job"], a);
  EXPECT_EQ(first.body["events"][0]["tenant"], "alpha");
  EXPECT_EQ(first.body["events"][0]["at"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(first.body["events"][1]["job"], b);
  ASSERT_FALSE(first.body["next"].is_null());
  const Reply second =
      Call("GET", "/v1/events?limit=2&after=" + std::to_string(first.body["next"].get<int64_t>()),
           alpha_token_);
  ASSERT_EQ(second.status, 200) << second.raw;
  ASSERT_EQ(second.body["events"].size(), 1u);
  EXPECT_EQ(second.body["events"][0]["kind"], "cancelled");
  EXPECT_TRUE(second.body["next"].is_null());

  const Reply only_a = Call("GET", "/v1/events?job=" + std::to_string(a), admin_token_);
  ASSERT_EQ(only_a.status, 200) << only_a.raw;
  ASSERT_EQ(only_a.body["events"].size(), 2u);
  for (const nlohmann::json& e : only_a.body["events"]) EXPECT_EQ(e["job"], a);
}

TEST_F(ApiV1Happy, ConcurrentSubmissionsAreEachStoredOnce) {
  constexpr int kThreads = 8;
  constexpr int kJobsPerThread = 10;
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string& token = t % 2 == 0 ? alpha_token_ : beta_token_;
      for (int i = 0; i < kJobsPerThread; ++i) {
        const Reply r = Submit(
            token, {{"name", "j" + std::to_string(t) + "-" + std::to_string(i)}, {"gpus", 1}});
        if (r.status == 201) ++created;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(created, kThreads * kJobsPerThread);
  const Snapshot s = Take();
  EXPECT_EQ(s.jobs.size(), static_cast<size_t>(kThreads * kJobsPerThread));
  std::set<std::string> names;
  for (const store::JobRecord& j : s.jobs) names.insert(j.spec.name);
  EXPECT_EQ(names.size(), s.jobs.size());
  EXPECT_EQ(Call("GET", "/v1/jobs?limit=1000", alpha_token_).body["jobs"].size(),
            static_cast<size_t>(kThreads / 2 * kJobsPerThread));
}

}  // namespace
}  // namespace gpufleet::service::testing
