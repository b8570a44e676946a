// `gpufleet ledger keygen|verify|witness` end to end: the binary run as a user would, on
// exports and checkpoints made with the ledger library from keys the binary generated.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "gpufleet/ledger/base64.h"
#include "gpufleet/ledger/export_file.h"
#include "gpufleet/ledger/key_file.h"
#include "gpufleet/ledger/memory_log.h"
#include "gpufleet/ledger/merkle.h"
#include "gpufleet/ledger/wire.h"
#include "support/cli_runner.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kOrigin[] = "fleet.example/ledger";

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

class LedgerCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const CliResult r = RunGpufleet("ledger keygen --out " + dir_ + "/log.key --name " + kOrigin);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    log_vkey_ = Trimmed(r.out);
  }

  // A log of `n` entries signed with the key keygen wrote.
  ledger::MemoryLog Log(uint64_t n, const std::string& tag = "") {
    Result<ledger::NoteSigner> key = ledger::ReadSignerKeyFile(dir_ + "/log.key");
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    ledger::MemoryLog log(std::move(*key));
    for (uint64_t i = 0; i < n; ++i) {
      log.Append("{\"change\":" + std::to_string(i) + (i == 7 ? tag : "") + "}");
    }
    return log;
  }

  std::string Export(ledger::LogSource& log, const std::string& name) {
    const std::string path = dir_ + "/" + name;
    EXPECT_TRUE(ledger::WriteExport(log, path).ok());
    return path;
  }

  std::string dir_ = FreshDir("ledger_cli");
  std::string log_vkey_;
};

TEST_F(LedgerCommandTest, KeygenWritesAPrivateFileAndPrintsTheVerifierKey) {
  EXPECT_THAT(log_vkey_, ::testing::StartsWith(std::string(kOrigin) + "+"));
  struct stat st {};
  ASSERT_EQ(::stat((dir_ + "/log.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Result<ledger::NoteSigner> key = ledger::ReadSignerKeyFile(dir_ + "/log.key");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->verifier().ToString(), log_vkey_) << "the printed key is the file's public half";

  const std::string before = ReadFile(dir_ + "/log.key");
  const CliResult again = RunGpufleet("ledger keygen --out " + dir_ + "/log.key --name other");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("never overwritten"));
  EXPECT_EQ(ReadFile(dir_ + "/log.key"), before);
  const CliResult bad_name = RunGpufleet("ledger keygen --out " + dir_ + "/x.key --name 'a b'");
  EXPECT_EQ(bad_name.exit_code, 1);
}

TEST_F(LedgerCommandTest, VerifyExitsZeroThreeOrOne) {
  ledger::MemoryLog log = Log(50);
  const std::string path = Export(log, "log.export");
  CliResult ok = RunGpufleet("ledger verify --export " + path + " --key " + log_vkey_);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("verified: log 'fleet.example/ledger', 50 entries"));

  // The key from a file, JSON out.
  WriteText(dir_ + "/log.vkey", log_vkey_ + "\n");
  CliResult json =
      RunGpufleet("ledger verify --json --export " + path + " --key " + dir_ + "/log.vkey");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j.at("verified"), true);
  EXPECT_EQ(j.at("size"), 50);
  const ledger::Hash root = ledger::TreeHash(50, log.hashes()).value();
  EXPECT_EQ(j.at("root"),
            ledger::Base64Encode(std::string(reinterpret_cast<const char*>(root.data()), 32)));

  // Entry 7 changed in the file (still valid base64): exit 3, and the message says why.
  std::string text = ReadFile(path);
  const std::string line7 = ledger::Base64Encode("{\"change\":7}") + "\n";
  text.replace(text.find(line7), line7.size(), ledger::Base64Encode("{\"change\":8}") + "\n");
  WriteText(dir_ + "/tampered.export", text);
  CliResult bad =
      RunGpufleet("ledger verify --export " + dir_ + "/tampered.export --key " + log_vkey_);
  EXPECT_EQ(bad.exit_code, 3) << bad.err;
  EXPECT_THAT(bad.err, HasSubstr("verification failed: the head recomputed from the 50 entries"));
  CliResult bad_json =
      RunGpufleet("ledger verify --json --export " + dir_ + "/tampered.export --key " + log_vkey_);
  EXPECT_EQ(bad_json.exit_code, 3);
  EXPECT_EQ(nlohmann::json::parse(bad_json.out).at("verified"), false);

  // Usage and I/O: exit 1.
  EXPECT_EQ(RunGpufleet("ledger verify --export " + dir_ + "/missing --key " + log_vkey_).exit_code,
            1);
  EXPECT_EQ(RunGpufleet("ledger verify --export " + path + " --key not-a-key").exit_code, 1);
  // Another log's key: the signature is not by a known key, a verification failure.
  const CliResult other_key =
      RunGpufleet("ledger keygen --out " + dir_ + "/o.key --name " + kOrigin);
  CliResult wrong =
      RunGpufleet("ledger verify --export " + path + " --key " + Trimmed(other_key.out));
  EXPECT_EQ(wrong.exit_code, 3);
  EXPECT_THAT(wrong.err, HasSubstr("no signature by a known key"));
}

TEST_F(LedgerCommandTest, SavedCheckpointCatchesARewrite) {
  ledger::MemoryLog log = Log(40);
  const std::string saved = dir_ + "/saved.note";
  // The first audit saves the checkpoint it verified.
  const std::string early = Export(log, "early.export");
  CliResult first = RunGpufleet("ledger verify --export " + early + " --key " + log_vkey_ +
                                " --save-checkpoint " + saved);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(ReadFile(saved), log.ReadCheckpoint().value());

  // The honest log grows: the next audit passes and names the saved size.
  ledger::MemoryLog grown = Log(60);
  const std::string later = Export(grown, "later.export");
  CliResult next = RunGpufleet("ledger verify --export " + later + " --key " + log_vkey_ +
                               " --saved-checkpoint " + saved);
  EXPECT_EQ(next.exit_code, 0) << next.err;
  EXPECT_THAT(next.out, HasSubstr("extends the saved checkpoint of 40 entries"));

  // A rewritten history (entry 7 changed, everything re-signed): exit 3.
  ledger::MemoryLog rewritten = Log(60, ",\"rewritten\":true");
  const std::string forged = Export(rewritten, "forged.export");
  EXPECT_EQ(RunGpufleet("ledger verify --export " + forged + " --key " + log_vkey_).exit_code, 0)
      << "consistent on its own";
  CliResult caught = RunGpufleet("ledger verify --export " + forged + " --key " + log_vkey_ +
                                 " --saved-checkpoint " + saved);
  EXPECT_EQ(caught.exit_code, 3);
  EXPECT_THAT(caught.err, HasSubstr("the first 40 entries do not match the saved checkpoint"));
}

TEST_F(LedgerCommandTest, WitnessCosignsExtensionsAndRefusesTheRest) {
  const CliResult wkey =
      RunGpufleet("ledger keygen --out " + dir_ + "/witness.key --name witness.example");
  ASSERT_EQ(wkey.exit_code, 0);
  const std::string witness_vkey = Trimmed(wkey.out);
  const std::string base = "ledger witness --state " + dir_ + "/w.state --key " + dir_ +
                           "/witness.key --log-key " + log_vkey_;
  ledger::MemoryLog log = Log(30);

  WriteText(dir_ + "/c10.note", log.SignedCheckpoint(10).value());
  CliResult first = RunGpufleet(base + " --checkpoint " + dir_ + "/c10.note");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("\xE2\x80\x94 witness.example "));

  WriteText(dir_ + "/c30.note", log.SignedCheckpoint(30).value());
  WriteText(dir_ + "/p10-30.json",
            ledger::EncodeConsistencyProof(
                {10, 30, ledger::ConsistencyProof(10, 30, log.hashes()).value()}));
  CliResult missing = RunGpufleet(base + " --checkpoint " + dir_ + "/c30.note");
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_THAT(missing.err, HasSubstr("needs a consistency proof from the cosigned size 10"));
  CliResult grown =
      RunGpufleet(base + " --checkpoint " + dir_ + "/c30.note --proof " + dir_ + "/p10-30.json");
  ASSERT_EQ(grown.exit_code, 0) << grown.err;

  // An export whose checkpoint is the cosigned note verifies with the witness required.
  Result<std::unique_ptr<ledger::ExportWriter>> w =
      ledger::ExportWriter::Create(dir_ + "/witnessed.export", grown.out);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  for (const std::string& e : log.entries()) ASSERT_TRUE((*w)->Append(e).ok());
  ASSERT_TRUE((*w)->Finish().ok());
  CliResult witnessed = RunGpufleet("ledger verify --export " + dir_ + "/witnessed.export --key " +
                                    log_vkey_ + " --witness-key " + witness_vkey);
  EXPECT_EQ(witnessed.exit_code, 0) << witnessed.err;
  EXPECT_THAT(witnessed.out, HasSubstr("cosigned by witness witness.example+"));
  CliResult unwitnessed = RunGpufleet("ledger verify --export " + Export(log, "plain.export") +
                                      " --key " + log_vkey_ + " --witness-key " + witness_vkey);
  EXPECT_EQ(unwitnessed.exit_code, 3);

  // Rollback and rewrite: refused with exit 3, the state untouched.
  const std::string state = ReadFile(dir_ + "/w.state");
  CliResult rollback = RunGpufleet(base + " --checkpoint " + dir_ + "/c10.note");
  EXPECT_EQ(rollback.exit_code, 3);
  EXPECT_THAT(rollback.err, HasSubstr("rollback"));
  ledger::MemoryLog rewritten = Log(40, ",\"rewritten\":true");
  WriteText(dir_ + "/r40.note", rewritten.SignedCheckpoint(40).value());
  WriteText(dir_ + "/r30-40.json",
            ledger::EncodeConsistencyProof(
                {30, 40, ledger::ConsistencyProof(30, 40, rewritten.hashes()).value()}));
  CliResult rewrite =
      RunGpufleet(base + " --checkpoint " + dir_ + "/r40.note --proof " + dir_ + "/r30-40.json");
  EXPECT_EQ(rewrite.exit_code, 3);
  EXPECT_THAT(rewrite.err, HasSubstr("rewrote history"));
  EXPECT_EQ(ReadFile(dir_ + "/w.state"), state);

  // A private key file others can read is refused before anything else.
  ASSERT_EQ(::chmod((dir_ + "/witness.key").c_str(), 0644), 0);
  CliResult open_key = RunGpufleet(base + " --checkpoint " + dir_ + "/c30.note");
  EXPECT_EQ(open_key.exit_code, 1);
  EXPECT_THAT(open_key.err, HasSubstr("chmod 600"));
}

}  // namespace
}  // namespace gpufleet::testing
