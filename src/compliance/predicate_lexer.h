#pragma once
// Splits predicate text into tokens. The lexer tracks one piece of context itself: between
// '{' and '}' it reads set items, whose bare form (4090D, RTX-4090, Gaudi*, D:5) would be
// numbers, operators or errors anywhere else.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/status.h"

namespace gpufleet::compliance::internal {

enum class TokenKind : uint8_t {
  kEnd,
  kNumber,
  kString,  // "..." (text holds the unescaped contents)
  kWord,    // identifier or group name outside braces: [A-Za-z_][A-Za-z0-9_:]*
  kItem,    // bare set item inside braces; `wildcard` when it ended in '*'
  kLParen,
  kRParen,
  kLBrace,
  kRBrace,
  kComma,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,
  kOr,
  kNot,
  kIn,
  kTrue,
  kFalse,
  kPipe,  // set union
  kAmp,   // set intersection
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t begin = 0;  // byte offsets into the text: [begin, end)
  size_t end = 0;
  std::string text;  // kWord, kItem (without the '*'), kString
  double number = 0;
  bool wildcard = false;
};

// The whole text as tokens, always ending with one kEnd token (at the end of the text).
Result<std::vector<Token>> Tokenize(std::string_view text);

// The error every predicate parse reports: "<what> at column N in '<text>'", N 1-based.
Status PredicateError(std::string_view text, size_t offset, std::string_view what);

}  // namespace gpufleet::compliance::internal
