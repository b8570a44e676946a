#include "gpufleet/model/utf8.h"

#include <algorithm>
#include <cstdint>

namespace gpufleet {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD
constexpr char kEllipsis[] = "\xE2\x80\xA6";     // U+2026 "…"

// The length of the valid UTF-8 sequence starting at text[pos], or 0 when the bytes there do
// not start one. The ranges are RFC 3629's table ("UTF8-2" to "UTF8-4"): the second byte's
// range excludes overlong forms, surrogates and code points above U+10FFFF.
size_t SequenceLength(std::string_view text, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[pos + i]); };
  const uint8_t b0 = byte(0);
  if (b0 < 0x80) return 1;
  size_t length = 0;
  uint8_t low = 0x80, high = 0xBF;  // the range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    if (b0 == 0xE0) low = 0xA0;   // overlong below U+0800
    if (b0 == 0xED) high = 0x9F;  // surrogates U+D800..U+DFFF
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    if (b0 == 0xF0) low = 0x90;   // overlong below U+10000
    if (b0 == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;  // a continuation byte, C0, C1 or F5..FF
  }
  if (pos + length > text.size()) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

size_t ValidUtf8Prefix(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t n = SequenceLength(text, pos);
    if (n == 0) return pos;
    pos += n;
  }
  return pos;
}

Status CheckUtf8(std::string_view text, const std::string& file) {
  const size_t bad = ValidUtf8Prefix(text);
  if (bad == text.size()) return Status::Ok();
  // The prefix is valid, so counting lead bytes counts characters.
  int line = 1;
  int column = 1;
  for (size_t i = 0; i < bad; ++i) {
    const auto b = static_cast<uint8_t>(text[i]);
    if (b == '\n') {
      ++line;
      column = 1;
    } else if ((b & 0xC0) != 0x80) {
      ++column;
    }
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  const auto b = static_cast<uint8_t>(text[bad]);
  const std::string hex{kHex[b >> 4], kHex[b & 0xF]};
  return Status::InvalidArgument(file + ":" + std::to_string(line) + ":" + std::to_string(column) +
                                 ": invalid UTF-8 (byte 0x" + hex + "); save the file as UTF-8");
}

std::string Excerpt(std::string_view value, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(value.size(), max_bytes) + sizeof(kEllipsis));
  size_t pos = 0;
  while (pos < value.size()) {
    const size_t n = SequenceLength(value, pos);
    // What this character adds to the output: itself, or U+FFFD for one bad byte.
    const std::string_view piece = n == 0 ? std::string_view(kReplacement) : value.substr(pos, n);
    if (out.size() + piece.size() > max_bytes) return out + kEllipsis;
    out += piece;
    pos += n == 0 ? 1 : n;
  }
  return out;
}

}  // namespace gpufleet
