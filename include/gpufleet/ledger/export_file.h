#pragma once
// The ledger's export file: a log's latest signed checkpoint and every entry it covers, in one
// text file that is written and verified front to back without holding the entries in memory
// (docs/ledger.md, "Export format"):
//
//   gpufleet-ledger-export v1\n
//   checkpoint <B>\n           B = the byte length of the signed note that follows
//   <signed checkpoint note>   B bytes, ending in "\n"
//   entries <N>\n              N = the checkpoint's tree size
//   <base64 of entry 0>\n
//   ...
//   <base64 of entry N-1>\n    and nothing after it
//
// Numbers are decimal without leading zeros; base64 is standard with padding (RFC 4648 §4).
// The checkpoint comes first so that a reader knows the size and the head before the entries
// stream past, and a byte count delimits it, so no note content can be taken for an entry.
// Nothing in the file is trusted by reading it: VerifyLog (verify_log.h) checks the signature
// and recomputes the head.

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "gpufleet/ledger/log_source.h"
#include "gpufleet/status.h"

namespace gpufleet::ledger {

inline constexpr std::string_view kExportMagic = "gpufleet-ledger-export v1";
// The largest signed checkpoint an export may hold: a checkpoint with Go's maximum of 100
// signatures is under 16 KiB.
inline constexpr uint64_t kMaxExportCheckpointBytes = 64 * 1024;

// Writes an export as entries arrive. Not thread-safe.
class ExportWriter {
 public:
  // Creates (or truncates) `path` and writes the header for `signed_checkpoint`; exactly its
  // tree size of entries must follow. InvalidArgument when the note holds no parsable
  // checkpoint (it is not verified here), IOError when the file cannot be written.
  static Result<std::unique_ptr<ExportWriter>> Create(const std::string& path,
                                                      std::string_view signed_checkpoint);

  // Appends the next entry. FailedPrecondition beyond the checkpoint's size.
  Status Append(std::string_view entry);

  // Flushes and closes; FailedPrecondition when fewer entries than the size were appended.
  Status Finish();

 private:
  ExportWriter(std::string path, uint64_t size) : path_(std::move(path)), size_(size) {}
  std::string path_;
  std::ofstream out_;
  uint64_t size_;
  uint64_t written_ = 0;
};

// Exports `source`'s latest checkpoint and its entries to `path`.
Status WriteExport(LogSource& source, const std::string& path);

// Reads an export file. ReadEntries streams from the file (seeking back to the first entry
// when asked for an earlier range than the last one read). Open reads and checks the layout
// up to the first entry; entry lines are checked as they are read, each failure naming the
// line and the entry index.
class FileLogSource final : public LogSource {
 public:
  // IOError when the file cannot be opened; Corruption for a malformed header, checkpoint
  // block or entry count, or an entry count that is not the checkpoint's size.
  static Result<std::unique_ptr<FileLogSource>> Open(const std::string& path);

  uint64_t entry_count() const { return count_; }

  Result<std::string> ReadCheckpoint() override { return checkpoint_; }
  Status ReadEntries(uint64_t begin, uint64_t end, const EntryVisitor& visit) override;

 private:
  explicit FileLogSource(std::string path) : path_(std::move(path)) {}
  Status Corrupt(uint64_t line, const std::string& why) const;

  std::string path_;
  std::ifstream in_;
  std::unique_ptr<char[]> buffer_;  // the stream's buffer: large, for 10^6-line files
  std::string checkpoint_;
  uint64_t count_ = 0;
  std::streampos first_entry_;
  uint64_t first_entry_line_ = 0;  // 1-based line number of entry 0
  uint64_t next_ = 0;              // the entry the stream is positioned at
  std::string line_;               // reused across entries
};

}  // namespace gpufleet::ledger
