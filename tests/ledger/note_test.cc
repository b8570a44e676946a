// Signed notes against Go's published examples (golang.org/x/mod/sumdb/note: the doc's
// PeterNeumann note and TestOpen's cases). Ed25519 is deterministic, so signing Go's text with
// Go's key must give Go's note byte for byte.

#include "gpufleet/ledger/note.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ledger/concat.h"

namespace gpufleet::ledger {
namespace {

using testing::Concat;

constexpr char kPeterSigner[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr char kPeterVerifier[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr char kEnochVerifier[] = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
constexpr char kText[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
const std::string kPeterSig =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const std::string kEnochSig =
    "\xE2\x80\x94 EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
    "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

class NoteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<NoteVerifier> p = NoteVerifier::Parse(kPeterVerifier);
    Result<NoteVerifier> e = NoteVerifier::Parse(kEnochVerifier);
    ASSERT_TRUE(p.ok() && e.ok());
    peter_.push_back(*p);
    both_ = {*p, *e};
  }
  std::vector<NoteVerifier> peter_;
  std::vector<NoteVerifier> both_;
};

TEST_F(NoteTest, SignsGoExampleByteForByte) {
  Result<NoteSigner> s = NoteSigner::Parse(kPeterSigner);
  ASSERT_TRUE(s.ok());
  Result<std::string> note = SignNote(kText, *s);
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  EXPECT_EQ(*note, Concat({kText, "\n", kPeterSig}));
}

TEST_F(NoteTest, OpensWithKnownAndUnknownSigners) {
  const std::string msg = Concat({kText, "\n", kPeterSig, kEnochSig});
  Result<Note> n = OpenNote(msg, peter_);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->text, kText);
  ASSERT_EQ(n->verified.size(), 1u);
  EXPECT_EQ(n->verified[0].name, "PeterNeumann");
  EXPECT_EQ(n->verified[0].key_hash, 0xc74f20a3u);
  ASSERT_EQ(n->unverified.size(), 1u);
  EXPECT_EQ(n->unverified[0].name, "EnochRoot");
  EXPECT_EQ(n->unverified[0].key_hash, 0xaf0cfe78u);

  Result<Note> both = OpenNote(msg, both_);
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_EQ(both->verified.size(), 2u);
  EXPECT_TRUE(both->unverified.empty());
}

TEST_F(NoteTest, NeedsAKnownSigner) {
  const std::string msg = Concat({kText, "\n", kPeterSig, kEnochSig});
  Result<Note> n = OpenNote(msg, std::vector<NoteVerifier>{});
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), Status::Code::kCorruption);
  EXPECT_NE(n.status().message().find("PeterNeumann+c74f20a3, EnochRoot+af0cfe78"),
            std::string::npos)
      << n.status().message();
}

TEST_F(NoteTest, InvalidSignatureByKnownKeyIsAnError) {
  // Go's TestOpen: four characters inserted into the signature.
  const std::string bad = Concat({kPeterSig.substr(0, 60), "ABCD", kPeterSig.substr(60)});
  Result<Note> n = OpenNote(Concat({kText, "\n", bad}), peter_);
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("invalid signature by key PeterNeumann+c74f20a3"),
            std::string::npos);
  // An altered text under a valid signature.
  std::string text = kText;
  text[3] = 'Y';
  EXPECT_FALSE(OpenNote(Concat({text, "\n", kPeterSig}), peter_).ok());
}

TEST_F(NoteTest, DuplicatesCountOnce) {
  const std::string enoch_abcd = Concat({kEnochSig.substr(0, 60), "ABCD", kEnochSig.substr(60)});
  Result<Note> n = OpenNote(
      Concat({kText, "\n", kPeterSig, kPeterSig, kEnochSig, kEnochSig, enoch_abcd}), peter_);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->verified.size(), 1u);
  EXPECT_EQ(n->unverified.size(), 2u) << "identical lines once, different ones kept";
}

TEST_F(NoteTest, AmbiguousVerifiersFailOnlyWhenUsed) {
  std::vector<NoteVerifier> dup = {both_[1], both_[0], both_[1]};
  Result<Note> used = OpenNote(Concat({kText, "\n", kEnochSig}), dup);
  ASSERT_FALSE(used.ok());
  EXPECT_EQ(used.status().message(), "ambiguous key EnochRoot+af0cfe78");
  EXPECT_TRUE(OpenNote(Concat({kText, "\n", kPeterSig}), dup).ok());
}

TEST_F(NoteTest, RejectsMalformedNotes) {
  std::string many;
  for (int i = 0; i < 101; ++i) many += kPeterSig;
  const std::string text = kText;
  const std::string sig_no_newline = kPeterSig.substr(0, kPeterSig.size() - 1);
  for (const std::string& bad : {
           text, Concat({text, "\n"}), Concat({text, "\n", sig_no_newline}),
           Concat({"\x01", text, "\n", kPeterSig}), Concat({"\xff", text, "\n", kPeterSig}),
           Concat({text, "\n\xE2\x80\x94 Bad Name ", kPeterSig.substr(17)}),
           Concat({text, "\n", kPeterSig, "Unexpected line.\n"}), Concat({text, "\n", many}),
           Concat({text, "\n- PeterNeumann ", kPeterSig.substr(17)}),
           Concat({text, "\n\xE2\x80\x94 PeterNeumann x08g\n"}),  // too short to hold a hash
       }) {
    Result<Note> n = OpenNote(bad, peter_);
    ASSERT_FALSE(n.ok()) << bad;
    EXPECT_EQ(n.status().code(), Status::Code::kCorruption) << bad;
  }
}

TEST_F(NoteTest, CosignatureKeepsExistingSignaturesAndReplacesItsOwn) {
  Result<NoteKeyPair> witness_key = GenerateNoteKey("witness.example");
  ASSERT_TRUE(witness_key.ok());
  Result<NoteSigner> witness = NoteSigner::Parse(witness_key->signer_key);
  ASSERT_TRUE(witness.ok());

  Result<Note> opened = OpenNote(Concat({kText, "\n", kPeterSig, kEnochSig}), peter_);
  ASSERT_TRUE(opened.ok());
  Result<std::string> cosigned = AddNoteSignature(*opened, *witness);
  ASSERT_TRUE(cosigned.ok()) << cosigned.status().ToString();
  EXPECT_TRUE(cosigned->starts_with(Concat({kText, "\n", kPeterSig, kEnochSig}))) << *cosigned;

  std::vector<NoteVerifier> with_witness = both_;
  with_witness.push_back(witness->verifier());
  Result<Note> all = OpenNote(*cosigned, with_witness);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->verified.size(), 3u);

  // Cosigning again replaces the witness's line instead of adding a second one.
  Result<std::string> again = AddNoteSignature(*all, *witness);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *cosigned) << "Ed25519 is deterministic, and the line is replaced";
}

TEST_F(NoteTest, RefusesTextsItCouldNotOpen) {
  Result<NoteSigner> s = NoteSigner::Parse(kPeterSigner);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(SignNote("no newline", *s).ok());
  EXPECT_FALSE(SignNote("a\n\nb\n", *s).ok());
  EXPECT_FALSE(SignNote("\n", *s).ok());
  EXPECT_FALSE(SignNote("tab\there\n", *s).ok());
  EXPECT_FALSE(SignNote("bad \xff byte\n", *s).ok());
}

}  // namespace
}  // namespace gpufleet::ledger
