#include "gpufleet/report/output_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace gpufleet::report {
namespace {

TEST(RoundForOutputTest, KeepsFourDecimals) {
  EXPECT_DOUBLE_EQ(RoundForOutput(83.123456), 83.1235);
  EXPECT_DOUBLE_EQ(RoundForOutput(-2.00004), -2.0);
  EXPECT_DOUBLE_EQ(RoundForOutput(100.0), 100.0);
}

TEST(RoundForOutputTest, NegativeZeroBecomesZero) {
  EXPECT_FALSE(std::signbit(RoundForOutput(-0.00001)));
  EXPECT_EQ(FormatNumber(-0.00001), "0");
}

TEST(RoundForOutputTest, NonFiniteValuesPassThrough) {
  EXPECT_TRUE(std::isnan(RoundForOutput(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_TRUE(std::isinf(RoundForOutput(std::numeric_limits<double>::infinity())));
}

TEST(FormatNumberTest, ShortestFormOfTheRoundedValue) {
  EXPECT_EQ(FormatNumber(83.123456), "83.1235");
  EXPECT_EQ(FormatNumber(100.0), "100");
  EXPECT_EQ(FormatNumber(0.5), "0.5");
  EXPECT_EQ(FormatNumber(1.0 / 3.0), "0.3333");
}

TEST(CsvFieldTest, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(CsvField("fgd"), "fgd");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField(""), "");
}

}  // namespace
}  // namespace gpufleet::report
