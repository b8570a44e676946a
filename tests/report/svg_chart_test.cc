// The SVG writers: the generic line chart and the two plots built on it. All three are
// checked with a small well-formedness checker, since no XML parser is linked into tests.

#include "gpufleet/report/svg_chart.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "gpufleet/report/event_report.h"
#include "gpufleet/report/saturation_report.h"

namespace gpufleet::report {
namespace {

// Empty when `xml` is one well-formed element (tags balanced and properly nested, attribute
// values quoted, no raw '<' or bare '&' in text or attributes); otherwise what is wrong.
std::string XmlError(const std::string& xml) {
  std::vector<std::string> open;
  size_t i = 0;
  int roots = 0;
  auto is_name = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == ':' || c == '_';
  };
  auto check_entity = [&](size_t at) {
    const size_t semi = xml.find(';', at);
    if (semi == std::string::npos) return false;
    const std::string name = xml.substr(at + 1, semi - at - 1);
    return name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos";
  };
  while (i < xml.size()) {
    if (xml[i] != '<') {
      if (open.empty() && !std::isspace(static_cast<unsigned char>(xml[i]))) {
        return "text outside the root at " + std::to_string(i);
      }
      if (xml[i] == '&' && !check_entity(i)) return "bare & at " + std::to_string(i);
      ++i;
      continue;
    }
    ++i;
    if (i < xml.size() && xml[i] == '/') {
      const size_t end = xml.find('>', i);
      if (end == std::string::npos) return "unterminated closing tag";
      const std::string name = xml.substr(i + 1, end - i - 1);
      if (open.empty() || open.back() != name) return "unbalanced </" + name + ">";
      open.pop_back();
      i = end + 1;
      continue;
    }
    size_t start = i;
    while (i < xml.size() && is_name(xml[i])) ++i;
    if (i == start) return "bad tag name at " + std::to_string(start);
    const std::string name = xml.substr(start, i - start);
    if (open.empty() && ++roots > 1) return "more than one root element";
    for (;;) {
      while (i < xml.size() && std::isspace(static_cast<unsigned char>(xml[i]))) ++i;
      if (i >= xml.size()) return "unterminated <" + name + ">";
      if (xml.compare(i, 2, "/>") == 0) {
        i += 2;
        break;
      }
      if (xml[i] == '>') {
        open.push_back(name);
        ++i;
        break;
      }
      start = i;
      while (i < xml.size() && is_name(xml[i])) ++i;
      if (i == start || i + 1 >= xml.size() || xml[i] != '=' || xml[i + 1] != '"') {
        return "bad attribute in <" + name + "> at " + std::to_string(start);
      }
      const size_t end = xml.find('"', i + 2);
      if (end == std::string::npos) return "unterminated attribute value";
      for (size_t k = i + 2; k < end; ++k) {
        if (xml[k] == '<') return "raw < in attribute at " + std::to_string(k);
        if (xml[k] == '&' && !check_entity(k)) return "bare & in attribute";
      }
      i = end + 1;
    }
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  if (roots != 1) return "no root element";
  return "";
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The points="..." attribute of each polyline, in order.
std::vector<std::string> PolylinePoints(const std::string& svg) {
  std::vector<std::string> points;
  for (size_t at = svg.find("<polyline"); at != std::string::npos;
       at = svg.find("<polyline", at + 1)) {
    const size_t begin = svg.find("points=\"", at) + 8;
    points.push_back(svg.substr(begin, svg.find('"', begin) - begin));
  }
  return points;
}

TEST(XmlErrorTest, TheCheckerCatchesBrokenDocuments) {
  EXPECT_EQ(XmlError("<svg><g/></svg>"), "");
  EXPECT_NE(XmlError("<svg><g></svg>"), "");
  EXPECT_NE(XmlError("<svg><text>a<b</text></svg>"), "");
  EXPECT_NE(XmlError("<svg><text>a&b</text></svg>"), "");
  EXPECT_NE(XmlError("<svg></svg><svg></svg>"), "");
}

TEST(XmlEscapeTest, ReplacesMarkupCharacters) {
  EXPECT_EQ(XmlEscape("a<b&c>\"d'"), "a&lt;b&amp;c&gt;&quot;d&apos;");
  EXPECT_EQ(XmlEscape("fgd"), "fgd");
}

LineChart TwoSeriesChart() {
  LineChart chart;
  chart.title = "T";
  chart.x_label = "arrived";
  chart.y_label = "allocated";
  chart.x_max = 130;
  chart.y_max = 100;
  chart.series = {{"a", {0, 50, 130}, {0, 50, 90}}, {"b", {0, 130}, {0, 100}}};
  chart.x_markers = {100};
  return chart;
}

TEST(WriteSvgLineChartTest, WellFormedWithOnePolylinePerSeries) {
  std::ostringstream out;
  WriteSvgLineChart(TwoSeriesChart(), SvgOptions{}, out);
  const std::string svg = out.str();
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(XmlError(svg), "") << svg;
  EXPECT_EQ(Count(svg, "<polyline"), 2u);
  EXPECT_EQ(Count(svg, "stroke-dasharray=\"6,4\""), 1u) << "one marker";
  EXPECT_NE(svg.find("width=\"800\" height=\"500\""), std::string::npos);
  // x ticks step by 20 over 0..130, y ticks by 10 over 0..100.
  EXPECT_NE(svg.find(">120</text>"), std::string::npos);
  EXPECT_NE(svg.find(">90</text>"), std::string::npos);
  EXPECT_NE(svg.find(">arrived</text>"), std::string::npos);
}

// Charts stacked in one well-formed document: each a nested <svg> one chart height below the
// last, with its own title.
TEST(WriteSvgChartsTest, StacksChartsInOneDocument) {
  LineChart second = TwoSeriesChart();
  second.title = "U";
  std::ostringstream out;
  WriteSvgCharts({TwoSeriesChart(), second}, SvgOptions{}, out);
  const std::string svg = out.str();
  EXPECT_EQ(svg.rfind("<svg xmlns", 0), 0u);
  EXPECT_EQ(XmlError(svg), "") << svg;
  EXPECT_EQ(Count(svg, "<svg "), 3u);
  EXPECT_NE(svg.find("width=\"800\" height=\"1000\""), std::string::npos);
  EXPECT_NE(svg.find("x=\"0\" y=\"0\""), std::string::npos);
  EXPECT_NE(svg.find("x=\"0\" y=\"500\""), std::string::npos);
  EXPECT_NE(svg.find(">T</text>"), std::string::npos);
  EXPECT_NE(svg.find(">U</text>"), std::string::npos);
  EXPECT_EQ(Count(svg, "<polyline"), 4u);
}

// Calendar labels replace the numeric x ticks, escaped, at most eight of them (24 labels:
// every third).
TEST(WriteSvgLineChartTest, XTickLabelsReplaceTheNumbers) {
  LineChart chart = TwoSeriesChart();
  chart.x_min = 1;
  chart.x_max = 24;
  for (int m = 1; m <= 24; ++m) chart.x_tick_labels.push_back("m<" + std::to_string(m));
  std::ostringstream out;
  WriteSvgLineChart(chart, SvgOptions{}, out);
  const std::string svg = out.str();
  EXPECT_EQ(XmlError(svg), "") << svg;
  EXPECT_NE(svg.find(">m&lt;1</text>"), std::string::npos);
  EXPECT_NE(svg.find(">m&lt;4</text>"), std::string::npos);
  EXPECT_EQ(svg.find(">m&lt;2</text>"), std::string::npos);
  EXPECT_EQ(Count(svg, ">m&lt;"), 8u);
  EXPECT_EQ(svg.find(">22</text>"), std::string::npos) << "no numeric x tick (step 2 over 1..24)";
}

TEST(WriteSvgLineChartTest, MapsDataCornersToThePlotCorners) {
  std::ostringstream out;
  WriteSvgLineChart(TwoSeriesChart(), SvgOptions{}, out);
  const std::vector<std::string> points = PolylinePoints(out.str());
  ASSERT_EQ(points.size(), 2u);
  // Series b runs from (x_min, y_min) to (x_max, y_max): the plot's bottom-left and
  // top-right corners. Left margin 70, top 40, bottom 500 - 55 = 445.
  EXPECT_EQ(points[1].substr(0, points[1].find(' ')), "70.0,445.0");
  EXPECT_NE(points[1].find(",40.0"), std::string::npos) << points[1];
}

TEST(WriteSvgLineChartTest, OptionsTitleAndSizeWin) {
  SvgOptions options;
  options.width = 400;
  options.height = 300;
  options.title = "Custom <title>";
  std::ostringstream out;
  WriteSvgLineChart(TwoSeriesChart(), options, out);
  const std::string svg = out.str();
  EXPECT_EQ(XmlError(svg), "") << svg;
  EXPECT_NE(svg.find("width=\"400\" height=\"300\""), std::string::npos);
  EXPECT_NE(svg.find(">Custom &lt;title&gt;</text>"), std::string::npos);
}

TEST(WriteSvgLineChartTest, SkipsNonFinitePoints) {
  LineChart chart = TwoSeriesChart();
  chart.series = {{"a", {0, 1, 2}, {0, std::nan(""), 2}}};
  std::ostringstream out;
  WriteSvgLineChart(chart, SvgOptions{}, out);
  const std::vector<std::string> points = PolylinePoints(out.str());
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(Count(points[0], ","), 2u) << points[0];
}

sim::SaturationRun Flat(const std::string& policy, uint64_t seed, double allocated) {
  sim::SaturationRun run;
  run.policy = policy;
  run.seed = seed;
  for (int b = 0; b <= 130; ++b) run.curve.push_back({b, allocated, 0, 0});
  return run;
}

TEST(WriteSvgPlotTest, WellFormedOneLinePerPolicyAndEscapedNames) {
  sim::SaturationReport report;
  report.trace = "t&t";
  report.cluster_gpus = 8;
  report.runs = {Flat("fgd", 1, 90), Flat("fgd", 2, 92), Flat("a<b&c", 1, 80),
                 Flat("random", 1, 70)};
  std::ostringstream out;
  WriteSvgPlot(report, out, {});
  const std::string svg = out.str();
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(XmlError(svg), "") << svg;
  EXPECT_EQ(Count(svg, "<polyline"), 3u);
  EXPECT_NE(svg.find("a&lt;b&amp;c"), std::string::npos);
  EXPECT_EQ(svg.find("a<b"), std::string::npos);
  EXPECT_EQ(Count(svg, "stroke-dasharray=\"6,4\""), 1u) << "the 100% arrived line";
}

TEST(WriteSvgPlotTest, AveragesSeedsBinByBin) {
  sim::SaturationReport report;
  report.runs = {Flat("two-seeds", 1, 40), Flat("two-seeds", 2, 60), Flat("one-seed", 1, 50),
                 Flat("other", 1, 40)};
  std::ostringstream out;
  WriteSvgPlot(report, out, {});
  const std::vector<std::string> points = PolylinePoints(out.str());
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0], points[1]) << "mean of 40 and 60 is drawn where 50 is";
  EXPECT_NE(points[0], points[2]);
}

sim::EventRun Samples(const std::string& policy, uint64_t seed, std::vector<int64_t> times,
                      double allocated) {
  sim::EventRun run;
  run.policy = policy;
  run.seed = seed;
  for (int64_t t : times) run.utilisation.push_back({t, allocated, 0});
  return run;
}

TEST(WriteEventSvgPlotTest, WellFormedAveragesAlignedSeedsElseFirstSeed) {
  sim::EventReport report;
  report.trace = "<trace>";
  const std::vector<int64_t> grid = {0, 86400, 172800};
  report.runs = {Samples("aligned", 1, grid, 40),
                 Samples("aligned", 2, grid, 60),
                 Samples("mean", 1, grid, 50),
                 Samples("misaligned", 1, grid, 30),
                 Samples("misaligned", 2, {0, 1, 2}, 90),
                 Samples("first", 1, grid, 30)};
  std::ostringstream out;
  WriteEventSvgPlot(report, out, {});
  const std::string svg = out.str();
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(XmlError(svg), "") << svg;
  EXPECT_NE(svg.find("&lt;trace&gt;"), std::string::npos);
  EXPECT_NE(svg.find(">Trace time (days)</text>"), std::string::npos);
  const std::vector<std::string> points = PolylinePoints(svg);
  ASSERT_EQ(points.size(), 4u);
  EXPECT_EQ(points[0], points[1]);
  EXPECT_EQ(points[2], points[3]);
  EXPECT_NE(points[0], points[2]);
  EXPECT_NE(svg.find(">aligned (mean of 2 seeds)</text>"), std::string::npos);
  EXPECT_NE(svg.find(">misaligned (seed 1)</text>"), std::string::npos);
  EXPECT_NE(svg.find(">first</text>"), std::string::npos);
}

TEST(WriteEventSvgPlotTest, EmptyReportStillRenders) {
  std::ostringstream out;
  WriteEventSvgPlot(sim::EventReport{}, out, {});
  EXPECT_EQ(XmlError(out.str()), "") << out.str();
  EXPECT_EQ(Count(out.str(), "<polyline"), 0u);
}

}  // namespace
}  // namespace gpufleet::report
