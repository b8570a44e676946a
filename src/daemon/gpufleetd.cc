// gpufleetd: the gpufleet service. Loads the catalog and the rules, opens the store (SQLite
// file or PostgreSQL) and its living inventory (seeded on the first start from --fleet or a
// generated demo fleet), and then serves the REST API while the scheduler loop places jobs. Several
// gpufleetd may share one PostgreSQL database: one schedules (the leader), the others serve and
// stand by (docs/service.md).
//
// Exit status: 0 after SIGINT/SIGTERM, 1 when the inputs, the store or the port fail, or when the
// rule file is older than the one the store last ran (without --accept-rule-downgrade).

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "daemon/demo_tenants.h"
#include "gpufleet/api/auth.h"
#include "gpufleet/api/http_server.h"
#include "gpufleet/api/metrics.h"
#include "gpufleet/cmdline/compliance_input.h"
#include "gpufleet/cmdline/usage_error.h"
#include "gpufleet/codec/location_evidence.h"
#include "gpufleet/codec/text_file.h"
#include "gpufleet/findings/policy.h"
#include "gpufleet/inventory/demo_fleet.h"
#include "gpufleet/ledger/key_file.h"
#include "gpufleet/ledger/small_file.h"
#include "gpufleet/log/log.h"
#include "gpufleet/service/admin_token.h"
#include "gpufleet/service/api_v1.h"
#include "gpufleet/service/clock.h"
#include "gpufleet/service/findings_reconciler.h"
#include "gpufleet/service/fleet_context.h"
#include "gpufleet/service/fleet_holder.h"
#include "gpufleet/service/fleet_rebuilder.h"
#include "gpufleet/service/inventory_service.h"
#include "gpufleet/service/landmark_findings.h"
#include "gpufleet/service/ledger_checkpointer.h"
#include "gpufleet/service/metered_store.h"
#include "gpufleet/service/observed_nodes_store.h"
#include "gpufleet/service/scheduler_loop.h"
#include "gpufleet/service/shipped_rules.h"
#include "gpufleet/store/store.h"

namespace gpufleet::daemon {
namespace {

// Rebuilds of the fleet wait at least this many times what the last one took: at most a
// fifth of a core goes to following the inventory, however large it is (at 1,000,000 assets a
// rebuild takes about two seconds, and a bulk import changes it continuously).
constexpr double kRebuildCostMultiple = 4;

struct Flags {
  cmdline::ComplianceInputFlags input;
  std::string fleet;
  int64_t demo_gpus = 0;
  bool empty_inventory = false;  // start on an empty store with nothing to seed
  int64_t grace_hours = 0;       // the operator's grace for rules that set none
  std::string at;
  std::string store = "gpufleet.db";
  std::string bind = "127.0.0.1";
  uint16_t port = 8080;
  size_t threads = 64;
  double read_timeout_s = 10;
  double idle_timeout_s = 10;
  double last_seen_flush_s = 10;
  int64_t pass_interval_ms = 100;
  int64_t fleet_rebuild_interval_ms = 1000;
  std::string policy = "fgd";
  std::string holder;
  std::optional<double> sim_speed;  // unset: the wall clock; 0: paused until advanced
  std::string admin_token_file;
  std::string ledger_key;
  std::string finding_policy;       // docs/findings.md, "Policy"
  double findings_interval_s = 10;  // 0: no periodic pass (POST /v1/findings/reconcile only)
  std::string landmarks;            // the landmarks file (docs/agent.md, "Location evidence")
  bool no_scheduler = false;
  bool accept_rule_downgrade = false;
  log::Options log;
};

std::chrono::milliseconds Milliseconds(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

// The version recorded with the shipped rules (CMake's project version).
constexpr std::string_view kBinaryVersion = GPUFLEET_VERSION;

int Fail(const std::string& what, const Status& s) {
  std::fprintf(stderr, "gpufleetd: %s: %s\n", what.c_str(), s.ToString().c_str());
  return 1;
}

// The fleet: --fleet, or a demo fleet of --demo-gpus accelerators. The demo fleet goes
// through the same inventory format and loader as a real one; its files are written to a
// temporary directory that is removed once loaded.
Result<inventory::Inventory> LoadFleet(const Flags& flags, const catalog::Catalog& catalog) {
  if (!flags.fleet.empty()) return inventory::Inventory::Load(flags.fleet, catalog);
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("gpufleetd-demo-" + std::to_string(::getpid()));
  Result<std::string> path = inventory::WriteDemoFleet(
      catalog, {.accelerators = flags.demo_gpus, .per_purchase = 64, .seed = 7, .models = {}},
      dir.string());
  Result<inventory::Inventory> inv = path.ok() ? inventory::Inventory::Load(*path, catalog)
                                               : Result<inventory::Inventory>(path.status());
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return inv;
}

// The inventory lives in the store: a store that has one keeps it across restarts, and an empty
// one is seeded from --fleet or --demo-gpus (refused records, such as a serial recorded twice,
// are logged and left out). --fleet on a store that has an inventory is an error: it would
// silently mean either "replace" or "add", and adding is `gpufleet inventory import`.
Status CheckSeedFlags(const Flags& flags, const service::InventoryService& inventory) {
  if (inventory.size() > 0) {
    if (!flags.fleet.empty()) {
      return Status::FailedPrecondition(
          "the store already holds an inventory (" + std::to_string(inventory.size()) +
          " ledger entries); --fleet seeds an empty store only. Add the file to it with "
          "`gpufleet inventory import " +
          flags.fleet + "`, or start without --fleet");
    }
    return Status::Ok();
  }
  if (flags.fleet.empty() && flags.demo_gpus <= 0 && !flags.empty_inventory) {
    return Status::InvalidArgument(
        "the store holds no inventory yet: give --fleet FILE or --demo-gpus N, or "
        "--empty-inventory to start without one and add it with `gpufleet inventory import`");
  }
  return Status::Ok();
}

Status SeedInventory(const Flags& flags, service::InventoryService& inventory,
                     const inventory::Inventory& fleet) {
  const std::string source =
      flags.fleet.empty() ? "demo fleet of " + std::to_string(flags.demo_gpus) : flags.fleet;
  Result<std::vector<service::ChangeOutcome>> refused = inventory.Seed(fleet, source);
  if (!refused.ok()) return refused.status();
  for (const service::ChangeOutcome& o : *refused) {
    log::Warn("inventory.seed_refused",
              {{"serial", o.change.serial}, {"reason", o.status.message()}});
  }
  std::printf("gpufleetd: inventory seeded from %s: %lld ledger entries, %zu records refused\n",
              source.c_str(), static_cast<long long>(inventory.size()), refused->size());
  return Status::Ok();
}

// A simulated clock must not run backwards across restarts, or jobs that started before the
// restart would run longer than their duration: it resumes from the latest time stamped on an
// active job when that is ahead of the wall clock.
Result<int64_t> SimulatedStart(store::Store& store) {
  int64_t start = service::SystemClock().NowMs();
  Result<std::vector<store::JobRecord>> active = store.LoadActive();
  if (!active.ok()) return active.status();
  for (const store::JobRecord& job : *active) {
    start = std::max({start, job.spec.submitted_at_ms, job.started_at_ms});
  }
  return start;
}

// The initial admin token: created, written to --admin-token-file and shown on the first
// start of a store that never had one; afterwards only its id is named. Returns the lines to
// print (the secret appears in them that one time only).
Result<std::string> InitialAdminToken(store::Store& store, const service::Clock& clock,
                                      const std::string& file, const std::string& store_name) {
  Result<std::optional<std::string>> created =
      service::CreateInitialAdminToken(store, clock.NowMs());
  if (!created.ok()) return created.status();
  if (created->has_value()) {
    if (!file.empty()) GPUFLEET_RETURN_IF_ERROR(service::WriteSecretFile(file, **created));
    log::Info("admin_token.created",
              {{"id", store::TokenIdForHash(api::HashToken(**created))}, {"file", file}});
    return "gpufleetd: admin token created, shown this once (stored hashed" +
           (file.empty() ? std::string() : ", also in " + file) + "): " + **created + "\n";
  }
  Result<std::vector<store::TokenRecord>> tokens = store.ListTokens();
  if (!tokens.ok()) return tokens.status();
  for (const store::TokenRecord& t : *tokens) {
    if (t.name == service::kInitialAdminName && !t.revoked) {
      return "gpufleetd: admin token " + t.id + " exists" +
             (file.empty() ? std::string() : " (" + file + ")") +
             "; it is never shown again (replace it: gpufleet admin rotate-token)\n";
    }
  }
  return "gpufleetd: no live admin token; create one with: gpufleet admin rotate-token --store " +
         store_name + "\n";
}

void ReportShippedRules(const service::ShippedRulesOutcome& o) {
  const inventory::RulesShippedRecord& r = o.decision.record;
  if (o.decision.verdict == service::ShippedRulesVerdict::kUnchanged) return;
  if (o.decision.verdict == service::ShippedRulesVerdict::kOlder) {
    std::printf("gpufleetd: rule downgrade accepted (--accept-rule-downgrade): %s\n",
                o.decision.why.c_str());
  }
  if (!o.not_recorded.empty()) {
    std::printf("gpufleetd: rule file sha256 %s not recorded in the ledger: %s\n",
                r.new_hash.c_str(), o.not_recorded.c_str());
    log::Warn("rules.shipped_not_recorded", {{"hash", r.new_hash}, {"reason", o.not_recorded}});
    return;
  }
  std::printf("gpufleetd: rule file sha256 %s (%s) recorded as ledger entry %lld%s\n",
              r.new_hash.c_str(), r.compiled.empty() ? "no compiled: stamp" : r.compiled.c_str(),
              static_cast<long long>(o.index),
              r.old_hash.empty() ? "" : (", replacing sha256 " + r.old_hash).c_str());
  log::Info("rules.shipped", {{"index", o.index},
                              {"old_hash", r.old_hash},
                              {"new_hash", r.new_hash},
                              {"compiled", r.compiled},
                              {"downgrade", r.downgrade}});
}

int Run(const Flags& flags) {
  // Everything the daemon creates (the SQLite database, its -wal, -shm and .leader files, the
  // admin token file) holds tenants' data or a secret: readable by its owner only.
  ::umask(077);
  const std::string store_name = store::RedactedLocation(flags.store);
  // Signals are taken by sigwait below: block them before any thread starts, so that every
  // thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  if (Status s = log::Configure(flags.log); !s.ok()) return Fail("--log-level/--log-format", s);
  Result<cmdline::ComplianceInput> input = cmdline::LoadComplianceInput(flags.input);
  if (!input.ok()) return Fail("rules", input.status());
  // The rule file itself, before overlays (those are the operator's): what the start check
  // compares with the store's record, once the store is open.
  const service::ShippedRuleFile rule_file = service::DescribeShippedRules(
      input->base_rules_path, input->base_rules_text, input->rules.compiled(),
      flags.input.overlays.empty() ? std::string_view() : std::string_view(input->rules_text));
  Result<Date> at = cmdline::ParseAtFlag(flags.at);
  if (!at.ok()) return Fail("--at", at.status());
  api::MetricsRegistry metrics;
  Result<std::unique_ptr<store::Store>> opened = store::OpenStore(flags.store);
  if (!opened.ok()) return Fail("store '" + store_name + "'", opened.status());
  service::MeteredStore store(std::move(*opened), metrics);

  std::unique_ptr<service::Clock> clock;
  service::SimulatedClock* paused_clock = nullptr;
  if (flags.sim_speed.has_value()) {
    Result<int64_t> start = SimulatedStart(store);
    if (!start.ok()) return Fail("store '" + store_name + "'", start.status());
    auto simulated = std::make_unique<service::SimulatedClock>(*start, *flags.sim_speed);
    if (simulated->paused()) paused_clock = simulated.get();
    clock = std::move(simulated);
  } else {
    clock = std::make_unique<service::SystemClock>();
  }

  // The ledger's signing key lives outside the store; without it no checkpoint is signed.
  std::unique_ptr<service::LedgerCheckpointer> checkpointer;
  std::optional<ledger::NoteSigner> signer;
  if (!flags.ledger_key.empty()) {
    Result<ledger::NoteSigner> key = ledger::ReadSignerKeyFile(flags.ledger_key);
    if (!key.ok()) return Fail("--ledger-key " + flags.ledger_key, key.status());
    signer.emplace(std::move(*key));
  }
  // The landmarks whose measurements count (docs/agent.md, "Location evidence"); none without
  // the flag, and then every measurement is refused.
  std::unique_ptr<service::LandmarkMeasurements> landmarks;
  if (!flags.landmarks.empty()) {
    Result<std::string> text = ledger::ReadSmallFile(flags.landmarks);
    if (!text.ok()) return Fail("--landmarks " + flags.landmarks, text.status());
    Result<std::vector<Landmark>> parsed = codec::ParseLandmarksYaml(*text, flags.landmarks);
    if (!parsed.ok()) return Fail("--landmarks", parsed.status());
    Result<std::unique_ptr<service::LandmarkMeasurements>> made =
        service::LandmarkMeasurements::Create(std::move(*parsed));
    if (!made.ok()) return Fail("--landmarks " + flags.landmarks, made.status());
    landmarks = std::move(*made);
  }

  // The day the rules are judged on: --at for good, or else the service clock's day, which the
  // fleet follows (a rule's effective date passing quarantines what it forbids that day).
  const bool judged_today = flags.at.empty();
  if (judged_today) *at = Date::FromDays(static_cast<int32_t>(clock->NowMs() / 86'400'000));
  // The catalog, rules and engine every version of the fleet shares (and the inventory's
  // changes are judged with).
  const service::FleetBasis basis =
      service::MakeFleetBasis(std::move(input->catalog), std::move(input->rules), *at);
  service::InventoryService inventory(store, *clock, *basis.catalog, *basis.engine);
  if (!flags.finding_policy.empty()) {
    Result<std::string> text = codec::ReadTextFile(flags.finding_policy);
    Result<findings::Policy> policy = text.ok() ? findings::ParsePolicy(*text, flags.finding_policy)
                                                : Result<findings::Policy>(text.status());
    if (!policy.ok()) return Fail("--finding-policy", policy.status());
    inventory.SetFindingPolicy(std::move(*policy));
  }
  // Rule changes scheduled through the API are merged onto the document the rules came from.
  inventory.SetRuleBase(input->rules_text, input->rules_path);
  if (Status s = inventory.Load(); !s.ok()) return Fail("inventory", s);
  if (const std::string why = inventory.read_only_reason(); !why.empty()) {
    std::printf("gpufleetd: the inventory is read-only: %s\n", why.c_str());
    log::Error("inventory.read_only", {{"reason", why}});
  }
  if (Status s = CheckSeedFlags(flags, inventory); !s.ok()) return Fail("inventory", s);
  if (inventory.size() == 0 && flags.empty_inventory) {
    std::printf(
        "gpufleetd: the inventory is empty: add it with `gpufleet inventory import "
        "FLEET.yaml`\n");
  } else if (inventory.size() == 0) {
    Result<inventory::Inventory> fleet = LoadFleet(flags, *basis.catalog);
    if (!fleet.ok()) return Fail("fleet", fleet.status());
    if (Status s = SeedInventory(flags, inventory, *fleet); !s.ok()) return Fail("inventory", s);
  }
  // After seeding (which needs an empty log), before anything runs on the rules: the store
  // records which shipped rules it runs, and refuses older ones unless told to take them.
  Result<service::ShippedRulesOutcome> shipped =
      service::CheckShippedRules(inventory, rule_file, kBinaryVersion, flags.accept_rule_downgrade);
  if (!shipped.ok()) return Fail("rules", shipped.status());
  ReportShippedRules(*shipped);
  if (signer) {
    checkpointer =
        std::make_unique<service::LedgerCheckpointer>(store, inventory, std::move(*signer));
    if (Result<int64_t> first = checkpointer->CheckpointNow(); !first.ok()) {
      return Fail("ledger checkpoint", first.status());
    }
    inventory.SetOnAppend([&checkpointer] { checkpointer->Notify(); });
    checkpointer->Start();
  }
  Result<std::shared_ptr<const service::FleetContext>> ctx =
      service::BuildFleetFromInventory(basis, inventory);
  if (!ctx.ok()) return Fail("fleet", ctx.status());
  // The fleet follows the inventory: each scheduling pass rebuilds it when a change was
  // accepted since the last (docs/service.md, "The fleet follows the inventory").
  service::FleetHolder fleet(*ctx);
  service::FleetRebuilder rebuilder(basis, inventory, fleet, clock.get(), judged_today);

  if (flags.demo_gpus > 0 && flags.fleet.empty()) {
    Status seeded = SeedDemoTenants(store, **ctx, clock->NowMs());
    if (!seeded.ok()) return Fail("demo tenants", seeded);
  }
  Result<std::string> admin = InitialAdminToken(store, *clock, flags.admin_token_file, store_name);
  if (!admin.ok()) return Fail("admin token", admin.status());

  const std::string holder =
      flags.holder.empty() ? "gpufleetd-" + std::to_string(::getpid()) : flags.holder;
  // Without a scheduler the loop still runs, leading never: its passes keep the fleet the
  // API serves in step with the inventory.
  service::SchedulerLoop loop(store, fleet, *clock,
                              {.holder = holder,
                               .policy = flags.policy,
                               .seed = 42,
                               .idle_wait_ms = 1000,
                               .min_pass_interval_ms = flags.pass_interval_ms,
                               .metrics = &metrics,
                               .min_rebuild_interval_ms = flags.fleet_rebuild_interval_ms,
                               .rebuild_cost_multiple = kRebuildCostMultiple,
                               .default_grace_ms = flags.grace_hours * 3'600'000,
                               .lead = !flags.no_scheduler},
                              &rebuilder);

  api::HttpServer server(
      {.bind_address = flags.bind,
       .port = flags.port,
       .threads = flags.threads,
       .keep_alive_max_requests = 100,
       .max_body_bytes = size_t{1} << 20,
       .read_timeout = Milliseconds(flags.read_timeout_s),
       .idle_timeout = Milliseconds(flags.idle_timeout_s),
       .authenticator = service::StoreAuthenticator(store, *clock),
       .metrics = &metrics,
       .metrics_access = flags.bind == "127.0.0.1"
                             ? api::Access::Public()
                             : api::Access::Of({api::Role::kAdmin, api::Role::kViewer})});
  // What node agents report (docs/agent.md): as stored before the restart, then kept by the
  // API (changes at once) and the flusher (last-seen times, in batches); and the findings'
  // checks over it and the ledger (docs/findings.md).
  service::ObservedNodes observed_nodes;
  if (Status s = service::LoadObservedNodes(store, observed_nodes); !s.ok()) {
    return Fail("observed nodes", s);
  }
  service::LastSeenFlusher last_seen(observed_nodes, store, Milliseconds(flags.last_seen_flush_s));
  service::FindingsReconciler findings(inventory, observed_nodes, *basis.catalog, *clock);
  if (landmarks) findings.AddSource(service::LandmarkFindings(*landmarks, fleet));
  // A clock advance runs a pass at each effective time it crosses (api_clock.cc).
  const auto run_pass = [&loop]() -> std::optional<int64_t> {
    Result<service::PassReport> r = loop.RunPass();
    if (!r.ok()) {
      log::Warn("scheduler.pass_failed", {{"error", r.status().ToString()}});
      return std::nullopt;
    }
    return r->next_drain_end_ms;
  };
  Status registered = service::RegisterApiV1(server, {.store = &store,
                                                      .fleet = &fleet,
                                                      .clock = clock.get(),
                                                      .paused_clock = paused_clock,
                                                      .on_change = [&loop] { loop.Notify(); },
                                                      .inventory = &inventory,
                                                      .rules_text = input->rules_text,
                                                      .rules_name = input->rules_path,
                                                      .run_pass = run_pass,
                                                      .observed = &observed_nodes,
                                                      .findings = &findings,
                                                      .landmarks = landmarks.get()});
  if (!registered.ok()) return Fail("routes", registered);
  Status started = server.Start();
  if (!started.ok()) return Fail("listen on " + flags.bind, started);
  loop.Start();
  last_seen.Start();
  if (flags.findings_interval_s > 0) findings.Start(Milliseconds(flags.findings_interval_s));

  const service::FleetContext& c = **ctx;
  std::printf(
      "gpufleetd: serving %zu nodes, %lld accelerators at %zu sites (rules of %s, %zu "
      "quarantine groups)\n",
      c.fleet.fleet.nodes().size(), static_cast<long long>(c.fleet.fleet.total_gpus()),
      c.fleet.fleet.sites().size(), c.at.ToString().c_str(), c.fleet.quarantined.size());
  std::printf("gpufleetd: store %s, scheduler %s (%s)\n", store_name.c_str(), holder.c_str(),
              flags.no_scheduler ? "off" : flags.policy.c_str());
  std::fputs(admin->c_str(), stdout);
  if (checkpointer) {
    std::printf("gpufleetd: ledger of %lld entries, checkpoints signed by %s\n",
                static_cast<long long>(inventory.size()),
                checkpointer->verifier().ToString().c_str());
  } else {
    std::printf("gpufleetd: ledger of %lld entries, unsigned (no --ledger-key)\n",
                static_cast<long long>(inventory.size()));
  }
  // Last: whoever waits for the daemon to serve waits for this line.
  std::printf("gpufleetd: listening on http://%s:%u\n", flags.bind.c_str(), server.port());
  std::fflush(stdout);
  log::Info("gpufleetd.serving", {{"nodes", c.fleet.fleet.nodes().size()},
                                  {"gpus", c.fleet.fleet.total_gpus()},
                                  {"sites", c.fleet.fleet.sites().size()},
                                  {"rules_at", c.at.ToString()},
                                  {"store", store_name},
                                  {"holder", holder},
                                  {"scheduler", !flags.no_scheduler},
                                  {"observed_nodes", observed_nodes.size()},
                                  {"listen", flags.bind + ":" + std::to_string(server.port())}});

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::printf("gpufleetd: signal %d, stopping\n", sig);
  log::Info("gpufleetd.stopping", {{"signal", sig}});
  server.Stop();
  findings.Stop();
  loop.Stop();
  // After the server: the last reports it answered are in this flush.
  if (Status s = last_seen.Stop(); !s.ok()) {
    log::Warn("observed.last_seen_flush_failed", {{"error", s.ToString()}});
  }
  if (checkpointer) {
    checkpointer->Stop();
    (void)checkpointer->CheckpointNow();  // the last head, signed before exit
  }
  return 0;
}

}  // namespace
}  // namespace gpufleet::daemon

int main(int argc, char** argv) {
  CLI::App app{"gpufleetd: the gpufleet scheduling service (REST API + scheduler)", "gpufleetd"};
  gpufleet::daemon::Flags flags;
  gpufleet::cmdline::AddComplianceInputOptions(app, flags.input);
  auto* fleet = app.add_option("--fleet", flags.fleet,
                               "seed an empty store's inventory from this fleet.yaml");
  auto* demo = app.add_option("--demo-gpus", flags.demo_gpus,
                              "seed an empty store with a demo fleet of this many accelerators "
                              "(and demo tenants); ignored once the store has an inventory")
                   ->excludes(fleet);
  app.add_flag("--empty-inventory", flags.empty_inventory,
               "start on an empty store without seeding it: the inventory is then added with "
               "`gpufleet inventory import` or `gpufleet asset register`")
      ->excludes(fleet)
      ->excludes(demo);
  app.add_option("--at", flags.at,
                 "judge the rules on this date for good (default: the service clock's day, which "
                 "moves: a rule taking effect while the service runs is obeyed from that day)");
  app.add_option("--store", flags.store,
                 "SQLite file, or postgresql://user:pass@host/db to share one database")
      ->capture_default_str();
  app.add_option("--bind", flags.bind, "address to listen on")->capture_default_str();
  app.add_option("--port", flags.port, "port (0 = any free port)")->capture_default_str();
  app.add_option("--threads", flags.threads,
                 "HTTP worker threads: requests handled at once (connections hold none)")
      ->capture_default_str();
  // Bounded to what a timer can hold; below 1 ms a request could never arrive.
  app.add_option("--read-timeout-s", flags.read_timeout_s,
                 "a request's header and body must arrive within this many seconds of its "
                 "first byte (else 408); also bounds sending a response")
      ->check(CLI::Range(0.001, 86400.0))
      ->capture_default_str();
  app.add_option("--idle-timeout-s", flags.idle_timeout_s,
                 "close a keep-alive connection idle for this many seconds")
      ->check(CLI::Range(0.001, 86400.0))
      ->capture_default_str();
  app.add_option("--last-seen-flush-s", flags.last_seen_flush_s,
                 "write the last-seen times of the nodes whose agents reported (heartbeats, "
                 "which are not written one by one) at most this often, in one batch; a kill -9 "
                 "loses at most this much of them")
      ->check(CLI::Range(0.001, 3600.0))
      ->capture_default_str();
  app.add_option("--policy", flags.policy, "placement policy")->capture_default_str();
  app.add_option("--grace-hours", flags.grace_hours,
                 "how long jobs on hardware a rule takes away run on (draining) before they are "
                 "preempted, when the rule sets no grace_hours of its own")
      ->check(CLI::Range(0, 8760))
      ->capture_default_str();
  app.add_option("--pass-interval-ms", flags.pass_interval_ms,
                 "at least this long between the starts of two scheduling passes (batches "
                 "arrivals under load; 0 = a pass after every change)")
      ->capture_default_str();
  app.add_option("--fleet-rebuild-interval-ms", flags.fleet_rebuild_interval_ms,
                 "at least this long between two rebuilds of the fleet after inventory changes "
                 "(the first change after a quiet spell is rebuilt at once; 0 = every pass), and "
                 "at least 4 times as long as the last rebuild took")
      ->check(CLI::Range(int64_t{0}, int64_t{3'600'000}))
      ->capture_default_str();
  app.add_option("--holder", flags.holder, "scheduler name in the leadership record");
  app.add_option("--sim-speed", flags.sim_speed,
                 "run a simulated clock this many times faster than real time; 0 = paused, moved "
                 "only by `gpufleet admin clock advance` (default: the wall clock)")
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--admin-token-file", flags.admin_token_file,
                 "on the first start of an empty store, also write the new admin token to this "
                 "file (mode 0600)");
  app.add_flag("--no-scheduler", flags.no_scheduler, "serve the API only, never schedule");
  app.add_flag("--accept-rule-downgrade", flags.accept_rule_downgrade,
               "start even when the rule file (--rules, or the shipped history) is older than "
               "the one the store last ran, by its compiled: date or the ledger's history; the "
               "downgrade is recorded in the ledger (without it such a start exits 1)");
  app.add_option("--finding-policy", flags.finding_policy,
                 "YAML: per finding kind, record, quarantine_device or quarantine_node, and the "
                 "checks' thresholds (docs/findings.md)");
  app.add_option("--findings-interval", flags.findings_interval_s,
                 "Seconds between passes of the findings' checks (0: none but "
                 "POST /v1/findings/reconcile)")
      ->check(CLI::Range(0.0, 86400.0));
  app.add_option("--ledger-key", flags.ledger_key,
                 "the ledger's private key file (gpufleet ledger keygen): sign a checkpoint of "
                 "the inventory log at least every second while it grows");
  app.add_option("--landmarks", flags.landmarks,
                 "the landmarks whose location measurements count (YAML: name, lat, lon, key "
                 "per landmark; docs/agent.md, \"Location evidence\")");
  app.add_option("--log-level", flags.log.level, "debug, info, warn, error or off")
      ->capture_default_str();
  app.add_option("--log-format", flags.log.format,
                 "text (logfmt) or json (one object per line), on stderr")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return gpufleet::cmdline::ExitForParseError(app, e, std::cout, std::cerr);
  }
  return gpufleet::daemon::Run(flags);
}
