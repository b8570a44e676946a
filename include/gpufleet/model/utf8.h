#pragma once
// UTF-8 for input text and for the messages that quote it. Every text file we read must be
// valid UTF-8 (CheckUtf8 runs where files are read, so a bad byte is reported where it is,
// not as a parse error further on or a JSON dump that throws), and every message quotes a
// value through Excerpt, so a megabyte of junk in an input never becomes a megabyte of stderr.

#include <cstddef>
#include <string>
#include <string_view>

#include "gpufleet/status.h"

namespace gpufleet {

// How many leading bytes of `text` are valid UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF); text.size() when all of it is.
size_t ValidUtf8Prefix(std::string_view text);

// OK when `text` is valid UTF-8; otherwise InvalidArgument
// "<file>:<line>:<column>: invalid UTF-8 (byte 0xNN); save the file as UTF-8", the place of the
// first bad byte (1-based; the column counts characters, as editors do). Scans no further than
// that byte.
Status CheckUtf8(std::string_view text, const std::string& file);

// The most bytes of a value that a message quotes.
inline constexpr size_t kMaxQuotedBytes = 200;

// `value` as a message quotes it: whole when it has at most `max_bytes` bytes, else its first
// `max_bytes` bytes or fewer, cut at a character boundary, followed by "…". Invalid bytes become
// U+FFFD, so a message is valid UTF-8 whatever it quotes (command-line arguments are not
// checked on the way in).
std::string Excerpt(std::string_view value, size_t max_bytes = kMaxQuotedBytes);

}  // namespace gpufleet
