#pragma once
// Output of the saturation experiment (sim::RunSaturation): a terminal table, CSV, JSON and
// an SVG plot. File formats and the meaning of every column: docs/simulate-output.md.
// This header also brings in what `gpufleet simulate` needs beyond the saturation writers:
// the progress bar, Summarize and the event-replay writers.
//
// Values "at 100%" come from the curve point whose arrived_pct is 100; a run without one
// (tune < 1) has none, shown as "-" in the table, an empty CSV field and null in JSON.

#include <ostream>

#include "gpufleet/report/event_report.h"
#include "gpufleet/report/progress_bar.h"
#include "gpufleet/report/summary.h"
#include "gpufleet/report/svg_chart.h"
#include "gpufleet/sim/saturation.h"

namespace gpufleet::report {

// One row per policy, sorted by mean unallocated % at 100% ascending (best first): seeds,
// allocated % at 100% (mean ± sd), unallocated % and GPUs at 100% (mean ± sd),
// fragmentation % at 100%, allocated % at the end of the run, failed pods and seconds per
// run (means over seeds). A header line names the trace, cluster size and tune.
void WriteTable(const sim::SaturationReport& report, std::ostream& out);

// The curves in long format: header "policy,seed,arrived_pct,allocated_pct,
// fragmentation_pct,failed_pct", then one row per curve point of every run, in run order.
void WriteCsv(const sim::SaturationReport& report, std::ostream& out);

// One row per policy, in report order, with the mean and sd over seeds of each table value.
void WriteSummaryCsv(const sim::SaturationReport& report, std::ostream& out);

// The whole report as pretty-printed JSON: per policy a summary and every run with its
// curve as columnar arrays. Doubles are rounded to kOutputDecimals places.
void WriteJson(const sim::SaturationReport& report, std::ostream& out);

// GPU allocation ratio (%) against arrived demand (% of capacity, 0..tune x 100), one line
// per policy averaging its seeds bin by bin, with a dashed line at 100% arrived.
void WriteSvgPlot(const sim::SaturationReport& report, std::ostream& out,
                  const SvgOptions& options);

}  // namespace gpufleet::report
