#include "gpufleet/report/summary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace gpufleet::report {
namespace {

TEST(SummarizeTest, SampleStandardDeviationDividesByNMinusOne) {
  // mean 5; squared deviations 9+1+1+9 = 20; 20 / 3.
  const Summary s = Summarize({2, 4, 6, 8});
  EXPECT_EQ(s.n, 4u);
  EXPECT_DOUBLE_EQ(s.mean, 5.0);
  EXPECT_DOUBLE_EQ(s.sd, std::sqrt(20.0 / 3.0));
}

TEST(SummarizeTest, TwoValues) {
  const Summary s = Summarize({94, 96});
  EXPECT_DOUBLE_EQ(s.mean, 95.0);
  EXPECT_DOUBLE_EQ(s.sd, std::sqrt(2.0));
}

TEST(SummarizeTest, OneValueHasZeroSpread) {
  const Summary s = Summarize({7.5});
  EXPECT_EQ(s.n, 1u);
  EXPECT_DOUBLE_EQ(s.mean, 7.5);
  EXPECT_DOUBLE_EQ(s.sd, 0.0);
}

TEST(SummarizeTest, EmptyIsAllZero) {
  const Summary s = Summarize({});
  EXPECT_EQ(s.n, 0u);
  EXPECT_DOUBLE_EQ(s.mean, 0.0);
  EXPECT_DOUBLE_EQ(s.sd, 0.0);
}

TEST(SummarizeTest, TinySpreadAroundLargeValuesIsExact) {
  // A one-pass sum-of-squares formula loses these digits to cancellation.
  const Summary s = Summarize({1e9 + 1, 1e9 + 2, 1e9 + 3});
  EXPECT_DOUBLE_EQ(s.mean, 1e9 + 2);
  EXPECT_DOUBLE_EQ(s.sd, 1.0);
}

TEST(FormatSummaryTest, ShowsSpreadOnlyWithTwoOrMoreValues) {
  EXPECT_EQ(FormatSummary(Summary{}, 2), "-");
  EXPECT_EQ(FormatSummary(Summary{95.0, 0, 1}, 2), "95.00");
  EXPECT_EQ(FormatSummary(Summary{95.0, 1.41421, 2}, 2), "95.00 ± 1.41");
  EXPECT_EQ(FormatMean(Summary{95.0, 1.41421, 2}, 1), "95.0");
  EXPECT_EQ(FormatMean(Summary{}, 1), "-");
}

TEST(FormatCountTest, WholeMeansHaveNoDecimals) {
  EXPECT_EQ(FormatCount(Summary{12, 0, 1}), "12");
  EXPECT_EQ(FormatCount(Summary{12.5, 0.7, 2}), "12.5");
  EXPECT_EQ(FormatCount(Summary{}), "-");
}

struct FakeRun {
  std::string policy;
  int seed;
};

TEST(GroupByPolicyTest, KeepsFirstAppearanceOrderAndRunOrder) {
  const std::vector<FakeRun> runs = {{"b", 1}, {"a", 1}, {"b", 2}, {"c", 1}, {"a", 2}};
  const auto groups = GroupByPolicy(runs);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0][0]->policy, "b");
  ASSERT_EQ(groups[0].size(), 2u);
  EXPECT_EQ(groups[0][1]->seed, 2);
  EXPECT_EQ(groups[1][0]->policy, "a");
  ASSERT_EQ(groups[1].size(), 2u);
  EXPECT_EQ(groups[1][1]->seed, 2);
  EXPECT_EQ(groups[2][0]->policy, "c");
  EXPECT_EQ(groups[2].size(), 1u);
}

}  // namespace
}  // namespace gpufleet::report
