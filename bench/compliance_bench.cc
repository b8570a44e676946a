// Compliance speed (issue 4, "Speed"): `check` of a 1,000,000-accelerator fleet against the
// full rule history at one date, against the naive reference (every asset, every rule, no
// sharing of verdicts between assets) measured in the same run.
//
// The fleet is synthetic_inventory.h's million accelerators.

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/compliance/impact.h"
#include "gpufleet/compliance/rule_change.h"
#include "synthetic_inventory.h"

namespace gpufleet {
namespace {

using bench::Fixture;
using bench::Get;
using bench::kAt;

void BM_CheckFleet(benchmark::State& state) {
  const Fixture& f = Get();
  const auto engine = compliance::MakeIndexedEngine(f.rules);
  int64_t situations = 0, violations = 0;
  for (auto _ : state) {
    const compliance::FleetCheckReport r =
        compliance::CheckFleet(*f.fleet, f.catalog, f.rules, *engine, kAt);
    situations = r.distinct_situations;
    violations = r.violations;
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(f.fleet->assets().size()));
  state.counters["assets"] = static_cast<double>(f.fleet->assets().size());
  state.counters["situations"] = static_cast<double>(situations);
  state.counters["violations"] = static_cast<double>(violations);
}

// The naive reference: for each asset, both of its situations evaluated by the engine that
// reads every rule, with nothing shared between assets. Measured on the first 20,000 assets;
// items/s compares directly with BM_CheckFleet's.
void BM_NaivePerAsset(benchmark::State& state) {
  const Fixture& f = Get();
  const auto engine = compliance::MakeNaiveEngine(f.rules);
  constexpr size_t kSample = 20000;
  for (auto _ : state) {
    for (size_t i = 0; i < kSample; ++i) {
      const inventory::Asset& a = f.fleet->assets()[i];
      compliance::Situation s;
      s.chip = f.catalog.Find(a.model);
      s.location = f.fleet->FindSite(a.site)->country;
      s.from_country = a.from_country;
      s.end_user = a.owner;
      s.end_user_hq = f.fleet->FindOrg(a.owner)->hq_country;
      s.end_user_parent_hq = f.fleet->UltimateParentHq(a.owner);
      s.installed_on = a.acquired;
      s.date = a.acquired;
      s.transfer = compliance::TransferType::kExport;
      benchmark::DoNotOptimize(engine->Evaluate(s));
      s.date = kAt;
      s.transfer = compliance::TransferType::kUse;
      benchmark::DoNotOptimize(engine->Evaluate(s));
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kSample));
}

// A rule-change impact report on the same fleet: the shipped hypothetical H20 ban
// (examples/changes/h20-ban.yaml) applied to the rule history, both rule sets checked and
// every asset's status compared.
void BM_Impact(benchmark::State& state) {
  const Fixture& f = Get();
  const auto read = [](const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  };
  const std::string source = GPUFLEET_SOURCE_DIR;
  auto after = compliance::ApplyChange(read(source + "/data/rules/default.yaml"), "default.yaml",
                                       read(source + "/examples/changes/h20-ban.yaml"),
                                       "h20-ban.yaml", f.catalog.IdsByName());
  if (!after.ok()) {
    state.SkipWithError(after.status().ToString().c_str());
    return;
  }
  const Date at = Date::FromDays(20635);  // 2026-07-01, after the hypothetical ban
  int64_t changed = 0;
  for (auto _ : state) {
    const compliance::ImpactReport r =
        compliance::Impact(*f.fleet, f.catalog, f.rules, *after, at, {});
    changed = r.total.became_violation;
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(f.fleet->assets().size()));
  state.counters["newly_noncompliant"] = static_cast<double>(changed);
}

BENCHMARK(BM_CheckFleet)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Impact)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_NaivePerAsset)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace gpufleet
