#include "gpufleet/ledger/checkpoint.h"

#include <algorithm>
#include <charconv>

#include "gpufleet/ledger/base64.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::ledger {
namespace {

Status BadLine(int line, const std::string& why) {
  return Status::Corruption("checkpoint line " + std::to_string(line) + ": " + why);
}

bool IsCleanLine(std::string_view line) {
  if (ValidUtf8Prefix(line) != line.size()) return false;
  for (const char c : line) {
    if (static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

// C2SP: decimal, no sign, no leading zero unless the value is 0.
bool ParseSize(std::string_view text, uint64_t& out) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out <= kMaxCheckpointSize;
}

}  // namespace

Status ValidateCheckpoint(const Checkpoint& c) {
  if (!IsValidKeyName(c.origin)) {
    return Status::InvalidArgument("checkpoint origin '" + Excerpt(c.origin) +
                                   "' is empty or has spaces, '+' or invalid UTF-8");
  }
  if (c.size > kMaxCheckpointSize) {
    return Status::InvalidArgument("checkpoint size " + std::to_string(c.size) +
                                   " is above 2^63 - 1");
  }
  for (size_t i = 0; i < c.extensions.size(); ++i) {
    if (c.extensions[i].empty() || !IsCleanLine(c.extensions[i])) {
      return Status::InvalidArgument("checkpoint extension line " + std::to_string(i + 1) +
                                     " is empty, not UTF-8 or holds a control character");
    }
  }
  return Status::Ok();
}

std::string FormatCheckpoint(const Checkpoint& c) {
  std::string out =
      c.origin + "\n" + std::to_string(c.size) + "\n" +
      Base64Encode(std::string_view(reinterpret_cast<const char*>(c.root.data()), c.root.size())) +
      "\n";
  for (const std::string& line : c.extensions) out += line + "\n";
  return out;
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return Status::Corruption("checkpoint does not end with a newline");
  }
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    const size_t eol = text.find('\n', start);
    lines.push_back(text.substr(start, eol - start));
    start = eol + 1;
  }
  if (lines.size() < 3) {
    return Status::Corruption("checkpoint has " + std::to_string(lines.size()) +
                              " lines; it needs origin, size and root hash");
  }
  Checkpoint c;
  c.origin = std::string(lines[0]);
  if (!IsValidKeyName(c.origin) || !IsCleanLine(c.origin)) {
    return BadLine(1, "origin '" + Excerpt(c.origin) +
                          "' is empty or has spaces, '+', control characters or invalid UTF-8");
  }
  if (!ParseSize(lines[1], c.size)) {
    return BadLine(2, "tree size '" + Excerpt(lines[1]) +
                          "' is not a decimal number without leading zeros below 2^63");
  }
  const std::optional<std::string> root = Base64Decode(lines[2]);
  if (!root || root->size() != kHashSize) {
    return BadLine(3, "root hash '" + Excerpt(lines[2]) + "' is not base64 of 32 bytes");
  }
  std::copy(root->begin(), root->end(), c.root.begin());
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty() || !IsCleanLine(lines[i])) {
      return BadLine(static_cast<int>(i + 1),
                     "extension line is empty, not UTF-8 or holds a control character");
    }
    c.extensions.emplace_back(lines[i]);
  }
  return c;
}

Result<std::string> SignCheckpoint(const Checkpoint& c, const NoteSigner& log_key) {
  GPUFLEET_RETURN_IF_ERROR(ValidateCheckpoint(c));
  if (log_key.name() != c.origin) {
    return Status::InvalidArgument("the key is named '" + log_key.name() +
                                   "' but the checkpoint's origin is '" + c.origin +
                                   "': a log signs with the key named after it");
  }
  return SignNote(FormatCheckpoint(c), log_key);
}

Result<OpenedCheckpoint> OpenCheckpoint(std::string_view signed_note,
                                        std::span<const NoteVerifier> log_keys) {
  Result<Note> note = OpenNote(signed_note, log_keys);
  if (!note.ok()) return note.status();
  Result<Checkpoint> c = ParseCheckpoint(note->text);
  if (!c.ok()) return c.status();
  // A key may sign only for the log it is named after: a valid signature by another log's key
  // (both keys trusted by this caller) does not vouch for this origin.
  const bool by_origin_key =
      std::any_of(note->verified.begin(), note->verified.end(),
                  [&](const NoteSignature& s) { return s.name == c->origin; });
  if (!by_origin_key) {
    std::string names;
    for (const NoteSignature& s : note->verified)
      names += (names.empty() ? "'" : ", '") + s.name + "'";
    return Status::Corruption("checkpoint origin '" + c->origin +
                              "' is not the name of the key that signed it (" + names + ")");
  }
  return OpenedCheckpoint{std::move(*c), std::move(*note)};
}

Result<OpenedCheckpoint> OpenCheckpoint(std::string_view signed_note, const NoteVerifier& log_key) {
  return OpenCheckpoint(signed_note, std::span<const NoteVerifier>(&log_key, 1));
}

Result<Checkpoint> UnverifiedCheckpoint(std::string_view signed_note) {
  const size_t split = signed_note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Status::Corruption("malformed note: no blank line between the text and the signatures");
  }
  return ParseCheckpoint(signed_note.substr(0, split + 1));
}

}  // namespace gpufleet::ledger
