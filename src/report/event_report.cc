#include "gpufleet/report/event_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>

#include "gpufleet/report/json_text.h"
#include "gpufleet/report/output_format.h"
#include "gpufleet/report/summary.h"
#include "gpufleet/report/text_table.h"

namespace gpufleet::report {

namespace {

// ordered_json keeps keys in the documented order instead of alphabetical.
using Json = nlohmann::ordered_json;

constexpr double kSecondsPerDay = 86400.0;
constexpr double kPercent = 100.0;

struct Metric {
  std::string_view name;
  double (*value)(const sim::EventRun&);
};

// The order here is the column order of events_summary.csv and the key order of JSON
// summaries; the names match the run fields.
constexpr std::array<Metric, 12> kMetrics = {{
    {"pods", [](const sim::EventRun& r) { return static_cast<double>(r.pods); }},
    {"placed", [](const sim::EventRun& r) { return static_cast<double>(r.placed); }},
    {"never_placed", [](const sim::EventRun& r) { return static_cast<double>(r.never_placed); }},
    {"never_placed_gpus", [](const sim::EventRun& r) { return r.never_placed_gpus; }},
    {"skipped", [](const sim::EventRun& r) { return static_cast<double>(r.skipped); }},
    {"mean_delay_s", [](const sim::EventRun& r) { return r.mean_delay_s; }},
    {"p50_delay_s", [](const sim::EventRun& r) { return r.p50_delay_s; }},
    {"p99_delay_s", [](const sim::EventRun& r) { return r.p99_delay_s; }},
    {"max_delay_s", [](const sim::EventRun& r) { return r.max_delay_s; }},
    {"mean_allocated_pct", [](const sim::EventRun& r) { return r.mean_allocated_pct; }},
    {"arrival_allocated_pct", [](const sim::EventRun& r) { return r.arrival_allocated_pct; }},
    {"seconds", [](const sim::EventRun& r) { return r.seconds; }},
}};

// Positions in kMetrics, for the table.
constexpr size_t kPlaced = 1;
constexpr size_t kNeverPlaced = 2;
constexpr size_t kNeverPlacedGpus = 3;
constexpr size_t kMeanDelay = 5;
constexpr size_t kP50Delay = 6;
constexpr size_t kP99Delay = 7;
constexpr size_t kMeanAllocated = 9;
constexpr size_t kArrivalAllocated = 10;
static_assert(kMetrics[kPlaced].name == "placed");
static_assert(kMetrics[kNeverPlacedGpus].name == "never_placed_gpus");
static_assert(kMetrics[kMeanAllocated].name == "mean_allocated_pct");
static_assert(kMetrics[kArrivalAllocated].name == "arrival_allocated_pct");

struct PolicyStats {
  std::string policy;
  std::vector<const sim::EventRun*> runs;
  std::array<Summary, kMetrics.size()> metrics;
};

std::vector<PolicyStats> Stats(const sim::EventReport& report) {
  std::vector<PolicyStats> stats;
  for (auto& runs : GroupByPolicy(report.runs)) {
    PolicyStats s;
    s.policy = runs.front()->policy;
    for (size_t m = 0; m < kMetrics.size(); ++m) {
      std::vector<double> values;
      for (const sim::EventRun* run : runs) values.push_back(kMetrics[m].value(*run));
      s.metrics[m] = Summarize(values);
    }
    s.runs = std::move(runs);
    stats.push_back(std::move(s));
  }
  return stats;
}

Json Number(double value) { return RoundForOutput(value); }

Json RunJson(const sim::EventRun& run) {
  Json utilisation = {
      {"time", Json::array()}, {"allocated_pct", Json::array()}, {"queued_pods", Json::array()}};
  for (const sim::UtilisationSample& u : run.utilisation) {
    utilisation["time"].push_back(u.time);
    utilisation["allocated_pct"].push_back(Number(u.allocated_pct));
    utilisation["queued_pods"].push_back(u.queued_pods);
  }
  return Json{
      {"seed", run.seed},
      {"pods", run.pods},
      {"placed", run.placed},
      {"never_placed", run.never_placed},
      {"never_placed_gpus", Number(run.never_placed_gpus)},
      {"skipped", run.skipped},
      {"mean_delay_s", Number(run.mean_delay_s)},
      {"p50_delay_s", Number(run.p50_delay_s)},
      {"p99_delay_s", Number(run.p99_delay_s)},
      {"max_delay_s", Number(run.max_delay_s)},
      {"mean_allocated_pct", Number(run.mean_allocated_pct)},
      {"arrival_allocated_pct", Number(run.arrival_allocated_pct)},
      {"seconds", Number(run.seconds)},
      {"utilisation", std::move(utilisation)},
  };
}

bool SameSampleTimes(const std::vector<const sim::EventRun*>& runs) {
  const auto& first = runs.front()->utilisation;
  return std::all_of(runs.begin(), runs.end(), [&](const sim::EventRun* run) {
    return std::equal(first.begin(), first.end(), run->utilisation.begin(), run->utilisation.end(),
                      [](const sim::UtilisationSample& a, const sim::UtilisationSample& b) {
                        return a.time == b.time;
                      });
  });
}

// The policy's utilisation curve in days: the mean over seeds when every run sampled the
// same times (the usual case: the sample grid follows the trace span, not the seed),
// otherwise the first run alone, because averaging misaligned samples would blur the curve.
// The legend says which it is when the policy ran more than one seed.
ChartSeries UtilisationSeries(const std::vector<const sim::EventRun*>& runs) {
  ChartSeries series;
  const std::vector<const sim::EventRun*> used =
      SameSampleTimes(runs) ? runs : std::vector<const sim::EventRun*>{runs.front()};
  series.name = runs.front()->policy;
  if (used.size() > 1) {
    series.name += fmt::format(" (mean of {} seeds)", used.size());
  } else if (runs.size() > 1) {
    series.name += fmt::format(" (seed {})", runs.front()->seed);
  }
  for (size_t i = 0; i < used.front()->utilisation.size(); ++i) {
    double sum = 0;
    for (const sim::EventRun* run : used) sum += run->utilisation[i].allocated_pct;
    series.x.push_back(static_cast<double>(used.front()->utilisation[i].time) / kSecondsPerDay);
    series.y.push_back(sum / static_cast<double>(used.size()));
  }
  return series;
}

}  // namespace

void WriteEventTable(const sim::EventReport& report, std::ostream& out) {
  const std::vector<PolicyStats> stats = Stats(report);
  out << fmt::format("trace {} | {} GPUs", report.trace.empty() ? "-" : report.trace,
                     report.cluster_gpus);
  if (!report.runs.empty()) {
    // Every run replays the same trace, so the first run's counts stand for all.
    out << fmt::format(" | {} pods replayed, {} skipped (no creation/deletion time)",
                       report.runs.front().pods, report.runs.front().skipped);
  }
  out << '\n';
  if (stats.empty()) {
    out << "no runs\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const PolicyStats& s : stats) {
    rows.push_back({
        s.policy,
        std::to_string(s.runs.size()),
        FormatCount(s.metrics[kPlaced]),
        FormatCount(s.metrics[kNeverPlaced]),
        FormatMean(s.metrics[kNeverPlacedGpus], 1),
        FormatMean(s.metrics[kMeanDelay], 1),
        FormatMean(s.metrics[kP50Delay], 1),
        FormatMean(s.metrics[kP99Delay], 1),
        FormatSummary(s.metrics[kArrivalAllocated], 2),
        FormatSummary(s.metrics[kMeanAllocated], 2),
    });
  }
  WriteTextTable({"policy", "seeds", "placed", "never placed", "never placed GPUs", "mean delay s",
                  "p50 delay s", "p99 delay s", "util arriving %", "util all %"},
                 rows, out);
  out << "Delays: queueing delay of placed pods. Util: time-weighted GPU allocation ratio from\n"
         "the first arrival to the last arrival (arriving) or to the last departure (all).\n"
         "Means over seeds (util: mean ± sd).\n";
}

void WriteEventCsv(const sim::EventReport& report, std::ostream& out) {
  out << "policy,seed,time,allocated_pct,queued_pods\n";
  for (const sim::EventRun& run : report.runs) {
    const std::string policy = CsvField(run.policy);
    for (const sim::UtilisationSample& u : run.utilisation) {
      out << fmt::format("{},{},{},{},{}\n", policy, run.seed, u.time,
                         FormatNumber(u.allocated_pct), u.queued_pods);
    }
  }
}

void WriteEventSummaryCsv(const sim::EventReport& report, std::ostream& out) {
  out << "policy,seeds";
  for (const Metric& m : kMetrics) out << ',' << m.name << "_mean," << m.name << "_sd";
  out << '\n';
  for (const PolicyStats& s : Stats(report)) {
    out << CsvField(s.policy) << ',' << s.runs.size();
    for (const Summary& m : s.metrics) {
      out << ',' << FormatNumber(m.mean) << ',' << FormatNumber(m.sd);
    }
    out << '\n';
  }
}

void WriteEventJson(const sim::EventReport& report, std::ostream& out) {
  Json policies = Json::array();
  for (const PolicyStats& s : Stats(report)) {
    Json summary = {{"seeds", s.runs.size()}};
    for (size_t m = 0; m < kMetrics.size(); ++m) {
      summary[std::string(kMetrics[m].name)] =
          Json{{"mean", Number(s.metrics[m].mean)}, {"sd", Number(s.metrics[m].sd)}};
    }
    Json runs = Json::array();
    for (const sim::EventRun* run : s.runs) runs.push_back(RunJson(*run));
    policies.push_back(
        Json{{"policy", s.policy}, {"summary", std::move(summary)}, {"runs", std::move(runs)}});
  }
  const Json doc = {{"trace", report.trace},
                    {"cluster_gpus", report.cluster_gpus},
                    {"policies", std::move(policies)}};
  out << DumpJson(doc, 1) << '\n';
}

void WriteEventSvgPlot(const sim::EventReport& report, std::ostream& out,
                       const SvgOptions& options) {
  LineChart chart;
  chart.title = report.trace.empty()
                    ? fmt::format("GPU utilisation over time ({} GPUs)", report.cluster_gpus)
                    : fmt::format("GPU utilisation over time: {} ({} GPUs)", report.trace,
                                  report.cluster_gpus);
  chart.x_label = "Trace time (days)";
  chart.y_label = "GPU allocation ratio (%)";
  chart.y_max = kPercent;
  double x_min = std::numeric_limits<double>::infinity();
  double x_max = -std::numeric_limits<double>::infinity();
  for (const auto& runs : GroupByPolicy(report.runs)) {
    ChartSeries series = UtilisationSeries(runs);
    for (double x : series.x) {
      x_min = std::min(x_min, x);
      x_max = std::max(x_max, x);
    }
    chart.series.push_back(std::move(series));
  }
  // No samples at all: keep the default 0..1 day axis so the chart still renders.
  if (x_min < x_max) {
    chart.x_min = x_min;
    chart.x_max = x_max;
  } else if (x_min == x_max) {
    chart.x_min = x_min;
    chart.x_max = x_min + 1;
  }
  WriteSvgLineChart(chart, options, out);
}

}  // namespace gpufleet::report
