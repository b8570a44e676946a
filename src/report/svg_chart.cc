#include "gpufleet/report/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>

namespace gpufleet::report {

namespace {

// Tableau 10: distinguishable, and still tellable apart in greyscale print.
constexpr std::array<std::string_view, 10> kPalette = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2",
                                                       "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                                                       "#9c755f", "#bab0ac"};
// After the palette runs out, colours repeat with a dash pattern so lines stay distinct.
constexpr std::array<std::string_view, 3> kDashes = {"", "8,4", "2,3"};

constexpr int kFontSize = 12;
constexpr int kTitleFontSize = 15;
constexpr int kMarginLeft = 70;  // room for y tick labels and the rotated axis label
constexpr int kMarginTop = 40;   // room for the title
constexpr int kMarginBottom = 55;
constexpr int kLegendSwatch = 24;
constexpr int kLegendGap = 8;
constexpr int kLegendLineHeight = 18;
constexpr double kCharWidth = 7.0;  // average sans-serif glyph width at kFontSize
constexpr int kMinPlotSize = 100;
constexpr int kTickLength = 5;
constexpr int kTargetTicks = 8;

// A step of 1, 2 or 5 x 10^k that splits `range` into about kTargetTicks intervals.
double NiceStep(double range) {
  const double raw = range / kTargetTicks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / magnitude;
  const double nice = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
  return nice * magnitude;
}

std::vector<double> Ticks(double lo, double hi) {
  const double step = NiceStep(hi - lo);
  std::vector<double> ticks;
  // Multiply rather than accumulate so 0.1-steps do not drift into 0.30000000000000004.
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; ++k) {
    ticks.push_back(k * step == 0 ? 0.0 : k * step);
  }
  return ticks;
}

// Maps data coordinates to pixels inside the plot rectangle (SVG y grows downwards).
struct Frame {
  double left, top, right, bottom;
  double x_min, x_max, y_min, y_max;

  double X(double x) const {
    x = std::clamp(x, x_min, x_max);
    return left + (x - x_min) / (x_max - x_min) * (right - left);
  }
  double Y(double y) const {
    y = std::clamp(y, y_min, y_max);
    return bottom - (y - y_min) / (y_max - y_min) * (bottom - top);
  }
};

void WriteAxes(const LineChart& chart, const Frame& f, std::ostream& out) {
  out << "<g font-size=\"" << kFontSize << "\" fill=\"#333\">\n";
  std::vector<std::pair<double, std::string>> x_ticks;
  if (chart.x_tick_labels.empty()) {
    for (double t : Ticks(f.x_min, f.x_max)) x_ticks.emplace_back(t, fmt::format("{:g}", t));
  } else {
    const size_t n = chart.x_tick_labels.size();
    // At most kTargetTicks labels: a "2025-01" is about as wide as a tick interval of a
    // 12-month chart at the default size.
    const size_t every = (n + kTargetTicks - 1) / kTargetTicks;
    for (size_t i = 0; i < n; i += std::max<size_t>(1, every)) {
      const double t = f.x_min + static_cast<double>(i);
      if (t > f.x_max) break;
      x_ticks.emplace_back(t, XmlEscape(chart.x_tick_labels[i]));
    }
  }
  for (const auto& [t, label] : x_ticks) {
    const double x = f.X(t);
    out << fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#e5e5e5\"/>\n"
        "<line x1=\"{0:.1f}\" y1=\"{2:.1f}\" x2=\"{0:.1f}\" y2=\"{3:.1f}\" stroke=\"#333\"/>\n"
        "<text x=\"{0:.1f}\" y=\"{4:.1f}\" text-anchor=\"middle\">{5}</text>\n",
        x, f.top, f.bottom, f.bottom + kTickLength, f.bottom + kTickLength + kFontSize + 2, label);
  }
  for (double t : Ticks(f.y_min, f.y_max)) {
    const double y = f.Y(t);
    out << fmt::format(
        "<line x1=\"{1:.1f}\" y1=\"{0:.1f}\" x2=\"{2:.1f}\" y2=\"{0:.1f}\" stroke=\"#e5e5e5\"/>\n"
        "<line x1=\"{3:.1f}\" y1=\"{0:.1f}\" x2=\"{1:.1f}\" y2=\"{0:.1f}\" stroke=\"#333\"/>\n"
        "<text x=\"{4:.1f}\" y=\"{0:.1f}\" dy=\"0.35em\" text-anchor=\"end\">"
        "{5:g}</text>\n",
        y, f.left, f.right, f.left - kTickLength, f.left - kTickLength - 4, t);
  }
  out << fmt::format(
      "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"none\" "
      "stroke=\"#333\"/>\n",
      f.left, f.top, f.right - f.left, f.bottom - f.top);
  out << fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                     (f.left + f.right) / 2, f.bottom + kMarginBottom - 12,
                     XmlEscape(chart.x_label));
  const double y_mid = (f.top + f.bottom) / 2;
  out << fmt::format(
      "<text x=\"18\" y=\"{0:.1f}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {0:.1f})\">"
      "{1}</text>\n",
      y_mid, XmlEscape(chart.y_label));
  out << "</g>\n";
}

void WriteSeries(const LineChart& chart, const Frame& f, std::ostream& out) {
  for (double m : chart.x_markers) {
    if (m < f.x_min || m > f.x_max) continue;
    out << fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#666\" "
        "stroke-dasharray=\"6,4\"/>\n",
        f.X(m), f.top, f.bottom);
  }
  for (size_t i = 0; i < chart.series.size(); ++i) {
    const ChartSeries& s = chart.series[i];
    std::string points;
    for (size_t p = 0; p < std::min(s.x.size(), s.y.size()); ++p) {
      if (!std::isfinite(s.x[p]) || !std::isfinite(s.y[p])) continue;
      if (!points.empty()) points.push_back(' ');
      points += fmt::format("{:.1f},{:.1f}", f.X(s.x[p]), f.Y(s.y[p]));
    }
    const std::string_view dash = kDashes[(i / kPalette.size()) % kDashes.size()];
    out << fmt::format(
        "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\"{} points=\"{}\"/>\n",
        kPalette[i % kPalette.size()],
        dash.empty() ? "" : fmt::format(" stroke-dasharray=\"{}\"", dash), points);
  }
}

void WriteLegend(const LineChart& chart, const Frame& f, std::ostream& out) {
  out << "<g font-size=\"" << kFontSize << "\" fill=\"#333\">\n";
  for (size_t i = 0; i < chart.series.size(); ++i) {
    const double x = f.right + kLegendGap * 2;
    const double y = f.top + kLegendLineHeight * (static_cast<double>(i) + 0.5);
    const std::string_view dash = kDashes[(i / kPalette.size()) % kDashes.size()];
    out << fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
        "stroke-width=\"3\"{}/>\n"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" dy=\"0.35em\">{}</text>\n",
        x, y, x + kLegendSwatch, y, kPalette[i % kPalette.size()],
        dash.empty() ? "" : fmt::format(" stroke-dasharray=\"{}\"", dash),
        x + kLegendSwatch + kLegendGap, y, XmlEscape(chart.series[i].name));
  }
  out << "</g>\n";
}

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

namespace {

// One chart as an <svg> element: the whole document when `y` is negative, else a nested
// element at that height inside the caller's document.
void WriteChart(const LineChart& chart, const SvgOptions& options, double y, std::ostream& out) {
  size_t longest_name = 0;
  for (const ChartSeries& s : chart.series) longest_name = std::max(longest_name, s.name.size());
  const double legend_width =
      chart.series.empty()
          ? kLegendGap * 2
          : kLegendGap * 3 + kLegendSwatch + kCharWidth * static_cast<double>(longest_name);
  const double width = std::max(options.width, kMarginLeft + kMinPlotSize);
  const double height = std::max(options.height, kMarginTop + kMarginBottom + kMinPlotSize);
  Frame f{};
  f.left = kMarginLeft;
  f.top = kMarginTop;
  // A very long policy name squeezes the legend, never the plot below its minimum.
  f.right = std::max(f.left + kMinPlotSize, width - legend_width);
  f.bottom = height - kMarginBottom;
  f.x_min = chart.x_min;
  f.x_max = chart.x_max > chart.x_min ? chart.x_max : chart.x_min + 1;
  f.y_min = chart.y_min;
  f.y_max = chart.y_max > chart.y_min ? chart.y_max : chart.y_min + 1;

  const std::string& title = options.title.empty() ? chart.title : options.title;
  const std::string where = y < 0 ? std::string("xmlns=\"http://www.w3.org/2000/svg\"")
                                  : fmt::format("x=\"0\" y=\"{:g}\"", y);
  out << fmt::format(
      "<svg {5} width=\"{0:g}\" height=\"{1:g}\" "
      "viewBox=\"0 0 {0:g} {1:g}\" font-family=\"sans-serif\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{2:.1f}\" y=\"24\" font-size=\"{3}\" text-anchor=\"middle\" fill=\"#111\">"
      "{4}</text>\n",
      width, height, width / 2, kTitleFontSize, XmlEscape(title), where);
  WriteAxes(chart, f, out);
  WriteSeries(chart, f, out);
  WriteLegend(chart, f, out);
  out << "</svg>\n";
}

}  // namespace

void WriteSvgLineChart(const LineChart& chart, const SvgOptions& options, std::ostream& out) {
  WriteChart(chart, options, -1, out);
}

void WriteSvgCharts(const std::vector<LineChart>& charts, const SvgOptions& options,
                    std::ostream& out) {
  const double width = std::max(options.width, kMarginLeft + kMinPlotSize);
  const double height = std::max(options.height, kMarginTop + kMarginBottom + kMinPlotSize);
  const double total = height * static_cast<double>(std::max<size_t>(1, charts.size()));
  out << fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:g}\" height=\"{1:g}\" "
      "viewBox=\"0 0 {0:g} {1:g}\">\n",
      width, total);
  SvgOptions each = options;
  each.title.clear();  // each chart keeps its own
  for (size_t i = 0; i < charts.size(); ++i) {
    WriteChart(charts[i], each, height * static_cast<double>(i), out);
  }
  out << "</svg>\n";
}

}  // namespace gpufleet::report
