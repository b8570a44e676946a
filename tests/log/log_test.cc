// Structured logs: logfmt and JSON lines with level, time, event and fields; levels filter;
// token-shaped values are redacted; concurrent writers never interleave within a line.

#include "gpufleet/log/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace gpufleet::log {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kNoon = 1'790'000'000'123;  // 2026-09-21T...:20.123Z

class LogTest : public ::testing::Test {
 protected:
  void TearDown() override { EXPECT_TRUE(Configure({}).ok()); }  // back to stderr, info
};

TEST_F(LogTest, TextIsLogfmtWithQuotedValuesWhereNeeded) {
  const std::string line =
      Render(Level::kWarn, "text", kNoon, "http.request",
             {{"request_id", "42"}, {"status", 404}, {"path", "/v1/jobs/x y"}, {"ok", false}});
  EXPECT_THAT(line, ::testing::StartsWith("ts=2026-"));
  EXPECT_THAT(line, HasSubstr(".123Z level=warn event=http.request request_id=42 status=404 "
                              "path=\"/v1/jobs/x y\" ok=false"));
}

TEST_F(LogTest, JsonIsOneObjectPerLineInFieldOrder) {
  const std::string line =
      Render(Level::kError, "json", kNoon, "scheduler.pass_failed", {{"holder", "a\"b"}});
  const nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "error");
  EXPECT_EQ(j["event"], "scheduler.pass_failed");
  EXPECT_EQ(j["holder"], "a\"b");
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_LT(line.find("\"ts\""), line.find("\"level\""));
}

TEST_F(LogTest, TokenShapedValuesAreRedacted) {
  const std::string token = "gf_" + std::string(64, 'a');
  for (const char* format : {"text", "json"}) {
    const std::string line = Render(Level::kInfo, format, kNoon, "oops", {{"value", token}});
    EXPECT_THAT(line, Not(HasSubstr(token))) << format;
    EXPECT_THAT(line, HasSubstr("[redacted]")) << format;
  }
  // Not a token: kept.
  EXPECT_THAT(Render(Level::kInfo, "text", kNoon, "e", {{"id", "tok_0123456789abcdef"}}),
              HasSubstr("id=tok_0123456789abcdef"));
}

TEST_F(LogTest, LevelsFilterAndBadOptionsChangeNothing) {
  std::ostringstream out;
  ASSERT_TRUE(Configure({.level = "warn", .format = "text", .stream = &out}).ok());
  Info("quiet");
  Warn("loud", {{"n", 1}});
  EXPECT_THAT(out.str(), Not(HasSubstr("quiet")));
  EXPECT_THAT(out.str(), HasSubstr("level=warn event=loud n=1\n"));
  EXPECT_FALSE(Enabled(Level::kInfo));
  EXPECT_TRUE(Enabled(Level::kError));

  const Status bad_level = Configure({.level = "verbose", .format = "text", .stream = &out});
  EXPECT_EQ(bad_level.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(bad_level.message(), HasSubstr("verbose"));
  EXPECT_EQ(Configure({.level = "info", .format = "xml", .stream = &out}).code(),
            Status::Code::kInvalidArgument);
  EXPECT_FALSE(Enabled(Level::kInfo)) << "a refused configuration must not apply";
  ASSERT_TRUE(Configure({.level = "off", .format = "json", .stream = &out}).ok());
  const size_t size = out.str().size();
  Error("silent");
  EXPECT_EQ(out.str().size(), size);
}

TEST_F(LogTest, ConcurrentWritersProduceWholeLines) {
  std::ostringstream out;
  ASSERT_TRUE(Configure({.level = "debug", .format = "json", .stream = &out}).ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 200; ++i) Debug("tick", {{"thread", t}, {"i", i}});
    });
  }
  for (std::thread& t : threads) t.join();
  std::istringstream lines(out.str());
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    EXPECT_EQ(j["event"], "tick");
  }
  EXPECT_EQ(count, 8 * 200);
}

}  // namespace
}  // namespace gpufleet::log
