#include "gpufleet/scheduler/batch.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <numeric>
#include <set>

#include "gpufleet/codec/csv_table.h"
#include "gpufleet/model/utf8.h"
#include "gpufleet/placement/placer.h"
#include "scheduler/gang_placer.h"
#include "scheduler/pending_reason.h"

namespace gpufleet::scheduler {
namespace {

using internal::ExplainPending;
using internal::GangPlacer;
using internal::Pct;

}  // namespace

std::string_view PendingName(Pending p) {
  switch (p) {
    case Pending::kNone:
      return "placed";
    case Pending::kCompliance:
      return "compliance";
    case Pending::kModel:
      return "model";
    case Pending::kCapacity:
      return "capacity";
    case Pending::kResaleCap:
      return "resale_cap";
  }
  return "unknown";
}

Result<std::vector<JobRequest>> ReadJobRequests(const std::string& path,
                                                const InventoryFleet& fleet,
                                                const inventory::Inventory& inv,
                                                const catalog::Catalog& cat) {
  auto table = codec::CsvTable::Read(path);
  if (!table.ok()) return table.status();
  for (size_t c = 0; c < table->header().size(); ++c) {
    static constexpr std::string_view kKnown[] = {"job",        "tenant_org", "gpus",
                                                  "data_class", "models",     "replicas",
                                                  "priority",   "cpu",        "memory_gib"};
    if (std::find(std::begin(kKnown), std::end(kKnown), table->header()[c]) == std::end(kKnown)) {
      return Status::InvalidArgument(path + ":1:" + std::to_string(c + 1) + ": unknown column '" +
                                     table->header()[c] + "'");
    }
  }
  GPUFLEET_RETURN_IF_ERROR(table->RequireColumns({"job", "tenant_org", "gpus"}));
  auto col = [&](std::string_view name) { return table->Column(name); };
  const size_t c_job = *col("job"), c_org = *col("tenant_org"), c_gpus = *col("gpus");
  std::vector<JobRequest> jobs;
  std::set<std::string> ids;
  for (const codec::CsvTable::Row& row : table->rows()) {
    JobRequest j;
    j.line = row.line;
    j.id = row.fields[c_job];
    if (j.id.empty()) return table->Error(row, c_job, "empty");
    if (!ids.insert(j.id).second) return table->Error(row, c_job, "'" + Excerpt(j.id) + "' twice");
    j.tenant_org = row.fields[c_org];
    if (!inv.FindOrg(j.tenant_org)) {
      return table->Error(row, c_org,
                          "no organisation '" + Excerpt(j.tenant_org) + "' in the fleet");
    }
    const Result<double> gpus = table->Number(row, c_gpus);
    if (!gpus.ok()) return gpus.status();
    if (*gpus <= 0 || *gpus > kMaxGpusPerNode || (*gpus > 1 && *gpus != std::floor(*gpus))) {
      return table->Error(row, c_gpus,
                          "'" + row.fields[c_gpus] +
                              "' is not a fraction of one GPU or a whole number of GPUs up to " +
                              std::to_string(kMaxGpusPerNode));
    }
    if (*gpus < 1) {
      j.pod.gpu_count = 1;
      j.pod.gpu_milli = static_cast<int32_t>(std::lround(*gpus * kMilliPerGpu));
      if (j.pod.gpu_milli == 0) return table->Error(row, c_gpus, "below 0.001");
    } else {
      j.pod.gpu_count = static_cast<int32_t>(*gpus);
      j.pod.gpu_milli = kMilliPerGpu;
    }
    if (auto c = col("data_class")) j.data_class = row.fields[*c];
    if (auto c = col("models"); c && !row.fields[*c].empty()) {
      const std::string& text = row.fields[*c];
      size_t start = 0;
      bool in_fleet = false;
      while (start <= text.size()) {
        const size_t bar = std::min(text.find('|', start), text.size());
        const std::string name = text.substr(start, bar - start);
        const catalog::AcceleratorSpec* chip = cat.Find(name);
        if (!chip) return table->Error(row, *c, "'" + Excerpt(name) + "' is not in the catalog");
        // A model the fleet does not hold cannot be in the set; the job then pends on model.
        if (auto m = fleet.fleet.FindModel(chip->id)) {
          j.pod.allowed_models.Add(*m);
          in_fleet = true;
        }
        start = bar + 1;
      }
      j.models_absent = !in_fleet;
    }
    struct IntField {
      const char* name;
      int32_t* out;
      int64_t min, max;
    };
    for (const IntField& f : {IntField{"replicas", &j.replicas, 1, 100000},
                              IntField{"priority", &j.priority, -1000000, 1000000}}) {
      auto c = col(f.name);
      if (!c || row.fields[*c].empty()) continue;
      const Result<double> v = table->Number(row, *c);
      if (!v.ok()) return v.status();
      if (*v != std::floor(*v) || *v < static_cast<double>(f.min) ||
          *v > static_cast<double>(f.max)) {
        return table->Error(row, *c,
                            "'" + Excerpt(row.fields[*c]) + "' is not a whole number in " +
                                std::to_string(f.min) + ".." + std::to_string(f.max));
      }
      *f.out = static_cast<int32_t>(*v);
    }
    for (auto [name, out, unit] : {std::tuple{"cpu", &j.pod.cpu_milli, 1000.0},
                                   std::tuple{"memory_gib", &j.pod.memory_mib, 1024.0}}) {
      auto c = col(name);
      if (!c || row.fields[*c].empty()) continue;
      const Result<double> v = table->Number(row, *c);
      if (!v.ok()) return v.status();
      if (*v < 0 || *v > 1e6) {
        return table->Error(row, *c, "'" + Excerpt(row.fields[*c]) + "' is not a size");
      }
      *out = static_cast<int64_t>(std::llround(*v * unit));
    }
    jobs.push_back(std::move(j));
  }
  return jobs;
}

BatchReport ScheduleBatch(const InventoryFleet& fleet, const inventory::Inventory& inv,
                          const compliance::RuleSet& rules, EligibilityCache& eligibility, Date at,
                          const placement::Policy& policy, const std::vector<JobRequest>& jobs,
                          uint64_t seed) {
  BatchReport report;
  report.outcomes.resize(jobs.size());
  std::vector<size_t> order(jobs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return jobs[a].priority > jobs[b].priority; });
  auto placer =
      placement::MakeIndexedPlacer(ClusterState(fleet.fleet, Zones::kSite), policy,
                                   placement::TieBreakOrder::Identity(fleet.fleet.nodes().size()));
  ResaleCap cap(fleet, rules, at);
  GangPlacer gangs(*placer, fleet.fleet.sites().size());
  Rng rng(seed);
  for (size_t i : order) {
    const JobRequest& job = jobs[i];
    JobOutcome& out = report.outcomes[i];
    out.job = &job;
    const Eligibility& e = eligibility.For({job.tenant_org, job.data_class});
    out.eligibility = &e;
    if (job.models_absent) {
      out.pending = Pending::kModel;
      out.reason = "model: the fleet holds none of the models the job accepts";
      ++report.pending;
      continue;
    }
    PodRequest pod = job.pod;
    pod.zones = e.filter;
    std::optional<std::vector<Assignment>> placed = gangs.Place(pod, job.replicas, rng);
    if (!placed) {
      // Would the rules be all that stands in the way? Try without them, then undo.
      PodRequest unfiltered = job.pod;
      std::optional<std::vector<Assignment>> without = gangs.Place(unfiltered, job.replicas, rng);
      if (without) {
        for (const Assignment& a : *without) placer->Unbind(unfiltered, a);
      }
      ExplainPending(fleet, *placer, job, pod, e, without.has_value(), out);
      ++report.pending;
      continue;
    }
    const inventory::Organisation* org = inv.FindOrg(job.tenant_org);
    if (org && org->kind == inventory::OrgKind::kExternalCustomer) {
      for (const Assignment& a : *placed) {
        const NodeSpec& n = fleet.fleet.node(a.node);
        cap.Add(n.site, n.gpu_model, pod.total_gpu_milli());
      }
      if (const CapFigure* over = cap.Breached()) {
        out.pending = Pending::kResaleCap;
        out.cap = over;
        out.reason = "resale cap: external use at " + over->scope + " would reach " +
                     Pct(over->share_pct()) + " of " +
                     std::string(compliance::QuotaBasisName(over->quota->basis)) + ", above " +
                     Pct(over->quota->threshold_pct) + " (" + over->quota->id + ")";
        for (const Assignment& a : *placed) {
          const NodeSpec& n = fleet.fleet.node(a.node);
          cap.Add(n.site, n.gpu_model, -pod.total_gpu_milli());
          placer->Unbind(pod, a);
        }
        ++report.pending;
        continue;
      }
    }
    out.replicas = std::move(*placed);
    report.gpu_milli_placed += pod.total_gpu_milli() * job.replicas;
    ++report.placed;
  }
  report.caps = cap.figures();
  // The outcomes' cap pointers point into `cap`, which dies here: repoint them.
  for (JobOutcome& o : report.outcomes) {
    if (o.cap) o.cap = &report.caps[static_cast<size_t>(o.cap - cap.figures().data())];
  }
  return report;
}

}  // namespace gpufleet::scheduler
