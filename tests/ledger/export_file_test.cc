// The export file: its exact layout, streaming reads by range, and every way a file can be
// malformed, each reported with its line.

#include "gpufleet/ledger/export_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "gpufleet/ledger/base64.h"
#include "ledger/concat.h"
#include "ledger/test_log.h"
#include "support/cli_runner.h"

namespace gpufleet::ledger {
namespace {

using testing::Concat;

std::vector<std::string> ReadAll(LogSource& source, uint64_t begin, uint64_t end,
                                 Status* status = nullptr) {
  std::vector<std::string> out;
  const Status s = source.ReadEntries(begin, end, [&](uint64_t index, std::string_view e) {
    EXPECT_EQ(index, begin + out.size());
    out.emplace_back(e);
    return Status::Ok();
  });
  if (status != nullptr) {
    *status = s;
  } else {
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  return out;
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

class ExportFileTest : public ::testing::Test {
 protected:
  ExportFileTest()
      : dir_(gpufleet::testing::FreshDir("ledger_export")),
        log_(testing::RandomLog(testing::NewSigner("fleet.example/ledger"), 1000, 5)) {}
  std::string dir_;
  MemoryLog log_;
};

TEST_F(ExportFileTest, LayoutIsTheDocumentedOne) {
  MemoryLog small(testing::NewSigner("fleet.example/ledger"));
  small.Append("hi");
  small.Append("");
  const std::string path = dir_ + "/small.export";
  ASSERT_TRUE(WriteExport(small, path).ok());
  Result<std::string> note = small.ReadCheckpoint();
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(gpufleet::testing::ReadFile(path),
            Concat({"gpufleet-ledger-export v1\ncheckpoint ", std::to_string(note->size()), "\n",
                    *note, "entries 2\naGk=\n\n"}));
}

TEST_F(ExportFileTest, RoundTripsAndReadsRangesInAnyOrder) {
  const std::string path = dir_ + "/log.export";
  ASSERT_TRUE(WriteExport(log_, path).ok());
  Result<std::unique_ptr<FileLogSource>> source = FileLogSource::Open(path);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ((*source)->entry_count(), 1000u);
  EXPECT_EQ((*source)->ReadCheckpoint().value(), log_.ReadCheckpoint().value());
  EXPECT_EQ(ReadAll(**source, 0, 1000), log_.entries());
  const auto& all = log_.entries();
  EXPECT_EQ(ReadAll(**source, 10, 20),
            std::vector<std::string>(all.begin() + 10, all.begin() + 20));
  EXPECT_EQ(ReadAll(**source, 5, 7), std::vector<std::string>(all.begin() + 5, all.begin() + 7))
      << "an earlier range after a later one";
  EXPECT_EQ(ReadAll(**source, 7, 9), std::vector<std::string>(all.begin() + 7, all.begin() + 9))
      << "the range right after the last";
  EXPECT_TRUE(ReadAll(**source, 3, 3).empty());
  Status beyond;
  EXPECT_EQ(ReadAll(**source, 995, 1005, &beyond).size(), 5u);
  EXPECT_EQ(beyond.code(), Status::Code::kNotFound);
}

TEST_F(ExportFileTest, WriterHoldsToTheCheckpointSize) {
  Result<std::string> note = log_.SignedCheckpoint(2);
  ASSERT_TRUE(note.ok());
  Result<std::unique_ptr<ExportWriter>> w = ExportWriter::Create(dir_ + "/w.export", *note);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append("a").ok());
  EXPECT_EQ((*w)->Finish().code(), Status::Code::kFailedPrecondition);
  ASSERT_TRUE((*w)->Append("b").ok());
  EXPECT_EQ((*w)->Append("c").code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE((*w)->Finish().ok());
  EXPECT_EQ(ExportWriter::Create(dir_ + "/x.export", "not a note").status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(ExportWriter::Create(dir_ + "/no/such/dir/x.export", *note).status().code(),
            Status::Code::kIOError);
}

// Each malformed file is refused with Corruption naming the line where it goes wrong.
TEST_F(ExportFileTest, MalformedFilesNameTheLine) {
  MemoryLog three(testing::NewSigner("fleet.example/ledger"));
  for (const char* e : {"a", "b", "c"}) three.Append(e);
  const std::string note = three.ReadCheckpoint().value();
  const std::string bytes = std::to_string(note.size());
  const std::string good = Concat({"gpufleet-ledger-export v1\ncheckpoint ", bytes, "\n", note,
                                   "entries 3\nYQ==\nYg==\nYw==\n"});
  const uint64_t note_lines = static_cast<uint64_t>(std::count(note.begin(), note.end(), '\n'));
  const std::string entries_line = std::to_string(3 + note_lines);
  const std::string first_entry = std::to_string(4 + note_lines);
  const std::string third_entry = std::to_string(6 + note_lines);

  struct Case {
    std::string text;
    std::string where;  // ":<line>:" and a phrase
    bool at_open;
  };
  const Case cases[] = {
      {Concat({"gpufleet-ledger-export v2", good.substr(good.find('\n'))}), ":1: not a gpufleet",
       true},
      {Concat({"gpufleet-ledger-export v1\ncheckpoint 0", bytes, "\n", note}), ":2: expected",
       true},
      {Concat({"gpufleet-ledger-export v1\ncheckpoint 99999999\n", note}), ":2: expected", true},
      {Concat({"gpufleet-ledger-export v1\ncheckpoint ", bytes, "\n", note.substr(0, 20)}),
       ":3: the file ends inside", true},
      {Concat({"gpufleet-ledger-export v1\ncheckpoint ", bytes, "\n", note, "entries 03\n"}),
       Concat({":", entries_line, ": expected 'entries"}), true},
      {Concat({"gpufleet-ledger-export v1\ncheckpoint ", bytes, "\n", note, "entries 4\n"}),
       Concat({":", entries_line, ": the export lists 4 entries but its checkpoint is of size 3"}),
       true},
      {Concat({"gpufleet-ledger-export v1\ncheckpoint ", bytes, "\n", note,
               "entries 3\nYQ==\nYg==\n"}),
       Concat({":", third_entry, ": the file ends after 2 entries"}), false},
      {Concat({"gpufleet-ledger-export v1\ncheckpoint ", bytes, "\n", note,
               "entries 3\nYQ\nYg==\nYw==\n"}),
       Concat({":", first_entry, ": entry 0 is not base64"}), false},
      {Concat({"gpufleet-ledger-export v1\ncheckpoint ", bytes, "\n", note,
               "entries 3\nYQ==\nYg==\nYw=="}),
       Concat({":", third_entry, ": entry 2 has no newline"}), false},
      {Concat({good, "YQ==\n"}), "data after the last of the 3 entries", false},
  };
  int n = 0;
  for (const Case& c : cases) {
    const std::string path = dir_ + "/bad" + std::to_string(n++) + ".export";
    WriteText(path, c.text);
    Result<std::unique_ptr<FileLogSource>> source = FileLogSource::Open(path);
    Status s = source.ok() ? Status::Ok() : source.status();
    if (source.ok()) {
      ASSERT_FALSE(c.at_open) << "expected Open to refuse: " << c.where;
      ReadAll(**source, 0, 3, &s);
    }
    ASSERT_FALSE(s.ok()) << c.where;
    EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
    EXPECT_NE(s.message().find(c.where), std::string::npos) << c.where << " -> " << s.message();
  }
  WriteText(dir_ + "/good.export", good);
  Result<std::unique_ptr<FileLogSource>> source = FileLogSource::Open(dir_ + "/good.export");
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(ReadAll(**source, 0, 3), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(FileLogSource::Open(dir_ + "/missing.export").status().code(), Status::Code::kIOError);
}

}  // namespace
}  // namespace gpufleet::ledger
