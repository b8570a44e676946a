#include "gpufleet/report/saturation_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "gpufleet/report/json_text.h"
#include "gpufleet/report/output_format.h"
#include "gpufleet/report/text_table.h"

namespace gpufleet::report {

namespace {

// ordered_json keeps keys in the documented order instead of alphabetical.
using Json = nlohmann::ordered_json;

constexpr int kPointOfInterest = 100;  // arrived demand = 100% of cluster GPU capacity
constexpr double kPercent = 100.0;

const sim::CurvePoint* PointAt(const sim::SaturationRun& run, int arrived_pct) {
  // Curves hold one point per bin from 0, so the index is the bin; search in case not.
  const auto idx = static_cast<size_t>(arrived_pct);
  if (idx < run.curve.size() && run.curve[idx].arrived_pct == arrived_pct) return &run.curve[idx];
  for (const sim::CurvePoint& p : run.curve) {
    if (p.arrived_pct == arrived_pct) return &p;
  }
  return nullptr;
}

// One per-run value summarised over seeds. nullopt: the run has no such value (no point at
// 100% when tune < 1); it is left out of the summary rather than counted as zero.
struct Metric {
  std::string_view name;
  std::optional<double> (*value)(const sim::SaturationRun&);
};

// The order here is the column order of summary.csv and the key order of JSON summaries.
constexpr std::array<Metric, 8> kMetrics = {{
    {"allocated_pct_at_100",
     [](const sim::SaturationRun& r) -> std::optional<double> {
       const sim::CurvePoint* p = PointAt(r, kPointOfInterest);
       if (!p) return std::nullopt;
       return p->allocated_pct;
     }},
    {"unallocated_pct_at_100",
     [](const sim::SaturationRun& r) -> std::optional<double> {
       if (!PointAt(r, kPointOfInterest)) return std::nullopt;
       return r.unallocated_pct_at_100;
     }},
    {"unallocated_gpus_at_100",
     [](const sim::SaturationRun& r) -> std::optional<double> {
       if (!PointAt(r, kPointOfInterest)) return std::nullopt;
       return r.unallocated_gpus_at_100;
     }},
    {"fragmentation_pct_at_100",
     [](const sim::SaturationRun& r) -> std::optional<double> {
       const sim::CurvePoint* p = PointAt(r, kPointOfInterest);
       if (!p) return std::nullopt;
       return p->fragmentation_pct;
     }},
    {"allocated_pct_at_end",
     [](const sim::SaturationRun& r) -> std::optional<double> { return r.allocated_pct_at_end; }},
    {"failed_pods",
     [](const sim::SaturationRun& r) -> std::optional<double> {
       return static_cast<double>(r.failed_pods);
     }},
    {"failed_gpus",
     [](const sim::SaturationRun& r) -> std::optional<double> { return r.failed_gpus; }},
    {"seconds", [](const sim::SaturationRun& r) -> std::optional<double> { return r.seconds; }},
}};

// Positions in kMetrics, for the table.
constexpr size_t kAllocated100 = 0;
constexpr size_t kUnallocated100 = 1;
constexpr size_t kUnallocatedGpus100 = 2;
constexpr size_t kFragmentation100 = 3;
constexpr size_t kAllocatedEnd = 4;
constexpr size_t kFailedPods = 5;
constexpr size_t kSeconds = 7;
static_assert(kMetrics[kUnallocated100].name == "unallocated_pct_at_100");
static_assert(kMetrics[kFailedPods].name == "failed_pods");
static_assert(kMetrics[kSeconds].name == "seconds");

struct PolicyStats {
  std::string policy;
  std::vector<const sim::SaturationRun*> runs;
  std::array<Summary, kMetrics.size()> metrics;
};

std::vector<PolicyStats> Stats(const sim::SaturationReport& report) {
  std::vector<PolicyStats> stats;
  for (auto& runs : GroupByPolicy(report.runs)) {
    PolicyStats s;
    s.policy = runs.front()->policy;
    for (size_t m = 0; m < kMetrics.size(); ++m) {
      std::vector<double> values;
      for (const sim::SaturationRun* run : runs) {
        if (const std::optional<double> v = kMetrics[m].value(*run)) values.push_back(*v);
      }
      s.metrics[m] = Summarize(values);
    }
    s.runs = std::move(runs);
    stats.push_back(std::move(s));
  }
  return stats;
}

Json Number(double value) { return RoundForOutput(value); }

Json MeanSd(const Summary& s) {
  if (s.n == 0) return Json{{"mean", nullptr}, {"sd", nullptr}};
  return Json{{"mean", Number(s.mean)}, {"sd", Number(s.sd)}};
}

Json RunJson(const sim::SaturationRun& run) {
  const bool has_100 = PointAt(run, kPointOfInterest) != nullptr;
  Json curve = {{"arrived_pct", Json::array()},
                {"allocated_pct", Json::array()},
                {"fragmentation_pct", Json::array()},
                {"failed_pct", Json::array()}};
  for (const sim::CurvePoint& p : run.curve) {
    curve["arrived_pct"].push_back(p.arrived_pct);
    curve["allocated_pct"].push_back(Number(p.allocated_pct));
    curve["fragmentation_pct"].push_back(Number(p.fragmentation_pct));
    curve["failed_pct"].push_back(Number(p.failed_pct));
  }
  return Json{
      {"seed", run.seed},
      {"unallocated_pct_at_100", has_100 ? Number(run.unallocated_pct_at_100) : Json(nullptr)},
      {"unallocated_gpus_at_100", has_100 ? Number(run.unallocated_gpus_at_100) : Json(nullptr)},
      {"allocated_pct_at_end", Number(run.allocated_pct_at_end)},
      {"arrivals", run.arrivals},
      {"failed_pods", run.failed_pods},
      {"failed_gpus", Number(run.failed_gpus)},
      {"seconds", Number(run.seconds)},
      {"curve", std::move(curve)},
  };
}

}  // namespace

void WriteTable(const sim::SaturationReport& report, std::ostream& out) {
  std::vector<PolicyStats> stats = Stats(report);
  out << fmt::format("trace {} | {} GPUs | tune {:g} (arrivals up to {:g}% of GPU capacity)\n",
                     report.trace.empty() ? "-" : report.trace, report.cluster_gpus, report.tune,
                     report.tune * kPercent);
  if (stats.empty()) {
    out << "no runs\n";
    return;
  }
  // Best first; policies without a 100% point (tune < 1) cannot be ranked and go last.
  std::stable_sort(stats.begin(), stats.end(), [](const PolicyStats& a, const PolicyStats& b) {
    const Summary& x = a.metrics[kUnallocated100];
    const Summary& y = b.metrics[kUnallocated100];
    if ((x.n == 0) != (y.n == 0)) return y.n == 0;
    return x.mean < y.mean;
  });
  std::vector<std::vector<std::string>> rows;
  for (const PolicyStats& s : stats) {
    rows.push_back({
        s.policy,
        std::to_string(s.runs.size()),
        FormatSummary(s.metrics[kAllocated100], 2),
        FormatSummary(s.metrics[kUnallocated100], 2),
        FormatSummary(s.metrics[kUnallocatedGpus100], 1),
        FormatMean(s.metrics[kFragmentation100], 2),
        FormatMean(s.metrics[kAllocatedEnd], 2),
        FormatCount(s.metrics[kFailedPods]),
        FormatMean(s.metrics[kSeconds], 2),
    });
  }
  WriteTextTable({"policy", "seeds", "alloc@100 %", "unalloc@100 %", "unalloc@100 GPUs",
                  "frag@100 %", "alloc@end %", "failed pods", "s/run"},
                 rows, out);
  out << "@100: when arrived GPU demand reaches 100% of capacity; unalloc = 100 - alloc, "
         "lower is better.\n"
         "Mean ± sd over seeds; frag, alloc@end, failed pods and s/run are means.\n";
}

void WriteCsv(const sim::SaturationReport& report, std::ostream& out) {
  out << "policy,seed,arrived_pct,allocated_pct,fragmentation_pct,failed_pct\n";
  for (const sim::SaturationRun& run : report.runs) {
    const std::string policy = CsvField(run.policy);
    for (const sim::CurvePoint& p : run.curve) {
      out << fmt::format("{},{},{},{},{},{}\n", policy, run.seed, p.arrived_pct,
                         FormatNumber(p.allocated_pct), FormatNumber(p.fragmentation_pct),
                         FormatNumber(p.failed_pct));
    }
  }
}

void WriteSummaryCsv(const sim::SaturationReport& report, std::ostream& out) {
  out << "policy,seeds";
  for (const Metric& m : kMetrics) out << ',' << m.name << "_mean," << m.name << "_sd";
  out << '\n';
  for (const PolicyStats& s : Stats(report)) {
    out << CsvField(s.policy) << ',' << s.runs.size();
    for (const Summary& m : s.metrics) {
      // No value at all (tune < 1 for the @100 columns): empty fields, not a fake zero.
      if (m.n == 0) {
        out << ",,";
      } else {
        out << ',' << FormatNumber(m.mean) << ',' << FormatNumber(m.sd);
      }
    }
    out << '\n';
  }
}

void WriteJson(const sim::SaturationReport& report, std::ostream& out) {
  Json policies = Json::array();
  for (const PolicyStats& s : Stats(report)) {
    Json summary = {{"seeds", s.runs.size()}};
    for (size_t m = 0; m < kMetrics.size(); ++m) {
      summary[std::string(kMetrics[m].name)] = MeanSd(s.metrics[m]);
    }
    Json runs = Json::array();
    for (const sim::SaturationRun* run : s.runs) runs.push_back(RunJson(*run));
    policies.push_back(
        Json{{"policy", s.policy}, {"summary", std::move(summary)}, {"runs", std::move(runs)}});
  }
  const Json doc = {{"trace", report.trace},
                    {"cluster_gpus", report.cluster_gpus},
                    {"tune", Number(report.tune)},
                    {"policies", std::move(policies)}};
  out << DumpJson(doc, 1) << '\n';
}

void WriteSvgPlot(const sim::SaturationReport& report, std::ostream& out,
                  const SvgOptions& options) {
  LineChart chart;
  chart.title = report.trace.empty()
                    ? fmt::format("GPU allocation vs arrived demand ({} GPUs)", report.cluster_gpus)
                    : fmt::format("GPU allocation vs arrived demand: {} ({} GPUs)", report.trace,
                                  report.cluster_gpus);
  chart.x_label = "Arrived GPU demand (% of cluster GPU capacity)";
  chart.y_label = "GPU allocation ratio (%)";
  chart.x_max = report.tune * kPercent;
  chart.y_max = kPercent;
  chart.x_markers = {kPointOfInterest};
  for (const auto& runs : GroupByPolicy(report.runs)) {
    // Mean over seeds bin by bin; keyed by arrived_pct so curves of unequal length (which
    // RunSaturation does not produce) would still line up.
    std::map<int, std::pair<double, int>> bins;
    for (const sim::SaturationRun* run : runs) {
      for (const sim::CurvePoint& p : run->curve) {
        auto& [sum, count] = bins[p.arrived_pct];
        sum += p.allocated_pct;
        ++count;
      }
    }
    ChartSeries series;
    series.name = runs.front()->policy;
    for (const auto& [arrived, acc] : bins) {
      series.x.push_back(arrived);
      series.y.push_back(acc.first / acc.second);
      chart.x_max = std::max(chart.x_max, static_cast<double>(arrived));
    }
    chart.series.push_back(std::move(series));
  }
  WriteSvgLineChart(chart, options, out);
}

}  // namespace gpufleet::report
