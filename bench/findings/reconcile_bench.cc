// A findings pass over a million observed devices (docs/benchmarks.md, "Findings"): 125,000
// nodes of 8 boards each, every node reporting, against an inventory of the same million
// assets. Times, per repetition, each step of FindingsReconciler::RunOnce that does not touch
// the store: the agents' checks (CheckObserved, its hash maps built cold each time) and the
// book turning detections into entries; and, once, what a pass after an inventory change adds:
// the inventory snapshot (Inventory::FromRecords with its diversion flags) and the index the
// checks look declared assets up in (DeclaredIndex).
//
//   gpufleet_findings_bench [--nodes 125000] [--per-node 8] [--anomalies 1000] [--reps 5]

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/findings/findings_book.h"
#include "gpufleet/findings/observed_checks.h"
#include "gpufleet/inventory/inventory.h"

namespace {

using namespace gpufleet;
using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

struct Spread {
  double median, min, max;
};
Spread Of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front(), v.back()};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"A findings pass over a million observed devices", "gpufleet_findings_bench"};
  int64_t nodes = 125'000;
  int per_node = 8;
  int64_t anomalies = 1000;
  int reps = 5;
  app.add_option("--nodes", nodes)->check(CLI::Range(int64_t{1}, int64_t{1'000'000}));
  app.add_option("--per-node", per_node)->check(CLI::Range(1, 64));
  app.add_option("--anomalies", anomalies, "boards reported as another model");
  app.add_option("--reps", reps)->check(CLI::Range(1, 100));
  CLI11_PARSE(app, argc, argv);

  Result<catalog::Catalog> cat = catalog::Catalog::Load(catalog::DefaultCatalogPath());
  if (!cat.ok()) {
    std::fprintf(stderr, "%s\n", cat.status().ToString().c_str());
    return 1;
  }
  constexpr int kSites = 100;
  std::vector<inventory::Organisation> orgs(1);
  orgs[0].id = "acme";
  orgs[0].name = "Acme";
  orgs[0].kind = inventory::OrgKind::kCompany;
  orgs[0].hq_country = "SG";
  std::vector<inventory::Site> sites(kSites);
  for (int s = 0; s < kSites; ++s) {
    sites[s].id = "site-" + std::to_string(s);
    sites[s].name = sites[s].id;
    sites[s].country = "SG";
  }
  std::vector<inventory::Asset> assets;
  std::vector<NodeReport> reports(static_cast<size_t>(nodes));
  assets.reserve(static_cast<size_t>(nodes * per_node));
  for (int64_t n = 0; n < nodes; ++n) {
    const std::string site = "site-" + std::to_string(n % kSites);
    const std::string node = "n" + std::to_string(n);
    NodeReport& r = reports[static_cast<size_t>(n)];
    r.node = site + "/" + node;
    r.agent_version = "bench";
    r.provider = "nvml";
    for (int g = 0; g < per_node; ++g) {
      inventory::Asset a;
      a.serial = "SN" + std::to_string(n * per_node + g);
      a.model = "nvidia-h20-96gb";
      a.site = site;
      a.node = node;
      a.owner = a.operator_org = "acme";
      a.acquired = *Date::Parse("2025-01-01");
      a.from_country = "TW";
      assets.push_back(a);
      const bool relabelled = n * per_node + g < anomalies;
      r.devices.push_back(
          {.vendor = "nvidia",
           .model = relabelled ? "NVIDIA H100 80GB HBM3" : "NVIDIA H20",
           .serial = a.serial,
           .uuid = "GPU-" + a.serial,
           .memory_bytes = relabelled ? uint64_t{85'520'809'984} : uint64_t{102'625'181'696}});
    }
  }
  auto began = Clock::now();
  Result<inventory::Inventory> inv = inventory::Inventory::FromRecords(
      std::move(orgs), std::move(sites), {}, std::move(assets), *cat);
  const double snapshot_ms = MsSince(began);
  if (!inv.ok()) {
    std::fprintf(stderr, "%s\n", inv.status().ToString().c_str());
    return 1;
  }
  began = Clock::now();
  const findings::DeclaredIndex declared(*inv);
  const double index_ms = MsSince(began);
  std::vector<findings::NodeObservation> observed;
  for (const NodeReport& r : reports) {
    observed.push_back({.report = &r, .last_seen_ms = 1'000'000, .last_change_ms = 1'000'000});
  }
  const findings::DeviceModels models(*cat);
  const findings::Policy policy;
  std::vector<double> check_ms, book_ms, total_ms;
  size_t found = 0, entries = 0;
  for (int rep = 0; rep < reps; ++rep) {
    began = Clock::now();
    const std::vector<findings::Detection> d =
        findings::CheckObserved(declared, *cat, models, observed, policy, 1'000'000);
    check_ms.push_back(MsSince(began));
    const auto book_began = Clock::now();
    const findings::FindingsBook book;  // a first pass: every detection opens a finding
    const std::vector<inventory::Change> e =
        book.Reconcile(d, findings::ObservedKinds(), policy, 1'000'000);
    book_ms.push_back(MsSince(book_began));
    total_ms.push_back(MsSince(began));
    found = d.size();
    entries = e.size();
  }
  const Spread c = Of(check_ms), b = Of(book_ms), t = Of(total_ms);
  std::printf("nodes %lld, devices %lld, detections %zu, entries %zu, reps %d\n",
              static_cast<long long>(nodes), static_cast<long long>(nodes * per_node), found,
              entries, reps);
  std::printf("checks   ms median %.1f (min %.1f, max %.1f)\n", c.median, c.min, c.max);
  std::printf("book     ms median %.1f (min %.1f, max %.1f)\n", b.median, b.min, b.max);
  std::printf("pass     ms median %.1f (min %.1f, max %.1f)\n", t.median, t.min, t.max);
  std::printf(
      "snapshot ms %.1f, index ms %.1f (once per inventory change: "
      "Inventory::FromRecords, DeclaredIndex)\n",
      snapshot_ms, index_ms);
  return 0;
}
