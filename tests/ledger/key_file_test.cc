// Key files: the private key's file is created 0600, never overwritten, refused when others
// can read it; verifier keys inline or from a file.

#include "gpufleet/ledger/key_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/cli_runner.h"

namespace gpufleet::ledger {
namespace {

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<NoteKeyPair> pair = GenerateNoteKey("fleet.example/ledger");
    ASSERT_TRUE(pair.ok());
    pair_ = *pair;
  }
  std::string dir_ = gpufleet::testing::FreshDir("ledger_keys");
  NoteKeyPair pair_;
};

TEST_F(KeyFileTest, SignerKeyFileIsPrivateAndNeverOverwritten) {
  const std::string path = dir_ + "/log.key";
  ASSERT_TRUE(WriteSignerKeyFile(path, pair_.signer_key).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(gpufleet::testing::ReadFile(path), pair_.signer_key + "\n");

  Result<NoteKeyPair> other = GenerateNoteKey("fleet.example/ledger");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(WriteSignerKeyFile(path, other->signer_key).code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(gpufleet::testing::ReadFile(path), pair_.signer_key + "\n") << "the old key is kept";

  Result<NoteSigner> signer = ReadSignerKeyFile(path);
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  EXPECT_EQ(signer->verifier().ToString(), pair_.verifier_key);
}

TEST_F(KeyFileTest, RefusesAKeyFileOthersCanRead) {
  const std::string path = dir_ + "/open.key";
  ASSERT_TRUE(WriteSignerKeyFile(path, pair_.signer_key).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  Result<NoteSigner> signer = ReadSignerKeyFile(path);
  ASSERT_FALSE(signer.ok());
  EXPECT_EQ(signer.status().code(), Status::Code::kPermissionDenied);
  EXPECT_NE(signer.status().message().find("chmod 600"), std::string::npos);
  EXPECT_EQ(ReadSignerKeyFile(dir_ + "/missing.key").status().code(), Status::Code::kIOError);
}

TEST_F(KeyFileTest, MalformedSignerKeyIsNotQuoted) {
  const std::string path = dir_ + "/bad.key";
  const std::string bad = pair_.signer_key.substr(0, pair_.signer_key.size() - 4) + "AAAA";
  ASSERT_TRUE(WriteSignerKeyFile(path, bad).ok());
  Result<NoteSigner> signer = ReadSignerKeyFile(path);
  ASSERT_FALSE(signer.ok());
  EXPECT_EQ(signer.status().message().find(bad.substr(bad.rfind('+') + 1)), std::string::npos)
      << signer.status().message();
}

TEST_F(KeyFileTest, VerifierKeysInlineOrFromAFile) {
  Result<std::vector<NoteVerifier>> inline_keys = ReadVerifierKeys(pair_.verifier_key);
  ASSERT_TRUE(inline_keys.ok());
  ASSERT_EQ(inline_keys->size(), 1u);
  EXPECT_EQ((*inline_keys)[0].ToString(), pair_.verifier_key);

  Result<NoteKeyPair> second = GenerateNoteKey("witness.example");
  ASSERT_TRUE(second.ok());
  const std::string path = dir_ + "/keys.txt";
  std::ofstream(path) << "# the log\n"
                      << pair_.verifier_key << "\n\n  " << second->verifier_key << "  \r\n";
  Result<std::vector<NoteVerifier>> from_file = ReadVerifierKeys(path);
  ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
  ASSERT_EQ(from_file->size(), 2u);
  EXPECT_EQ((*from_file)[1].name(), "witness.example");

  std::ofstream(dir_ + "/bad.txt") << pair_.verifier_key << "\nnot-a-key\n";
  Result<std::vector<NoteVerifier>> bad = ReadVerifierKeys(dir_ + "/bad.txt");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos) << bad.status().message();
  std::ofstream(dir_ + "/empty.txt") << "# nothing\n";
  EXPECT_FALSE(ReadVerifierKeys(dir_ + "/empty.txt").ok());
  Result<std::vector<NoteVerifier>> neither = ReadVerifierKeys(dir_ + "/missing");
  ASSERT_FALSE(neither.ok());
  EXPECT_NE(neither.status().message().find("neither a verifier key"), std::string::npos);
}

}  // namespace
}  // namespace gpufleet::ledger
