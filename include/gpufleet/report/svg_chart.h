#pragma once
// A minimal hand-written SVG line chart: axes with ticks and labels, one polyline per
// series, a legend to the right of the plot and optional dashed vertical markers. No
// library: the output is a standalone, well-formed XML document.

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace gpufleet::report {

struct SvgOptions {
  int width = 800;    // pixels, including margins and the legend
  int height = 500;   // pixels
  std::string title;  // empty: the writer's default title
};

struct ChartSeries {
  std::string name;       // shown in the legend (XML-escaped on output)
  std::vector<double> x;  // same length as y; non-finite points are skipped
  std::vector<double> y;
};

struct LineChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  // Axis ranges in data units. REQUIRES: x_min < x_max and y_min < y_max (a degenerate
  // range is widened by one unit so the chart still renders).
  double x_min = 0, x_max = 1;
  double y_min = 0, y_max = 1;
  std::vector<ChartSeries> series;  // coloured from a fixed palette, in order
  std::vector<double> x_markers;    // dashed vertical lines, e.g. arrived = 100%
  // Labels of the x positions x_min, x_min + 1, ... (a calendar: "2025-01", "2025-02"); when
  // given they replace the numeric x ticks, thinned to at most eight so they do not overlap.
  std::vector<std::string> x_tick_labels;
};

// Writes `chart` as an SVG document of options.width x options.height; a non-empty
// options.title replaces chart.title. Points outside the axis ranges are clamped to the
// plot edge.
void WriteSvgLineChart(const LineChart& chart, const SvgOptions& options, std::ostream& out);

// The charts one above the other in one SVG document, each options.width x options.height
// with its own title (options.title is not used).
void WriteSvgCharts(const std::vector<LineChart>& charts, const SvgOptions& options,
                    std::ostream& out);

// `text` with &, <, >, " and ' replaced by XML entities.
std::string XmlEscape(std::string_view text);

}  // namespace gpufleet::report
