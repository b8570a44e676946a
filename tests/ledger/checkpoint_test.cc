// Checkpoints (C2SP tlog-checkpoint): the exact text, strict parsing, one spelling per
// checkpoint, and signing and opening under the log's key.

#include "gpufleet/ledger/checkpoint.h"

#include <gtest/gtest.h>

#include <string>

#include "gpufleet/model/rng.h"
#include "ledger/concat.h"
#include "ledger/naive_merkle.h"

namespace gpufleet::ledger {
namespace {

using testing::Concat;
using testing::HashFromHex;

// The RFC 6962 head of the one-entry tree {""}.
const Hash kRoot = HashFromHex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
constexpr char kRootBase64[] = "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=";

TEST(CheckpointTest, FormatsTheSpecLayout) {
  const Checkpoint c{"fleet.example/ledger", 1, kRoot, {}};
  EXPECT_EQ(FormatCheckpoint(c),
            "fleet.example/ledger\n1\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\n");
  const Checkpoint ext{"fleet.example/ledger", 20852163, kRoot, {"— extra", "t=1"}};
  EXPECT_EQ(FormatCheckpoint(ext),
            "fleet.example/ledger\n20852163\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\n"
            "— extra\nt=1\n");
}

TEST(CheckpointTest, ParsesWhatItFormats) {
  const std::string text = Concat({"fleet.example/ledger\n0\n", kRootBase64, "\nx y\n"});
  Result<Checkpoint> c = ParseCheckpoint(text);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->origin, "fleet.example/ledger");
  EXPECT_EQ(c->size, 0u);
  EXPECT_EQ(c->root, kRoot);
  EXPECT_EQ(c->extensions, std::vector<std::string>{"x y"});
  EXPECT_EQ(FormatCheckpoint(*c), text);

  Result<Checkpoint> largest =
      ParseCheckpoint(Concat({"o\n9223372036854775807\n", kRootBase64, "\n"}));
  ASSERT_TRUE(largest.ok());
  EXPECT_EQ(largest->size, kMaxCheckpointSize);
}

TEST(CheckpointTest, RejectsEveryNonCanonicalSpelling) {
  const std::string root = Concat({kRootBase64, "\n"});
  const std::pair<std::string, std::string> cases[] = {
      {"", "newline"},
      {Concat({"o\n1\n", kRootBase64}), "newline"},
      {"o\n1\n", "lines"},
      {Concat({"\n1\n", root}), "line 1"},
      {Concat({"a b\n1\n", root}), "line 1"},
      {Concat({"a+b\n1\n", root}), "line 1"},
      {Concat({"o\n01\n", root}), "line 2"},
      {Concat({"o\n00\n", root}), "line 2"},
      {Concat({"o\n\n", root}), "line 2"},
      {Concat({"o\n-1\n", root}), "line 2"},
      {Concat({"o\n+1\n", root}), "line 2"},
      {Concat({"o\n 1\n", root}), "line 2"},
      {Concat({"o\n1 \n", root}), "line 2"},
      {Concat({"o\n1x\n", root}), "line 2"},
      {Concat({"o\n9223372036854775808\n", root}), "line 2"},
      {Concat({"o\n18446744073709551616\n", root}), "line 2"},
      {"o\n1\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0\n", "line 3"},   // no padding
      {"o\n1\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB1=\n", "line 3"},  // stray bits
      {"o\n1\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhev\n", "line 3"},      // 30 bytes
      {Concat({"o\n1\n", root, "\n"}), "line 4"},                          // empty extension
      {Concat({"o\n1\n", root, "a\rb\n"}), "line 4"},
      {Concat({"o\r\n1\n", root}), "line 1"},
  };
  for (const auto& [text, where] : cases) {
    Result<Checkpoint> c = ParseCheckpoint(text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.status().code(), Status::Code::kCorruption);
    EXPECT_NE(c.status().message().find(where), std::string::npos)
        << text << " -> " << c.status().message();
  }
}

// Any one-byte change to a checkpoint's text is refused or parses to a different checkpoint
// whose text is the changed one: no second spelling of the same checkpoint gets through.
TEST(CheckpointTest, OneByteChangesNeverKeepTheSameCheckpoint) {
  Rng rng(2024);
  for (int trial = 0; trial < 3000; ++trial) {
    Checkpoint c{"log" + std::to_string(rng.Uniform(1000)), rng.Uniform(2000000), {}, {}};
    for (uint8_t& b : c.root) b = static_cast<uint8_t>(rng.Uniform(256));
    if (rng.Uniform(3) == 0) c.extensions.push_back("ext " + std::to_string(rng.Uniform(9)));
    const std::string text = FormatCheckpoint(c);
    Result<Checkpoint> parsed = ParseCheckpoint(text);
    ASSERT_TRUE(parsed.ok()) << text;
    ASSERT_EQ(*parsed, c);
    std::string changed = text;
    const size_t at = rng.Uniform(changed.size());
    changed[at] = static_cast<char>(rng.Uniform(128));
    if (changed == text) continue;
    Result<Checkpoint> again = ParseCheckpoint(changed);
    if (again.ok()) {
      EXPECT_NE(*again, c) << "seed 2024 trial " << trial;
      EXPECT_EQ(FormatCheckpoint(*again), changed) << "seed 2024 trial " << trial;
    }
  }
}

TEST(CheckpointTest, ValidateNamesTheField) {
  EXPECT_TRUE(ValidateCheckpoint({"o", 0, {}, {}}).ok());
  EXPECT_NE(ValidateCheckpoint({"", 0, {}, {}}).message().find("origin"), std::string::npos);
  EXPECT_NE(ValidateCheckpoint({"o", kMaxCheckpointSize + 1, {}, {}}).message().find("size"),
            std::string::npos);
  EXPECT_NE(ValidateCheckpoint({"o", 0, {}, {""}}).message().find("extension line 1"),
            std::string::npos);
}

class SignedCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<NoteKeyPair> log = GenerateNoteKey("fleet.example/ledger");
    Result<NoteKeyPair> other = GenerateNoteKey("other.example/log");
    ASSERT_TRUE(log.ok() && other.ok());
    Result<NoteSigner> s = NoteSigner::Parse(log->signer_key);
    Result<NoteSigner> o = NoteSigner::Parse(other->signer_key);
    ASSERT_TRUE(s.ok() && o.ok());
    log_ = std::make_unique<NoteSigner>(std::move(*s));
    other_ = std::make_unique<NoteSigner>(std::move(*o));
  }
  std::unique_ptr<NoteSigner> log_;
  std::unique_ptr<NoteSigner> other_;
};

TEST_F(SignedCheckpointTest, OpensUnderTheLogKeyOnly) {
  const Checkpoint c{"fleet.example/ledger", 42, kRoot, {}};
  Result<std::string> signed_note = SignCheckpoint(c, *log_);
  ASSERT_TRUE(signed_note.ok()) << signed_note.status().ToString();
  Result<OpenedCheckpoint> opened = OpenCheckpoint(*signed_note, log_->verifier());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->checkpoint, c);
  EXPECT_EQ(opened->note.text, FormatCheckpoint(c));
  EXPECT_FALSE(OpenCheckpoint(*signed_note, other_->verifier()).ok());
}

TEST_F(SignedCheckpointTest, OriginMustBeTheKeyName) {
  const Checkpoint c{"other.example/log", 1, kRoot, {}};
  EXPECT_EQ(SignCheckpoint(c, *log_).status().code(), Status::Code::kInvalidArgument);
  // Signed anyway, as a note: the opener refuses a checkpoint for another log.
  Result<std::string> note = SignNote(FormatCheckpoint(c), *log_);
  ASSERT_TRUE(note.ok());
  Result<OpenedCheckpoint> opened = OpenCheckpoint(*note, log_->verifier());
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("origin 'other.example/log'"), std::string::npos);
}

TEST_F(SignedCheckpointTest, AlteredSizeOrRootBreaksTheSignature) {
  Result<std::string> signed_note = SignCheckpoint({"fleet.example/ledger", 42, kRoot, {}}, *log_);
  ASSERT_TRUE(signed_note.ok());
  std::string bigger = *signed_note;
  bigger.replace(bigger.find("\n42\n"), 4, "\n43\n");
  EXPECT_FALSE(OpenCheckpoint(bigger, log_->verifier()).ok());
  std::string other_root = *signed_note;
  other_root[other_root.find(kRootBase64)] = 'c';
  EXPECT_FALSE(OpenCheckpoint(other_root, log_->verifier()).ok());
}

}  // namespace
}  // namespace gpufleet::ledger
