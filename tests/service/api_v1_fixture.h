#pragma once
// Shared by the v1 API suites: a real HttpServer on an ephemeral port with the v1 routes over
// an SQLite store in a temporary file and the shipped catalog, rules (with acme's overlay) and
// example inventory (examples/fleet.yaml), talked to with httplib::Client.
//
// Every test starts with two tenants made through the API: "alpha" (organisation lumen-ai, an
// external customer) and "beta" (acme-cloud, a subsidiary), each with its own token, plus an
// admin token written to the store directly (as gpufleetd's bootstrap does).

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "gpufleet/api/auth.h"
#include "gpufleet/api/http_server.h"
#include "gpufleet/service/api_v1.h"
#include "gpufleet/service/clock.h"
#include "gpufleet/service/fleet_context.h"
#include "gpufleet/service/fleet_holder.h"
#include "gpufleet/store/store.h"
#include "scheduler/shipped_inputs.h"
#include "service/outage_store.h"

namespace gpufleet::service::testing {

// 2026-01-01T00:00:00Z: the simulated clock stands still here unless advanced.
inline constexpr int64_t kStartMs = 1767225600000;

// The shipped inputs on 2026-01-15, built once per test binary (the FleetContext is immutable).
inline std::shared_ptr<const FleetContext> SharedFleetPtr() {
  static const std::shared_ptr<const FleetContext> kFleet = [] {
    auto in = scheduler::testing::LoadShippedInputs();
    EXPECT_TRUE(in.ok()) << in.status().ToString();
    auto rules = in->RulesWithAcme();
    EXPECT_TRUE(rules.ok()) << rules.status().ToString();
    auto inv = inventory::Inventory::Load(std::string(GPUFLEET_SOURCE_DIR) + "/examples/fleet.yaml",
                                          in->catalog);
    EXPECT_TRUE(inv.ok()) << inv.status().ToString();
    auto ctx = BuildFleetContext(std::move(in->catalog), std::move(rules).value(),
                                 std::move(inv).value(), Date::Parse("2026-01-15").value());
    EXPECT_TRUE(ctx.ok()) << ctx.status().ToString();
    return std::shared_ptr<const FleetContext>(std::move(ctx).value());
  }();
  return kFleet;
}
inline const FleetContext& SharedFleet() { return *SharedFleetPtr(); }

// The document the shared fleet's rules were parsed from: the history with acme's overlay.
inline const std::string& SharedRulesText() {
  static const std::string kText = [] {
    auto in = scheduler::testing::LoadShippedInputs();
    EXPECT_TRUE(in.ok()) << in.status().ToString();
    auto merged = compliance::MergeChange(in->rules_text, "default.yaml", in->overlay_text,
                                          "acme-rules.yaml", in->catalog.IdsByName());
    EXPECT_TRUE(merged.ok()) << merged.status().ToString();
    return merged.ok() ? *merged : std::string();
  }();
  return kText;
}

// GPUs per catalog model in the placement fleet, and the largest node of each, read from the
// fleet's nodes (what the API's capacity answers must agree with).
struct ModelCapacity {
  int64_t gpus = 0;
  int32_t largest_node = 0;
};
inline std::map<std::string, ModelCapacity> CapacityByModel(const FleetContext& ctx) {
  std::map<std::string, ModelCapacity> out;
  const Fleet& fleet = ctx.fleet.fleet;
  for (const NodeSpec& n : fleet.nodes()) {
    ModelCapacity& c = out[fleet.model(n.gpu_model).name];
    c.gpus += n.gpu_count;
    c.largest_node = std::max(c.largest_node, n.gpu_count);
  }
  return out;
}

struct Reply {
  int status = 0;
  nlohmann::json body;  // null when the body is not JSON
  std::string raw;
};

// Everything a rejected request must leave unchanged.
struct Snapshot {
  std::vector<store::JobRecord> jobs;
  std::vector<store::TenantRecord> tenants;
  std::vector<store::QuotaRecord> quotas;
  std::vector<store::EventRecord> events;
  std::vector<store::TokenRecord> tokens;  // last_used_at_ms cleared: reading records a use
  int64_t inventory_entries = 0;
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

class ApiV1Test : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    db_path_ = ::testing::TempDir() + "/gpufleet_api_" + test->test_suite_name() + "_" +
               test->name() + "_" + std::to_string(getpid()) + ".db";
    RemoveFiles();
    auto opened = store::OpenSqliteStore(db_path_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    store::TokenRecord admin;
    admin.sha256_hex = api::HashToken(admin_token_);
    admin.id = store::TokenIdForHash(admin.sha256_hex);
    admin.role = store::Role::kAdmin;
    admin.created_at_ms = kStartMs;
    ASSERT_TRUE(store_->PutToken(admin).ok());

    // The API sees the store through `served_`, which a test may take down.
    served_ = std::make_unique<OutageStore>(*store_);
    // The living inventory, seeded with the example fleet as gpufleetd seeds an empty store.
    inventory_ =
        std::make_unique<InventoryService>(*served_, clock_, *fleet().catalog, *fleet().engine);
    inventory_->SetRuleBase(SharedRulesText(), "default.yaml + acme-rules.yaml");
    ASSERT_TRUE(inventory_->Load().ok());
    ASSERT_TRUE(inventory_->Seed(fleet().inventory, "examples/fleet.yaml").ok());
    findings_ =
        std::make_unique<FindingsReconciler>(*inventory_, observed_, *fleet().catalog, clock_);
    api::HttpServerOptions options;
    options.authenticator = StoreAuthenticator(*served_, clock_);
    server_ = std::make_unique<api::HttpServer>(std::move(options));
    const ApiV1Context context{.store = served_.get(),
                               .fleet = &fleet_holder_,
                               .clock = &clock_,
                               .paused_clock = &clock_,
                               .on_change = [this] { ++changes_; },
                               .inventory = inventory_.get(),
                               .rules_text = SharedRulesText(),
                               .rules_name = "default.yaml + acme-rules.yaml",
                               .run_pass = {},
                               .observed = &observed_,
                               .findings = findings_.get()};
    ASSERT_TRUE(RegisterApiV1(*server_, context).ok());
    ASSERT_TRUE(server_->Start().ok());

    alpha_token_ = MakeTenant("alpha", "Alpha Labs", "lumen-ai");
    beta_token_ = MakeTenant("beta", "Beta Cloud", "acme-cloud");
    ASSERT_FALSE(alpha_token_.empty());
    ASSERT_FALSE(beta_token_.empty());
  }

  void TearDown() override {
    if (server_) server_->Stop();
    server_.reset();
    findings_.reset();
    inventory_.reset();
    served_.reset();
    store_.reset();
    RemoveFiles();
  }

  void RemoveFiles() {
    for (const char* suffix : {"", "-wal", "-shm", ".leader"}) {
      std::remove((db_path_ + suffix).c_str());
    }
  }

  static const FleetContext& fleet() { return SharedFleet(); }

  // Creates the tenant and returns a new token for it ("" on failure).
  std::string MakeTenant(const std::string& id, const std::string& name, const std::string& org) {
    const Reply put = Call("PUT", "/v1/tenants/" + id, admin_token_,
                           nlohmann::json{{"name", name}, {"org", org}}.dump());
    EXPECT_EQ(put.status, 201) << put.raw;
    const Reply token = Call("POST", "/v1/tenants/" + id + "/tokens", admin_token_);
    EXPECT_EQ(token.status, 201) << token.raw;
    return token.body.is_object() ? token.body.value("token", "") : "";
  }

  // One request; `token` "" sends no Authorization header.
  Reply Call(const std::string& method, const std::string& path, const std::string& token,
             const std::string& body = "", httplib::Headers headers = {}) const {
    httplib::Client client("127.0.0.1", server_->port());
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    if (method != "GET" && method != "POST" && method != "PUT" && method != "DELETE") {
      ADD_FAILURE() << "unsupported method " << method;
      return {};
    }
    const httplib::Result res =
        method == "GET"      ? client.Get(path, headers)
        : method == "POST"   ? client.Post(path, headers, body, "application/json")
        : method == "DELETE" ? client.Delete(path, headers, body, "application/json")
                             : client.Put(path, headers, body, "application/json");
    if (!res) {
      ADD_FAILURE() << method << " " << path << ": " << httplib::to_string(res.error());
      return {};
    }
    Reply reply{res->status, nullptr, res->body};
    reply.body = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
    if (reply.body.is_discarded()) reply.body = nullptr;
    return reply;
  }

  Reply Submit(const std::string& token, const nlohmann::json& body,
               httplib::Headers headers = {}) const {
    return Call("POST", "/v1/jobs", token, body.dump(), std::move(headers));
  }

  // Submits a job and returns its id (0 on failure).
  uint64_t SubmitOk(const std::string& token, const nlohmann::json& body) const {
    const Reply r = Submit(token, body);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body.is_object() ? r.body.value("id", uint64_t{0}) : 0;
  }

  // Starts job `id` on `node` with `mask` through the store, as a scheduling pass would.
  void StartJob(uint64_t id, const std::string& node, uint64_t mask) {
    const Result<int64_t> epoch = store_->AcquireEpoch("api-test", clock_.NowMs());
    ASSERT_TRUE(epoch.ok()) << epoch.status().ToString();
    store::Schedule s;
    s.epoch = *epoch;
    s.starts.push_back({.job = JobId(id),
                        .placements = {{.replica = 0, .node = node, .gpu_mask = mask, .epoch = 0}},
                        .started_at_ms = clock_.NowMs()});
    const Result<store::ScheduleOutcome> out = store_->ApplySchedule(s);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ASSERT_TRUE(out->skipped_starts.empty());
  }

  Snapshot Take() const {
    Snapshot s;
    store::JobFilter jobs;
    jobs.limit = store::kMaxPageSize;
    auto page = store_->ListJobs(jobs);
    EXPECT_TRUE(page.ok());
    if (page.ok()) s.jobs = page->jobs;
    auto tenants = store_->ListTenants();
    EXPECT_TRUE(tenants.ok());
    if (tenants.ok()) s.tenants = *tenants;
    auto quotas = store_->ListQuotas(std::nullopt);
    EXPECT_TRUE(quotas.ok());
    if (quotas.ok()) s.quotas = *quotas;
    store::EventFilter events;
    events.limit = store::kMaxPageSize;
    auto ev = store_->ListEvents(events);
    EXPECT_TRUE(ev.ok());
    if (ev.ok()) s.events = *ev;
    auto tokens = store_->ListTokens();
    EXPECT_TRUE(tokens.ok());
    if (tokens.ok()) s.tokens = *tokens;
    for (store::TokenRecord& t : s.tokens) t.last_used_at_ms = 0;
    auto entries = store_->InventorySize();
    EXPECT_TRUE(entries.ok());
    if (entries.ok()) s.inventory_entries = *entries;
    return s;
  }

  // `text` as one percent-encoded path segment: node names hold '/' and '#'.
  static std::string PathSegment(const std::string& text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
      const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                              (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                              c == '~';
      if (unreserved) {
        out += c;
      } else {
        out += '%';
        out += kHex[static_cast<unsigned char>(c) >> 4];
        out += kHex[static_cast<unsigned char>(c) & 0xf];
      }
    }
    return out;
  }

  // The name of a node of `model` with at least `gpus` GPUs.
  static std::string NodeOf(const std::string& model, int32_t gpus) {
    const Fleet& f = fleet().fleet.fleet;
    for (const NodeSpec& n : f.nodes()) {
      if (f.model(n.gpu_model).name == model && n.gpu_count >= gpus) return n.name;
    }
    ADD_FAILURE() << "no node of " << model << " with " << gpus << " GPUs";
    return "";
  }

  // A model of the fleet with a node of at least 4 GPUs.
  static std::string SomeModel() {
    for (const auto& [model, cap] : CapacityByModel(fleet())) {
      if (cap.largest_node >= 4) return model;
    }
    ADD_FAILURE() << "the example fleet has no node of 4 GPUs";
    return "";
  }

  std::string db_path_;
  // The API serves the shared fleet; nothing replaces it in these suites.
  FleetHolder fleet_holder_{SharedFleetPtr()};
  SimulatedClock clock_{kStartMs, 0};
  std::atomic<int> changes_{0};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<OutageStore> served_;
  std::unique_ptr<InventoryService> inventory_;
  ObservedNodes observed_;
  std::unique_ptr<FindingsReconciler> findings_;
  std::unique_ptr<api::HttpServer> server_;
  const std::string admin_token_ = api::NewToken();
  std::string alpha_token_;
  std::string beta_token_;
};

}  // namespace gpufleet::service::testing
