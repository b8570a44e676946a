// The initial admin token end to end: created once on an empty store, shown once and written
// mode 0600; a restart neither mints nor prints one; `gpufleet admin rotate-token` replaces it
// while gpufleetd runs (the old one refused within a second, the new one accepted); a secret
// never reaches the daemon's output after it was shown.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "support/cli_runner.h"
#include "support/daemon_process.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

int Mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 0777);
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// GET /v1/whoami with `token`: the status and body.
std::pair<int, nlohmann::json> WhoAmI(uint16_t port, const std::string& token) {
  httplib::Client client("127.0.0.1", port);
  const httplib::Result r = client.Get("/v1/whoami", {{"Authorization", "Bearer " + token}});
  if (!r) return {0, nullptr};
  return {r->status, nlohmann::json::parse(r->body, nullptr, false)};
}

DaemonOptions Daemon(const std::string& dir) {
  return {.args = {"--demo-gpus", "64", "--store", dir + "/gpufleet.db", "--port", "0",
                   "--no-scheduler", "--admin-token-file", dir + "/admin-token"},
          .stderr_path = dir + "/stderr",
          .tmpdir = dir};
}

TEST(GpufleetdAdminTokenTest, CreatedOnceShownOnceAndRotatedOnTheStore) {
  const std::string dir = FreshDir("gpufleetd_admin_token");
  std::string token;
  {
    Result<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(Daemon(dir));
    ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
    token = (*daemon)->admin_token();
    ASSERT_THAT(token, ::testing::StartsWith("gf_"));
    EXPECT_THAT((*daemon)->banner(), HasSubstr("shown this once"));
    EXPECT_EQ(FirstLine(ReadFile(dir + "/admin-token")), token);
    EXPECT_EQ(Mode(dir + "/admin-token"), 0600);
    const auto [status, me] = WhoAmI((*daemon)->port(), token);
    ASSERT_EQ(status, 200);
    EXPECT_EQ(me["role"], "admin");
    EXPECT_EQ(me["name"], "admin");
    ASSERT_TRUE((*daemon)->Stop(std::chrono::seconds(30)).ok());
  }
  // A restart: no new token, none printed (stdout or stderr); the one from the first start
  // still works.
  Result<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(Daemon(dir));
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
  EXPECT_THAT((*daemon)->banner(), Not(HasSubstr("gf_")));
  EXPECT_THAT((*daemon)->banner(), HasSubstr("is never shown again"));
  EXPECT_EQ(FirstLine(ReadFile(dir + "/admin-token")), token);
  const uint16_t port = (*daemon)->port();
  EXPECT_EQ(WhoAmI(port, token).first, 200);

  const CliResult rotated = RunGpufleet("admin rotate-token --store " + dir +
                                        "/gpufleet.db --token-file " + dir + "/rotated");
  ASSERT_EQ(rotated.exit_code, 0) << rotated.out << rotated.err;
  EXPECT_THAT(rotated.out, Not(HasSubstr("gf_")));
  EXPECT_EQ(Mode(dir + "/rotated"), 0600);
  const std::string fresh = FirstLine(ReadFile(dir + "/rotated"));
  ASSERT_THAT(fresh, ::testing::StartsWith("gf_"));
  EXPECT_NE(fresh, token);
  EXPECT_EQ(WhoAmI(port, fresh).first, 200);
  const auto rotated_at = std::chrono::steady_clock::now();
  while (WhoAmI(port, token).first != 401) {
    ASSERT_LT(std::chrono::steady_clock::now() - rotated_at, std::chrono::seconds(5))
        << "the old admin token is still accepted";
  }
  EXPECT_LT(std::chrono::steady_clock::now() - rotated_at, std::chrono::milliseconds(1500));

  // A refused request is logged with the request id it was answered with and the id of the
  // token that made it.
  httplib::Client client("127.0.0.1", port);
  const httplib::Result missing =
      client.Get("/v1/jobs/999999", {{"Authorization", "Bearer " + fresh}});
  ASSERT_TRUE(missing);
  ASSERT_EQ(missing->status, 404);
  const std::string request_id = missing->get_header_value("X-Request-Id");
  ASSERT_FALSE(request_id.empty());
  const std::string fresh_id = WhoAmI(port, fresh).second.value("id", "");
  ASSERT_TRUE((*daemon)->Stop(std::chrono::seconds(30)).ok());
  const std::string log = ReadFile(dir + "/stderr");
  EXPECT_THAT(log, HasSubstr("event=http.request request_id=" + request_id +
                             " method=GET route=/v1/jobs/{id} status=404"));
  EXPECT_THAT(log, HasSubstr("token=" + fresh_id));
  const std::string output = (*daemon)->banner() + ReadFile(dir + "/stderr");
  EXPECT_THAT(output, Not(HasSubstr(fresh)));
  EXPECT_THAT(output, Not(HasSubstr(token)));
  // Its log names events, never secrets.
  EXPECT_THAT(ReadFile(dir + "/stderr"), HasSubstr("level=info event=gpufleetd.serving"));
}

TEST(GpufleetdAdminTokenTest, RotateTokenRefusesAStoreThatIsNotThere) {
  const std::string dir = FreshDir("gpufleet_rotate_missing");
  const CliResult r = RunGpufleet("admin rotate-token --store " + dir + "/typo.db");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("no store at"));
  EXPECT_EQ(Mode(dir + "/typo.db"), -1) << "nothing created";
  const CliResult usage = RunGpufleet("admin rotate-token");
  EXPECT_EQ(usage.exit_code, 1) << usage.out << usage.err;
  EXPECT_THAT(usage.err, HasSubstr("--store"));
}

}  // namespace
}  // namespace gpufleet::testing
