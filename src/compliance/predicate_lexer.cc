#include "compliance/predicate_lexer.h"

#include <charconv>

#include "gpufleet/model/utf8.h"

namespace gpufleet::compliance::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsWordChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '_'; }
bool IsItemChar(char c) { return IsWordChar(c) || c == '-' || c == '.' || c == ':'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

TokenKind WordKind(std::string_view word) {
  struct Keyword {
    std::string_view lower;
    TokenKind kind;
  };
  static constexpr Keyword kKeywords[] = {
      {"and", TokenKind::kAnd}, {"or", TokenKind::kOr},     {"not", TokenKind::kNot},
      {"in", TokenKind::kIn},   {"true", TokenKind::kTrue}, {"false", TokenKind::kFalse},
  };
  for (const Keyword& k : kKeywords) {
    if (EqualsIgnoreCase(word, k.lower)) return k.kind;
  }
  return TokenKind::kWord;
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> out;
    while (true) {
      while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
      if (pos_ == text_.size()) break;
      Token t;
      t.begin = pos_;
      GPUFLEET_RETURN_IF_ERROR(in_braces_ ? NextInBraces(t) : Next(t));
      t.end = pos_;
      out.push_back(std::move(t));
    }
    Token end;
    end.begin = end.end = text_.size();
    out.push_back(std::move(end));
    return out;
  }

 private:
  Status Error(size_t offset, std::string_view what) const {
    return PredicateError(text_, offset, what);
  }
  bool At(char c, size_t ahead = 0) const {
    return pos_ + ahead < text_.size() && text_[pos_ + ahead] == c;
  }

  Status Next(Token& t) {
    const char c = text_[pos_];
    if (IsDigit(c) || (c == '.' && pos_ + 1 < text_.size() && IsDigit(text_[pos_ + 1]))) {
      return Number(t);
    }
    if (IsAlpha(c) || c == '_') {
      while (pos_ < text_.size() && (IsWordChar(text_[pos_]) || text_[pos_] == ':')) ++pos_;
      t.text = std::string(text_.substr(t.begin, pos_ - t.begin));
      t.kind = WordKind(t.text);
      return Status::Ok();
    }
    if (c == '"') return String(t);
    // Two-character operators first, so "<=" is not read as "<" then "=".
    struct Op {
      std::string_view spelling;
      TokenKind kind;
    };
    static constexpr Op kOps[] = {
        {"==", TokenKind::kEq},    {"!=", TokenKind::kNe},    {"<=", TokenKind::kLe},
        {">=", TokenKind::kGe},    {"&&", TokenKind::kAnd},   {"||", TokenKind::kOr},
        {"<", TokenKind::kLt},     {">", TokenKind::kGt},     {"!", TokenKind::kNot},
        {"&", TokenKind::kAmp},    {"|", TokenKind::kPipe},   {"(", TokenKind::kLParen},
        {")", TokenKind::kRParen}, {"{", TokenKind::kLBrace}, {"}", TokenKind::kRBrace},
        {",", TokenKind::kComma},  {"+", TokenKind::kPlus},   {"-", TokenKind::kMinus},
        {"*", TokenKind::kStar},   {"/", TokenKind::kSlash},
    };
    for (const Op& op : kOps) {
      if (text_.substr(pos_).starts_with(op.spelling)) {
        t.kind = op.kind;
        pos_ += op.spelling.size();
        if (t.kind == TokenKind::kLBrace) in_braces_ = true;
        return Status::Ok();
      }
    }
    if (c == '=') return Error(pos_, "'=' is not an operator (use '==')");
    return Error(pos_, "unexpected character '" + Excerpt(std::string(1, c)) + "'");
  }

  Status NextInBraces(Token& t) {
    const char c = text_[pos_];
    if (c == '}') {
      t.kind = TokenKind::kRBrace;
      ++pos_;
      in_braces_ = false;
      return Status::Ok();
    }
    if (c == ',') {
      t.kind = TokenKind::kComma;
      ++pos_;
      return Status::Ok();
    }
    if (c == '"') return String(t);
    if (IsItemChar(c)) {
      while (pos_ < text_.size() && IsItemChar(text_[pos_])) ++pos_;
      t.kind = TokenKind::kItem;
      t.text = std::string(text_.substr(t.begin, pos_ - t.begin));
      if (At('*')) {
        t.wildcard = true;
        ++pos_;
      }
      return Status::Ok();
    }
    if (c == '*') return Error(pos_, "a wildcard needs a prefix, as in 'Gaudi*'");
    return Error(pos_, "unexpected character '" + Excerpt(std::string(1, c)) + "' in a set");
  }

  // Digits with '_' separators between them, an optional fraction and exponent.
  Status Number(Token& t) {
    auto digits = [&] {
      while (pos_ < text_.size() && (IsDigit(text_[pos_]) || text_[pos_] == '_')) ++pos_;
    };
    digits();
    if (At('.')) {
      ++pos_;
      digits();
    }
    if (At('e') || At('E')) {
      size_t k = pos_ + 1;
      if (CharAt(k) == '+' || CharAt(k) == '-') ++k;
      if (IsDigit(CharAt(k))) {
        pos_ = k;
        digits();
      }
    }
    // Read the whole of "4090D" so the message shows what was written.
    while (pos_ < text_.size() && (IsWordChar(text_[pos_]) || text_[pos_] == '.')) ++pos_;
    const std::string_view raw = text_.substr(t.begin, pos_ - t.begin);
    std::string plain;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '_') {
        plain.push_back(raw[i]);
        continue;
      }
      // A separator sits between two digits, never at either end of a digit run.
      if (i == 0 || i + 1 == raw.size() || !IsDigit(raw[i - 1]) || !IsDigit(raw[i + 1])) {
        return Error(t.begin, "malformed number '" + Excerpt(raw) + "'");
      }
    }
    double value = 0;
    const char* end = plain.data() + plain.size();
    const auto [p, ec] = std::from_chars(plain.data(), end, value);
    if (ec != std::errc() || p != end) {
      return Error(t.begin, "malformed number '" + Excerpt(raw) + "'");
    }
    t.kind = TokenKind::kNumber;
    t.number = value;
    return Status::Ok();
  }

  char CharAt(size_t i) const { return i < text_.size() ? text_[i] : '\0'; }

  // "..." with \" and \\ as the only escapes: predicates live in YAML, which has its own.
  Status String(Token& t) {
    ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\') {
        if (!At('"', 1) && !At('\\', 1)) {
          return Error(pos_, "unknown escape in string (only \\\" and \\\\)");
        }
        ++pos_;
      }
      t.text.push_back(text_[pos_]);
      ++pos_;
    }
    if (pos_ == text_.size()) return Error(t.begin, "unterminated string");
    ++pos_;
    t.kind = TokenKind::kString;
    return Status::Ok();
  }

  std::string_view text_;
  size_t pos_ = 0;
  bool in_braces_ = false;
};

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view text) { return Lexer(text).Run(); }

Status PredicateError(std::string_view text, size_t offset, std::string_view what) {
  return Status::InvalidArgument(std::string(what) + " at column " + std::to_string(offset + 1) +
                                 " in '" + Excerpt(text) + "'");
}

}  // namespace gpufleet::compliance::internal
