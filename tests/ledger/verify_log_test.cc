// VerifyLog over export files: an honest log verifies; every tampering with the entries is
// caught and named; a saved checkpoint catches rewrites, forks and truncation that the log's
// own signature cannot; witnesses' cosignatures are required when asked for.

#include "gpufleet/ledger/verify_log.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "gpufleet/ledger/base64.h"
#include "gpufleet/ledger/export_file.h"
#include "gpufleet/ledger/merkle.h"
#include "gpufleet/ledger/note.h"
#include "ledger/test_log.h"
#include "support/cli_runner.h"

namespace gpufleet::ledger {
namespace {

using testing::NewSigner;
using testing::RandomLog;

constexpr char kOrigin[] = "fleet.example/ledger";
constexpr uint64_t kSeed = 77;
constexpr uint64_t kSize = 200;

// The lines of a file, each without its newline.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  for (size_t start = 0; start < text.size();) {
    const size_t eol = text.find('\n', start);
    out.push_back(text.substr(start, eol - start));
    start = eol + 1;
  }
  return out;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) {
    out += l;
    out += '\n';
  }
  return out;
}

bool Contains(const Status& s, const std::string& part) {
  return s.message().find(part) != std::string::npos;
}

class VerifyLogTest : public ::testing::Test {
 protected:
  VerifyLogTest() : log_(RandomLog(NewSigner(kOrigin), kSize, kSeed)) {
    keys_.push_back(log_.verifier());
  }

  // Writes the export of `log`'s latest checkpoint and returns its path.
  std::string Export(LogSource& log, const std::string& name) {
    const std::string path = dir_ + "/" + name;
    const Status s = WriteExport(log, path);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return path;
  }

  Status Verify(const std::string& path, const VerifyOptions& options = {}) {
    Result<std::unique_ptr<FileLogSource>> source = FileLogSource::Open(path);
    if (!source.ok()) return source.status();
    Result<LogVerification> v = VerifyLog(**source, keys_, options);
    return v.ok() ? Status::Ok() : v.status();
  }

  // The export with its entry lines replaced by `edit` (which gets entry i at lines[i]).
  std::string Tampered(const std::string& path, const std::string& name,
                       const std::function<void(std::vector<std::string>&)>& edit) {
    std::vector<std::string> lines = Lines(gpufleet::testing::ReadFile(path));
    const size_t first = lines.size() - kSize;
    std::vector<std::string> entries(lines.begin() + static_cast<ptrdiff_t>(first), lines.end());
    edit(entries);
    lines.resize(first);
    lines.insert(lines.end(), entries.begin(), entries.end());
    const std::string out = dir_ + "/" + name;
    std::ofstream(out, std::ios::binary) << Join(lines);
    return out;
  }

  std::string dir_ = gpufleet::testing::FreshDir("ledger_verify");
  MemoryLog log_;
  std::vector<NoteVerifier> keys_;
};

TEST_F(VerifyLogTest, HonestLogVerifies) {
  const std::string path = Export(log_, "log.export");
  Result<std::unique_ptr<FileLogSource>> source = FileLogSource::Open(path);
  ASSERT_TRUE(source.ok());
  Result<LogVerification> v = VerifyLog(**source, keys_);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->checkpoint.size, kSize);
  EXPECT_EQ(v->checkpoint.origin, kOrigin);
  EXPECT_EQ(v->checkpoint.root, TreeHash(kSize, log_.hashes()).value());
  // The memory log is a source too.
  EXPECT_TRUE(VerifyLog(log_, keys_).ok());
}

TEST_F(VerifyLogTest, EmptyLogVerifies) {
  MemoryLog empty(NewSigner(kOrigin));
  keys_ = {empty.verifier()};
  const std::string path = Export(empty, "empty.export");
  EXPECT_TRUE(Verify(path).ok()) << Verify(path).ToString();
}

// Seeded random tampering: one entry changed, removed, duplicated, inserted, or two swapped.
// Each is refused as Corruption.
TEST_F(VerifyLogTest, EveryTamperingIsCaught) {
  const std::string path = Export(log_, "log.export");
  Rng rng(kSeed);
  for (int trial = 0; trial < 60; ++trial) {
    const uint64_t i = rng.Uniform(kSize);
    uint64_t j = rng.Uniform(kSize);
    while (log_.entries()[j] == log_.entries()[i]) j = rng.Uniform(kSize);  // a real change
    const int kind = trial % 5;
    const std::string tampered = Tampered(path, "t.export", [&](std::vector<std::string>& e) {
      switch (kind) {
        case 0:  // a changed entry, still valid base64
          e[i] = Base64Encode(*Base64Decode(e[i]) + "!");
          break;
        case 1:  // a swap: same entries, another order
          std::swap(e[i], e[j]);
          break;
        case 2:  // an entry removed and the last duplicated, so the count still holds
          e.erase(e.begin() + static_cast<ptrdiff_t>(i));
          e.push_back(e.back());
          break;
        case 3:  // an entry inserted, the last dropped
          e.insert(e.begin() + static_cast<ptrdiff_t>(i), Base64Encode("forged"));
          e.pop_back();
          break;
        default:  // an entry duplicated over another
          e[j] = e[i];
          break;
      }
    });
    const Status s = Verify(tampered);
    ASSERT_FALSE(s.ok()) << "seed " << kSeed << " trial " << trial << " kind " << kind << " at "
                         << i << "," << j;
    EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
    EXPECT_TRUE(Contains(s, "the checkpoint of size 200 signs")) << s.message();
  }
}

TEST_F(VerifyLogTest, WrongKeyOrForgedSignatureIsCaught) {
  const std::string path = Export(log_, "log.export");
  // Another key with the same name: the signature is not by a known key.
  MemoryLog impostor = RandomLog(NewSigner(kOrigin), kSize, kSeed);
  const std::string forged = Export(impostor, "forged.export");
  const Status s = Verify(forged);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_TRUE(Contains(s, "no signature by a known key")) << s.message();
  // The real checkpoint with its size edited (the byte count stays right).
  std::string text = gpufleet::testing::ReadFile(path);
  text.replace(text.find("\n200\n"), 5, "\n199\n");
  std::ofstream(dir_ + "/edited.export", std::ios::binary) << text;
  EXPECT_EQ(Verify(dir_ + "/edited.export").code(), Status::Code::kCorruption);
}

TEST_F(VerifyLogTest, SavedCheckpointsThatAreAPrefixPass) {
  const std::string path = Export(log_, "log.export");
  for (const uint64_t size : {uint64_t{0}, uint64_t{1}, uint64_t{64}, uint64_t{137}, kSize}) {
    VerifyOptions options;
    options.saved_checkpoint = log_.SignedCheckpoint(size).value();
    Result<std::unique_ptr<FileLogSource>> source = FileLogSource::Open(path);
    ASSERT_TRUE(source.ok());
    Result<LogVerification> v = VerifyLog(**source, keys_, options);
    ASSERT_TRUE(v.ok()) << "saved size " << size << ": " << v.status().ToString();
    ASSERT_TRUE(v->saved.has_value());
    EXPECT_EQ(v->saved->size, size);
  }
}

// The log rewrote entry 30 and re-signed: its own checkpoint verifies, the saved one does not.
TEST_F(VerifyLogTest, SavedCheckpointCatchesARewrittenHistory) {
  // Two logs under one key: the honest history and the rewrite.
  Result<NoteKeyPair> pair = GenerateNoteKey(kOrigin);
  ASSERT_TRUE(pair.ok());
  MemoryLog honest(NoteSigner::Parse(pair->signer_key).value());
  MemoryLog forked(NoteSigner::Parse(pair->signer_key).value());
  Rng rng(kSeed);
  for (uint64_t i = 0; i < kSize; ++i) {
    const std::string e = testing::RandomEntry(rng, i);
    honest.Append(e);
    forked.Append(i == 30 ? e + "rewritten" : e);
  }
  keys_ = {honest.verifier()};
  const std::string path = Export(forked, "forked.export");
  ASSERT_TRUE(Verify(path).ok()) << "the rewrite is consistently signed";

  VerifyOptions options;
  options.saved_checkpoint = honest.SignedCheckpoint(100).value();
  const Status s = Verify(path, options);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_TRUE(Contains(s, "the first 100 entries do not match the saved checkpoint of size 100"))
      << s.message();
  EXPECT_TRUE(Contains(s, "before index 100")) << s.message();

  // Saved at the same size as the fork's checkpoint: a fork, caught before reading entries.
  options.saved_checkpoint = honest.SignedCheckpoint(kSize).value();
  const Status fork = Verify(path, options);
  EXPECT_TRUE(Contains(fork, "forked")) << fork.message();

  // Saved before the rewritten entry: still a prefix; the rewrite is after what was saved.
  options.saved_checkpoint = honest.SignedCheckpoint(30).value();
  EXPECT_TRUE(Verify(path, options).ok());
}

// Truncation to an earlier, validly signed checkpoint verifies on its own (docs/ledger.md,
// "What it cannot prove"); a saved later checkpoint catches it.
TEST_F(VerifyLogTest, SavedCheckpointCatchesTruncation) {
  Result<NoteKeyPair> pair = GenerateNoteKey(kOrigin);
  ASSERT_TRUE(pair.ok());
  MemoryLog full(NoteSigner::Parse(pair->signer_key).value());
  MemoryLog truncated(NoteSigner::Parse(pair->signer_key).value());
  Rng rng(kSeed);
  for (uint64_t i = 0; i < kSize; ++i) {
    const std::string e = testing::RandomEntry(rng, i);
    full.Append(e);
    if (i < 150) truncated.Append(e);
  }
  keys_ = {full.verifier()};
  const std::string path = Export(truncated, "truncated.export");
  ASSERT_TRUE(Verify(path).ok());
  VerifyOptions options;
  options.saved_checkpoint = full.SignedCheckpoint(170).value();
  const Status s = Verify(path, options);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_TRUE(Contains(s, "saved checkpoint has size 170 but the log's checkpoint only size 150"))
      << s.message();
}

TEST_F(VerifyLogTest, SavedCheckpointOfAnotherLogOrKeyIsRefused) {
  const std::string path = Export(log_, "log.export");
  VerifyOptions options;
  MemoryLog other = RandomLog(NewSigner("other.example/log"), 10, 1);
  options.saved_checkpoint = other.SignedCheckpoint(5).value();
  const Status s = Verify(path, options);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_TRUE(Contains(s, "saved checkpoint:")) << s.message();
}

TEST_F(VerifyLogTest, WitnessCosignaturesAreRequiredWhenNamed) {
  const NoteSigner witness = NewSigner("witness.example");
  VerifyOptions options;
  options.witnesses.push_back(witness.verifier());
  const std::string path = Export(log_, "log.export");
  const Status unwitnessed = Verify(path, options);
  EXPECT_EQ(unwitnessed.code(), Status::Code::kCorruption);
  EXPECT_TRUE(Contains(unwitnessed, "not cosigned by witness witness.example+"))
      << unwitnessed.message();

  // The same export with the witness's line added to its checkpoint.
  const std::string note = log_.ReadCheckpoint().value();
  Result<Note> opened = OpenNote(note, keys_);
  ASSERT_TRUE(opened.ok());
  const std::string cosigned = AddNoteSignature(*opened, witness).value();
  Result<std::unique_ptr<ExportWriter>> w = ExportWriter::Create(dir_ + "/w.export", cosigned);
  ASSERT_TRUE(w.ok());
  for (const std::string& e : log_.entries()) ASSERT_TRUE((*w)->Append(e).ok());
  ASSERT_TRUE((*w)->Finish().ok());
  Result<std::unique_ptr<FileLogSource>> source = FileLogSource::Open(dir_ + "/w.export");
  ASSERT_TRUE(source.ok());
  Result<LogVerification> v = VerifyLog(**source, keys_, options);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->witnessed_by, std::vector<std::string>{witness.verifier().Id()});
}

TEST_F(VerifyLogTest, UnreadableSourceIsNotAVerificationFailure) {
  EXPECT_EQ(Verify(dir_ + "/missing.export").code(), Status::Code::kIOError);
}

}  // namespace
}  // namespace gpufleet::ledger
