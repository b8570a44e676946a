// Tamper evidence end to end (docs/ledger.md, "Threat model"): a gpufleetd signs its inventory
// ledger; its stopped database is then edited directly in many random ways — an entry's serial
// or site changed, rows deleted, swapped or duplicated, the log truncated, a checkpoint
// replaced — and `gpufleet ledger verify --store` with the verifier key and the checkpoint an
// auditor saved catches every edit (exit 3). Truncation back to an earlier, validly signed
// checkpoint passes without a saved checkpoint and is caught with one. gpufleetd itself refuses
// to start on an edited log.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>

#include "support/cli_runner.h"
#include "support/daemon_process.h"
#include "support/signed_daemon.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;

// Runs `sql` on the SQLite file at `path`; "" when it worked, else SQLite's message.
std::string Sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return "cannot open " + path;
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = rc == SQLITE_OK ? "" : (error ? error : "error");
  sqlite3_free(error);
  sqlite3_close(db);
  return message;
}

class LedgerTamperTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(FreshDir("ledger_tamper"));
    verifier_ = new std::string();
    Prepare(*dir_, *verifier_);
  }

  // A signed ledger in dir/live.db, its verifier key, and two checkpoints an auditor saved:
  // early.note (the seeded log) and latest.note (three changes later).
  static void Prepare(const std::string& d, std::string& verifier) {
    const Result<std::string> key = MakeLedgerKey(d + "/ledger.key", "x/acme");
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    verifier = *key;
    Result<SignedDaemon> daemon =
        StartSignedDaemon(d, "live", d + "/ledger.key", {"--fleet", ExampleFleet()});
    ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
    const std::string& url = daemon->client_flags;
    // An auditor verifies the seeded ledger and keeps its checkpoint.
    CliResult v = RunGpufleet(
        Join({"ledger verify --key ", verifier, url, " --save-checkpoint ", d, "/early.note"}));
    ASSERT_EQ(v.exit_code, 0) << v.out << v.err;
    for (const char* serial : {"1654223000001", "1654223000002", "1322521000001"}) {
      const CliResult r = RunGpufleet(Join({"asset retire ", serial, url}));
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    ASSERT_TRUE(daemon->daemon->Stop(std::chrono::seconds(30)).ok());  // signs the last head
    // Everything in the main file, then the auditor's latest checkpoint.
    ASSERT_EQ(Sql(d + "/live.db", "PRAGMA wal_checkpoint(TRUNCATE)"), "");
    v = RunGpufleet(Join({"ledger verify --key ", verifier, " --store ", d,
                          "/live.db --save-checkpoint ", d, "/latest.note"}));
    ASSERT_EQ(v.exit_code, 0) << v.out << v.err;
    ASSERT_THAT(v.out, HasSubstr("139 entries"));
  }

  static std::string Join(std::initializer_list<std::string_view> parts) {
    std::string out;
    for (const std::string_view p : parts) out += p;
    return out;
  }

  // A copy of the signed store to edit.
  std::string Copy(const std::string& name) {
    const std::string path = *dir_ + "/" + name + ".db";
    std::filesystem::copy_file(*dir_ + "/live.db", path,
                               std::filesystem::copy_options::overwrite_existing);
    return path;
  }

  CliResult Verify(const std::string& path, const std::string& saved) {
    return RunGpufleet("ledger verify --key " + *verifier_ + " --store " + path +
                       (saved.empty() ? "" : " --saved-checkpoint " + *dir_ + "/" + saved));
  }

  static std::string* dir_;
  static std::string* verifier_;
};

std::string* LedgerTamperTest::dir_ = nullptr;
std::string* LedgerTamperTest::verifier_ = nullptr;

TEST_F(LedgerTamperTest, EveryEditOfTheLogIsCaught) {
  const std::string clean = Copy("clean");
  ASSERT_EQ(Verify(clean, "latest.note").exit_code, 0);
  std::mt19937 rng(2026);
  const int64_t size = 139;
  const auto index = [&] { return std::to_string(rng() % size); };
  const std::vector<std::pair<std::string, std::function<std::string()>>> edits = {
      {"a serial inside an entry",
       [&] {
         return "UPDATE inventory_entries SET body = replace(body, '\"serial\":\"', "
                "'\"serial\":\"X') WHERE idx = (SELECT idx FROM inventory_entries WHERE kind = "
                "'register' ORDER BY idx LIMIT 1 OFFSET " +
                std::to_string(rng() % 100) + ")";
       }},
      {"a site inside an entry",
       [&] {
         return "UPDATE inventory_entries SET body = replace(body, '\"site\":\"sh-03\"', "
                "'\"site\":\"sg-01\"') WHERE idx = (SELECT idx FROM inventory_entries WHERE body "
                "LIKE '%\"site\":\"sh-03\"%' ORDER BY idx LIMIT 1 OFFSET " +
                std::to_string(rng() % 30) + ")";
       }},
      {"a row deleted", [&] { return "DELETE FROM inventory_entries WHERE idx = " + index(); }},
      {"two rows swapped",
       [&] {
         const std::string a = index();
         std::string b = index();
         while (b == a) b = index();
         return "UPDATE inventory_entries SET body = CASE idx WHEN " + a +
                " THEN (SELECT body FROM inventory_entries WHERE idx = " + b +
                ") ELSE (SELECT body FROM inventory_entries WHERE idx = " + a +
                ") END WHERE idx IN (" + a + ", " + b + ")";
       }},
      {"a row duplicated over its neighbour",
       [&] {
         const std::string a = std::to_string(rng() % (size - 1));
         return "UPDATE inventory_entries SET body = (SELECT body FROM inventory_entries WHERE "
                "idx = " +
                a + ") WHERE idx = " + a + " + 1";
       }},
      {"the log truncated",
       [&] { return "DELETE FROM inventory_entries WHERE idx >= " + index(); }},
      {"the checkpoint's head replaced",
       [&] {
         return "UPDATE ledger_checkpoints SET note = replace(note, substr(note, instr(note, "
                "char(10) || '139' || char(10)) + 5, 4), 'AAAA') WHERE size = 139";
       }},
  };
  for (int round = 0; round < 3; ++round) {
    for (const auto& [what, make] : edits) {
      SCOPED_TRACE(what + " (round " + std::to_string(round) + ")");
      const std::string path = Copy("tampered");
      const std::string sql = make();
      ASSERT_EQ(Sql(path, sql), "") << sql;
      const CliResult r = Verify(path, "latest.note");
      EXPECT_EQ(r.exit_code, 3) << sql << "\n" << r.out << r.err;
      EXPECT_THAT(r.err, HasSubstr("verification failed")) << sql;
    }
  }
}

// Cut back to the first checkpoint, which the log's key really signed: the log is then a
// valid, shorter log. Only a checkpoint saved after it shows that entries went missing.
TEST_F(LedgerTamperTest, TruncationToAnEarlierSignedCheckpointNeedsASavedCheckpoint) {
  const std::string path = Copy("rolled_back");
  ASSERT_EQ(Sql(path,
                "DELETE FROM inventory_entries WHERE idx >= 136; "
                "DELETE FROM ledger_checkpoints WHERE size > 136"),
            "");
  const CliResult unaware = Verify(path, "");
  EXPECT_EQ(unaware.exit_code, 0) << unaware.err;
  EXPECT_THAT(unaware.out, HasSubstr("136 entries"));
  const CliResult early = Verify(path, "early.note");
  EXPECT_EQ(early.exit_code, 0) << "the early checkpoint is this very log";
  const CliResult saved = Verify(path, "latest.note");
  EXPECT_EQ(saved.exit_code, 3) << saved.out << saved.err;
}

TEST_F(LedgerTamperTest, GpufleetdRefusesToStartOnAnEditedLog) {
  const std::string path = Copy("refused");
  ASSERT_EQ(Sql(path,
                "UPDATE inventory_entries SET body = replace(body, 'sh-03', 'sg-01') "
                "WHERE idx = 40"),
            "");
  const CliResult r = RunGpufleetd("--store " + path + " --port 0 --no-scheduler --ledger-key " +
                                   *dir_ + "/ledger.key");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("inventory log: entry 40"));
}

}  // namespace
}  // namespace gpufleet::testing
