#include "gpufleet/ledger/note.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>
#include <utility>

#include "gpufleet/ledger/base64.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::ledger {
namespace {

constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, space
constexpr size_t kKeyHashSize = 4;

Status Malformed(const std::string& why) { return Status::Corruption("malformed note: " + why); }

// UTF-8 with no ASCII control character but newline: what every part of a note must be.
Status CheckNoteBytes(std::string_view bytes) {
  const size_t valid = ValidUtf8Prefix(bytes);
  if (valid != bytes.size()) {
    return Malformed("invalid UTF-8 at byte " + std::to_string(valid));
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x20 && c != '\n') {
      return Malformed("control character 0x" + std::string(1, "0123456789abcdef"[c >> 4]) +
                       "0123456789abcdef"[c & 0xf] + " at byte " + std::to_string(i));
    }
  }
  return Status::Ok();
}

std::string SignatureLine(const std::string& name, const std::string& base64) {
  return std::string(kSignaturePrefix) + name + " " + base64 + "\n";
}

Result<std::string> SignatureBase64(std::string_view text, const NoteSigner& signer) {
  Result<std::string> signature = signer.Sign(text);
  if (!signature.ok()) return signature.status();
  const uint32_t h = signer.key_hash();
  std::string raw = {static_cast<char>(h >> 24), static_cast<char>(h >> 16),
                     static_cast<char>(h >> 8), static_cast<char>(h)};
  raw += *signature;
  return Base64Encode(raw);
}

Status CheckText(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return Status::InvalidArgument("note text must end with a newline");
  }
  if (text.find("\n\n") != std::string_view::npos || text.front() == '\n') {
    // Open splits at the last blank line; one inside the text would still open, but the
    // checkpoint parser (the only text we sign) refuses empty lines, so refuse it here too.
    return Status::InvalidArgument("note text must not contain a blank line");
  }
  const Status bytes = CheckNoteBytes(text);
  if (!bytes.ok()) return Status::InvalidArgument("note text: " + bytes.message());
  return Status::Ok();
}

std::string KeyId(const std::string& name, uint32_t hash) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", hash);
  return name + "+" + buf;
}

}  // namespace

Result<std::string> SignNote(std::string_view text, const NoteSigner& signer) {
  GPUFLEET_RETURN_IF_ERROR(CheckText(text));
  Note note;
  note.text = std::string(text);
  return AddNoteSignature(note, signer);
}

Result<std::string> AddNoteSignature(const Note& note, const NoteSigner& signer) {
  GPUFLEET_RETURN_IF_ERROR(CheckText(note.text));
  Result<std::string> mine = SignatureBase64(note.text, signer);
  if (!mine.ok()) return mine.status();
  std::string out = note.text + "\n";
  size_t lines = 1;
  for (const std::vector<NoteSignature>* list : {&note.verified, &note.unverified}) {
    for (const NoteSignature& s : *list) {
      if (s.name == signer.name() && s.key_hash == signer.key_hash()) continue;  // replaced
      if (!IsValidKeyName(s.name)) {
        return Status::InvalidArgument("note signature by an invalid key name");
      }
      out += SignatureLine(s.name, s.base64);
      ++lines;
    }
  }
  if (lines > kMaxNoteSignatures) {
    return Status::InvalidArgument("a note may carry at most " +
                                   std::to_string(kMaxNoteSignatures) + " signatures");
  }
  out += SignatureLine(signer.name(), *mine);
  return out;
}

Result<Note> OpenNote(std::string_view message, std::span<const NoteVerifier> verifiers) {
  GPUFLEET_RETURN_IF_ERROR(CheckNoteBytes(message));
  const size_t split = message.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Malformed("no blank line between the text and the signatures");
  }
  Note note;
  note.text = std::string(message.substr(0, split + 1));
  std::string_view sigs = message.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') {
    return Malformed("the signature block is empty or does not end with a newline");
  }
  std::set<std::pair<std::string, uint32_t>> seen;
  std::set<std::string, std::less<>> seen_unverified;
  size_t count = 0;
  while (!sigs.empty()) {
    const size_t eol = sigs.find('\n');
    std::string_view line = sigs.substr(0, eol);
    sigs.remove_prefix(eol + 1);
    if (!line.starts_with(kSignaturePrefix)) {
      return Malformed("signature line " + std::to_string(count + 1) +
                       " does not start with an em dash and a space");
    }
    line.remove_prefix(kSignaturePrefix.size());
    const size_t space = line.find(' ');
    const std::string name(line.substr(0, space));
    const std::string_view b64 =
        space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    const std::optional<std::string> raw = Base64Decode(b64);
    if (!IsValidKeyName(name) || b64.empty() || !raw || raw->size() <= kKeyHashSize) {
      return Malformed("signature line " + std::to_string(count + 1) +
                       " is not '<name> <base64 signature>'");
    }
    if (++count > kMaxNoteSignatures) {
      return Malformed("more than " + std::to_string(kMaxNoteSignatures) + " signatures");
    }
    const uint32_t hash = static_cast<uint32_t>(static_cast<uint8_t>((*raw)[0])) << 24 |
                          static_cast<uint32_t>(static_cast<uint8_t>((*raw)[1])) << 16 |
                          static_cast<uint32_t>(static_cast<uint8_t>((*raw)[2])) << 8 |
                          static_cast<uint32_t>(static_cast<uint8_t>((*raw)[3]));
    // Go's VerifierList: a (name, hash) two verifiers share is an error only when a signature
    // needs it.
    const NoteVerifier* known = nullptr;
    for (const NoteVerifier& v : verifiers) {
      if (v.name() != name || v.key_hash() != hash) continue;
      if (known != nullptr) return Status::InvalidArgument("ambiguous key " + v.Id());
      known = &v;
    }
    NoteSignature sig{name, hash, std::string(b64)};
    if (known == nullptr) {
      if (seen_unverified.insert(std::string(line)).second) {
        note.unverified.push_back(std::move(sig));
      }
      continue;
    }
    if (!seen.insert({name, hash}).second) continue;
    if (!known->Verify(note.text, std::string_view(*raw).substr(kKeyHashSize))) {
      return Status::Corruption("invalid signature by key " + known->Id() +
                                ": the note's text is not what that key signed");
    }
    note.verified.push_back(std::move(sig));
  }
  if (note.verified.empty()) {
    std::string who;
    for (const NoteSignature& s : note.unverified) {
      who += (who.empty() ? "" : ", ") + KeyId(s.name, s.key_hash);
    }
    std::string expected;
    for (const NoteVerifier& v : verifiers) expected += (expected.empty() ? "" : ", ") + v.Id();
    return Status::Corruption("note has no signature by a known key (signed by " + who +
                              "; known: " + (expected.empty() ? "none" : expected) + ")");
  }
  return note;
}

}  // namespace gpufleet::ledger
