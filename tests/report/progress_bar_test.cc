#include "gpufleet/report/progress_bar.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>

namespace gpufleet::report {
namespace {

TEST(ProgressBarTest, DisabledWritesNothing) {
  std::ostringstream out;
  ProgressBar bar(out, /*enabled=*/false);
  bar.Update(3, 10, "runs");
  bar.Update(10, 10, "runs");
  bar.Finish();
  EXPECT_EQ(out.str(), "");
}

TEST(ProgressBarTest, EnabledDrawsCountsLabelAndPercent) {
  std::ostringstream out;
  ProgressBar bar(out, /*enabled=*/true);
  bar.Update(3, 10, "runs");
  const std::string line = out.str();
  EXPECT_EQ(line.front(), '\r');
  EXPECT_NE(line.find("3/10"), std::string::npos) << line;
  EXPECT_NE(line.find("runs"), std::string::npos) << line;
  EXPECT_NE(line.find(" 30%"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos) << "a bar redraws in place";
  // 3 of 10 over a 30-cell bar: 9 filled cells.
  EXPECT_NE(line.find("[#########-"), std::string::npos) << line;
  EXPECT_EQ(line.find("##########"), std::string::npos) << line;
}

TEST(ProgressBarTest, IdenticalUpdateIsNotRedrawn) {
  std::ostringstream out;
  ProgressBar bar(out, true);
  bar.Update(3, 10, "runs");
  const std::string once = out.str();
  bar.Update(3, 10, "runs");
  EXPECT_EQ(out.str(), once);
}

TEST(ProgressBarTest, ShorterLineBlanksTheRestOfTheLongerOne) {
  std::ostringstream out;
  ProgressBar bar(out, true);
  bar.Update(1, 10, "a-long-label");
  const size_t first = out.str().size();
  bar.Update(2, 10, "x");
  const std::string second = out.str().substr(first);
  EXPECT_EQ(second.size(), first) << "same visible width, so nothing stale is left";
  EXPECT_EQ(second.back(), ' ');
}

TEST(ProgressBarTest, FinishEndsTheLineOnce) {
  std::ostringstream out;
  ProgressBar bar(out, true);
  bar.Update(10, 10, "runs");
  bar.Finish();
  bar.Finish();
  const std::string text = out.str();
  EXPECT_NE(text.find("10/10"), std::string::npos);
  EXPECT_NE(text.find("100%"), std::string::npos);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find('\n'), text.size() - 1);
}

TEST(ProgressBarTest, FinishWithoutUpdateWritesNothing) {
  std::ostringstream out;
  ProgressBar bar(out, true);
  bar.Finish();
  EXPECT_EQ(out.str(), "");
}

TEST(ProgressBarTest, ZeroTotalAndOvershootDoNotBreakTheBar) {
  std::ostringstream out;
  ProgressBar bar(out, true);
  bar.Update(0, 0, "runs");
  EXPECT_NE(out.str().find("0/0"), std::string::npos);
  bar.Update(12, 10, "runs");
  EXPECT_NE(out.str().find("10/10"), std::string::npos) << "done is clamped to total";
}

TEST(IsTerminalTest, FilesAndNullAreNotTerminals) {
  EXPECT_FALSE(IsTerminal(nullptr));
  FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  EXPECT_FALSE(IsTerminal(f));
  std::fclose(f);
}

}  // namespace
}  // namespace gpufleet::report
