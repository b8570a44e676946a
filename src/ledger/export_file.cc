#include "gpufleet/ledger/export_file.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "gpufleet/ledger/base64.h"
#include "gpufleet/ledger/checkpoint.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::ledger {
namespace {

constexpr size_t kStreamBuffer = 1 << 20;
constexpr std::string_view kCheckpointKeyword = "checkpoint ";
constexpr std::string_view kEntriesKeyword = "entries ";

// Decimal without sign or leading zeros, as the header writes it.
bool ParseCount(std::string_view text, uint64_t& out) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return false;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Result<std::unique_ptr<ExportWriter>> ExportWriter::Create(const std::string& path,
                                                           std::string_view signed_checkpoint) {
  Result<Checkpoint> c = UnverifiedCheckpoint(signed_checkpoint);
  if (!c.ok()) {
    return Status::InvalidArgument("export: the checkpoint to write is not one: " +
                                   c.status().message());
  }
  if (signed_checkpoint.size() > kMaxExportCheckpointBytes) {
    return Status::InvalidArgument("export: the signed checkpoint is " +
                                   std::to_string(signed_checkpoint.size()) + " bytes, more than " +
                                   std::to_string(kMaxExportCheckpointBytes));
  }
  std::unique_ptr<ExportWriter> w(new ExportWriter(path, c->size));
  w->out_.open(path, std::ios::binary | std::ios::trunc);
  if (!w->out_) {
    return Status::IOError("cannot write '" + path + "': " + std::strerror(errno));
  }
  w->out_ << kExportMagic << '\n'
          << kCheckpointKeyword << signed_checkpoint.size() << '\n'
          << signed_checkpoint << kEntriesKeyword << c->size << '\n';
  if (!w->out_) return Status::IOError("cannot write '" + path + "'");
  return w;
}

Status ExportWriter::Append(std::string_view entry) {
  if (written_ == size_) {
    return Status::FailedPrecondition("export '" + path_ + "': its checkpoint covers " +
                                      std::to_string(size_) + " entries, no more");
  }
  out_ << Base64Encode(entry) << '\n';
  ++written_;
  if (!out_) return Status::IOError("cannot write '" + path_ + "'");
  return Status::Ok();
}

Status ExportWriter::Finish() {
  if (written_ != size_) {
    return Status::FailedPrecondition("export '" + path_ + "': " + std::to_string(written_) +
                                      " entries written, its checkpoint covers " +
                                      std::to_string(size_));
  }
  out_.close();
  if (!out_) return Status::IOError("cannot write '" + path_ + "'");
  return Status::Ok();
}

Status WriteExport(LogSource& source, const std::string& path) {
  Result<std::string> checkpoint = source.ReadCheckpoint();
  if (!checkpoint.ok()) return checkpoint.status();
  Result<std::unique_ptr<ExportWriter>> writer = ExportWriter::Create(path, *checkpoint);
  if (!writer.ok()) return writer.status();
  Result<Checkpoint> c = UnverifiedCheckpoint(*checkpoint);  // Create parsed it already
  GPUFLEET_RETURN_IF_ERROR(source.ReadEntries(
      0, c->size, [&](uint64_t, std::string_view entry) { return (*writer)->Append(entry); }));
  return (*writer)->Finish();
}

Status FileLogSource::Corrupt(uint64_t line, const std::string& why) const {
  return Status::Corruption(path_ + ":" + std::to_string(line) + ": " + why);
}

Result<std::unique_ptr<FileLogSource>> FileLogSource::Open(const std::string& path) {
  std::unique_ptr<FileLogSource> s(new FileLogSource(path));
  s->buffer_ = std::make_unique<char[]>(kStreamBuffer);
  s->in_.rdbuf()->pubsetbuf(s->buffer_.get(), kStreamBuffer);
  s->in_.open(path, std::ios::binary);
  if (!s->in_) return Status::IOError("cannot read '" + path + "': " + std::strerror(errno));

  std::string line;
  if (!std::getline(s->in_, line) || line != kExportMagic) {
    return s->Corrupt(1, "not a gpufleet ledger export (the first line is not '" +
                             std::string(kExportMagic) + "')");
  }
  uint64_t bytes = 0;
  if (!std::getline(s->in_, line) || !line.starts_with(kCheckpointKeyword) ||
      !ParseCount(std::string_view(line).substr(kCheckpointKeyword.size()), bytes) ||
      bytes > kMaxExportCheckpointBytes) {
    return s->Corrupt(2, "expected 'checkpoint <bytes>' with at most " +
                             std::to_string(kMaxExportCheckpointBytes) + " bytes, found '" +
                             Excerpt(line) + "'");
  }
  s->checkpoint_.resize(bytes);
  if (!s->in_.read(s->checkpoint_.data(), static_cast<std::streamsize>(bytes))) {
    return s->Corrupt(3, "the file ends inside its " + std::to_string(bytes) + "-byte checkpoint");
  }
  const uint64_t entries_line =
      3 + static_cast<uint64_t>(std::count(s->checkpoint_.begin(), s->checkpoint_.end(), '\n'));
  if (s->checkpoint_.empty() || s->checkpoint_.back() != '\n') {
    return s->Corrupt(entries_line, "the checkpoint block does not end with a newline");
  }
  if (!std::getline(s->in_, line) || !line.starts_with(kEntriesKeyword) ||
      !ParseCount(std::string_view(line).substr(kEntriesKeyword.size()), s->count_)) {
    return s->Corrupt(entries_line, "expected 'entries <count>', found '" + Excerpt(line) + "'");
  }
  Result<Checkpoint> c = UnverifiedCheckpoint(s->checkpoint_);
  if (!c.ok()) return s->Corrupt(3, c.status().message());
  if (c->size != s->count_) {
    return s->Corrupt(entries_line, "the export lists " + std::to_string(s->count_) +
                                        " entries but its checkpoint is of size " +
                                        std::to_string(c->size));
  }
  s->first_entry_ = s->in_.tellg();
  s->first_entry_line_ = entries_line + 1;
  return s;
}

Status FileLogSource::ReadEntries(uint64_t begin, uint64_t end, const EntryVisitor& visit) {
  const uint64_t stop = std::min(end, count_);
  if (begin < next_) {
    in_.clear();
    in_.seekg(first_entry_);
    if (!in_) return Status::IOError("cannot seek in '" + path_ + "'");
    next_ = 0;
  }
  for (; next_ < begin && next_ < stop; ++next_) {
    if (!std::getline(in_, line_)) break;
  }
  for (uint64_t i = begin; i < stop; ++i) {
    const uint64_t line_no = first_entry_line_ + i;
    if (!std::getline(in_, line_)) {
      return Corrupt(line_no, "the file ends after " + std::to_string(i) +
                                  " entries; its header lists " + std::to_string(count_));
    }
    ++next_;
    if (in_.eof()) return Corrupt(line_no, "entry " + std::to_string(i) + " has no newline");
    const std::optional<std::string> entry = Base64Decode(line_);
    if (!entry) {
      return Corrupt(
          line_no, "entry " + std::to_string(i) + " is not base64 ('" + Excerpt(line_, 60) + "')");
    }
    GPUFLEET_RETURN_IF_ERROR(visit(i, *entry));
  }
  if (stop == count_ && next_ == count_ && begin <= count_) {
    if (in_.peek() != std::char_traits<char>::eof()) {
      return Corrupt(first_entry_line_ + count_,
                     "data after the last of the " + std::to_string(count_) + " entries");
    }
  }
  if (end > count_) {
    return Status::NotFound("'" + path_ + "' holds " + std::to_string(count_) +
                            " entries; asked for entries up to " + std::to_string(end));
  }
  return Status::Ok();
}

}  // namespace gpufleet::ledger
