// The README walk-through, run for real: a gpufleetd on a demo fleet (its own SQLite store in a
// fresh directory, any free port) and the `gpufleet` client commands against it, with the
// tokens a user would use. Checks what the walk-through promises: the demo tenants exist, a
// tenant token submits jobs that get placed, a pending job says why, an impossible job is
// refused with exit 2, another tenant cannot see the job, cancelling frees the capacity, and
// the fleet views and --json agree with it.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "support/cli_runner.h"
#include "support/daemon_process.h"

namespace gpufleet {
namespace {

using testing::CliResult;
using testing::DaemonProcess;
using testing::RunGpufleet;

class ClientWalkthroughTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshDir("client_walkthrough");
    Result<std::unique_ptr<DaemonProcess>> d =
        DaemonProcess::Start({.args = {"--demo-gpus", "1024", "--store", dir_ + "/gpufleet.db",
                                       "--port", "0", "--admin-token-file", dir_ + "/admin-token"},
                              .stderr_path = dir_ + "/gpufleetd.err",
                              .tmpdir = dir_,
                              .start_deadline = std::chrono::milliseconds(120000)});
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    daemon_ = std::move(*d);
    url_ = " --url http://127.0.0.1:" + std::to_string(daemon_->port());
  }

  // `gpufleet <command> --url … --token <token> <rest>`.
  CliResult As(const std::string& token, const std::string& command, const std::string& rest) {
    return RunGpufleet(command + url_ + " --token " + token + " " + rest);
  }

  nlohmann::json JobJson(const std::string& token, int id) {
    CliResult r = As(token, "job get", std::to_string(id) + " --json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  }

  // The scheduler is notified by every submission and cancellation, and passes at least once
  // a second: wait (bounded) for the job to reach `state`, re-reading it through the CLI.
  nlohmann::json AwaitState(const std::string& token, int id, const std::string& state) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    nlohmann::json job = JobJson(token, id);
    while (job.value("state", "") != state && std::chrono::steady_clock::now() < deadline) {
      job = JobJson(token, id);
    }
    return job;
  }

  std::string dir_;
  std::string url_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(ClientWalkthroughTest, SubmitWatchPlacedExplainCancel) {
  const std::string admin = daemon_->admin_token();
  EXPECT_EQ(testing::ReadFile(dir_ + "/admin-token"), admin + "\n");

  CliResult tenants = As(admin, "tenant list", "");
  ASSERT_EQ(tenants.exit_code, 0) << tenants.err;
  for (const char* t : {"llm-training", "chat-inference", "ads-reco", "cloud-customer"}) {
    EXPECT_NE(tenants.out.find(t), std::string::npos) << t << " missing from\n" << tenants.out;
  }
  CliResult sites = As(admin, "fleet sites", "");
  ASSERT_EQ(sites.exit_code, 0) << sites.err;
  EXPECT_NE(sites.out.find("country"), std::string::npos) << sites.out;

  CliResult token = As(admin, "tenant token", "llm-training");
  ASSERT_EQ(token.exit_code, 0) << token.err;
  const std::string llm = token.out.substr(0, token.out.find_first_of("\n"));
  ASSERT_EQ(llm.rfind("gf_", 0), 0u) << token.out;
  CliResult other = As(admin, "tenant token", "chat-inference");
  ASSERT_EQ(other.exit_code, 0) << other.err;
  const std::string chat = other.out.substr(0, other.out.find_first_of("\n"));

  CliResult submitted = As(llm, "job submit", "--name sft --gpus 8 --replicas 2 --duration 600");
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_NE(submitted.out.find("job 1 submitted"), std::string::npos) << submitted.out;

  nlohmann::json job = AwaitState(llm, 1, "running");
  ASSERT_EQ(job.value("state", ""), "running") << job.dump();
  ASSERT_EQ(job["placements"].size(), 2u) << job.dump();
  const std::string node = job["placements"][0]["node"];
  CliResult placements = As(llm, "fleet placements", "");
  ASSERT_EQ(placements.exit_code, 0) << placements.err;
  EXPECT_NE(placements.out.find(node), std::string::npos) << placements.out;

  // More than the fleet's model could ever hold: refused at submission (422, a refusal like any
  // 4xx: exit 2), nothing stored.
  const std::string model = job["placements"][0]["model"];
  CliResult huge = As(llm, "job submit", "--name huge --gpus 8 --replicas 500 --model " + model);
  EXPECT_EQ(huge.exit_code, 2);
  EXPECT_NE(huge.err.find("HTTP 422 unschedulable"), std::string::npos) << huge.err;

  // Fits the fleet but not what is free next to the running job: pending, with counts.
  CliResult list = As(admin, "fleet models", "--json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  int64_t model_gpus = 0;
  const nlohmann::json models = nlohmann::json::parse(list.out);
  for (const nlohmann::json& m : models["models"]) {
    if (m["id"] == model) model_gpus = m["gpus"].get<int64_t>();
  }
  ASSERT_GT(model_gpus, 16) << model << " in\n" << list.out;
  CliResult big =
      As(llm, "job submit",
         "--name big --gpus 8 --replicas " + std::to_string(model_gpus / 8) + " --model " + model);
  ASSERT_EQ(big.exit_code, 0) << big.err;
  nlohmann::json pending = JobJson(llm, 2);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (pending["pending_reason"].is_null() && std::chrono::steady_clock::now() < deadline) {
    pending = JobJson(llm, 2);
  }
  ASSERT_EQ(pending.value("state", ""), "pending") << pending.dump();
  ASSERT_TRUE(pending["pending_reason"].is_string()) << pending.dump();
  EXPECT_NE(pending["pending_reason"].get<std::string>().find("GPUs"), std::string::npos)
      << pending.dump();

  // Another tenant neither sees nor cancels it; without a token nothing is served.
  CliResult peek = As(chat, "job get", "1");
  EXPECT_EQ(peek.exit_code, 2);
  EXPECT_NE(peek.err.find("HTTP 404"), std::string::npos) << peek.err;
  EXPECT_EQ(As(chat, "job cancel", "1").exit_code, 2);
  CliResult anonymous = RunGpufleet("job list" + url_ + " --token ''");
  EXPECT_EQ(anonymous.exit_code, 2);
  EXPECT_NE(anonymous.err.find("HTTP 401"), std::string::npos) << anonymous.err;

  CliResult cancelled = As(llm, "job cancel", "1");
  ASSERT_EQ(cancelled.exit_code, 0) << cancelled.err;
  EXPECT_EQ(JobJson(llm, 1).value("state", ""), "cancelled");
  CliResult mine = As(llm, "job list", "--json");
  ASSERT_EQ(mine.exit_code, 0) << mine.err;
  EXPECT_EQ(nlohmann::json::parse(mine.out)["jobs"].size(), 2u) << mine.out;
  CliResult events = As(llm, "fleet events", "--job 1");
  ASSERT_EQ(events.exit_code, 0) << events.err;
  for (const char* kind : {"submitted", "started", "cancelled"}) {
    EXPECT_NE(events.out.find(kind), std::string::npos) << kind << " missing from\n" << events.out;
  }
}

// `tenant put` on an existing tenant changes only the flags given (no --name or --org needed),
// and the cap it sets holds the tenant's next submission: refused, exit 2, naming the field.
TEST_F(ClientWalkthroughTest, TenantPutUpdatesOnlyWhatItIsGivenAndTheCapHolds) {
  const std::string admin = daemon_->admin_token();
  CliResult before = As(admin, "tenant get", "llm-training --json");
  ASSERT_EQ(before.exit_code, 0) << before.err;
  const nlohmann::json old_tenant = nlohmann::json::parse(before.out);

  CliResult put = As(admin, "tenant put", "llm-training --priority 7 --max-job-priority 3 --json");
  ASSERT_EQ(put.exit_code, 0) << put.err;
  const nlohmann::json updated = nlohmann::json::parse(put.out);
  EXPECT_EQ(updated["name"], old_tenant["name"]);
  EXPECT_EQ(updated["org"], old_tenant["org"]);
  EXPECT_EQ(updated["priority"], 7);
  EXPECT_EQ(updated["max_job_priority"], 3);

  CliResult new_unnamed = As(admin, "tenant put", "newcomer --org acme");
  EXPECT_EQ(new_unnamed.exit_code, 2) << new_unnamed.err;
  EXPECT_NE(new_unnamed.err.find("missing required field 'name'"), std::string::npos)
      << new_unnamed.err;

  CliResult token = As(admin, "tenant token", "llm-training");
  ASSERT_EQ(token.exit_code, 0) << token.err;
  const std::string llm = token.out.substr(0, token.out.find('\n'));
  CliResult over = As(llm, "job submit", "--name urgent --gpus 1 --priority 4");
  EXPECT_EQ(over.exit_code, 2) << over.err;
  EXPECT_NE(over.err.find("max_job_priority 3"), std::string::npos) << over.err;
  EXPECT_EQ(As(llm, "job submit", "--name fine --gpus 1 --priority 3").exit_code, 0);
}

// The token commands a new user would run: a viewer token for a dashboard, listed without its
// secret, revoked; exit 2 for what the server refuses.
TEST_F(ClientWalkthroughTest, TokenCreateListWhoamiRevoke) {
  const std::string admin = daemon_->admin_token();
  const CliResult created = As(admin, "token create", "--role viewer --name dash");
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string viewer = created.out.substr(0, created.out.find('\n'));
  ASSERT_EQ(viewer.rfind("gf_", 0), 0u) << created.out;

  const CliResult me = As(viewer, "token whoami", "--json");
  ASSERT_EQ(me.exit_code, 0) << me.err;
  const nlohmann::json who = nlohmann::json::parse(me.out, nullptr, false);
  EXPECT_EQ(who.value("role", ""), "viewer");
  const std::string id = who.value("id", "");

  const CliResult list = As(admin, "token list", "");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(id), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find("gf_"), std::string::npos) << "a secret in the listing:\n" << list.out;

  EXPECT_EQ(As(viewer, "token list", "").exit_code, 2);  // 403: viewers do not manage tokens
  EXPECT_EQ(As(admin, "token create", "--role viewer --name dash").exit_code, 2);  // 409
  const CliResult revoked = As(admin, "token revoke", id);
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_NE(revoked.out.find("revoked"), std::string::npos) << revoked.out;
  EXPECT_EQ(As(admin, "token get", "tok_0000000000000000").exit_code, 2);  // 404
}

}  // namespace
}  // namespace gpufleet
