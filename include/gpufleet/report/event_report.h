#pragma once
// Output of the event replay (sim::RunEventReplay): a terminal table, CSV, JSON and an SVG
// plot of utilisation over time. File formats: docs/simulate-output.md.

#include <ostream>

#include "gpufleet/report/svg_chart.h"
#include "gpufleet/sim/event_replay.h"

namespace gpufleet::report {

// One row per policy, in report order, each value the mean over seeds: pods placed, pods
// never placed and their GPUs, mean / p50 / p99 queueing delay (s), time-weighted mean
// utilisation (%). A header line names the trace, cluster size and pods replayed.
void WriteEventTable(const sim::EventReport& report, std::ostream& out);

// Utilisation samples in long format: header "policy,seed,time,allocated_pct,queued_pods",
// then one row per sample of every run, in run order. `time` is trace seconds.
void WriteEventCsv(const sim::EventReport& report, std::ostream& out);

// One row per policy, in report order, with the mean and sd over seeds of each run value.
void WriteEventSummaryCsv(const sim::EventReport& report, std::ostream& out);

// The whole report as pretty-printed JSON: per policy a summary and every run with its
// utilisation samples as columnar arrays. Doubles are rounded to kOutputDecimals places.
void WriteEventJson(const sim::EventReport& report, std::ostream& out);

// GPU utilisation (%) against trace time in days, one line per policy: the mean over seeds
// when all its runs share the same sample times, otherwise its first seed's run (the legend
// says which).
void WriteEventSvgPlot(const sim::EventReport& report, std::ostream& out,
                       const SvgOptions& options);

}  // namespace gpufleet::report
