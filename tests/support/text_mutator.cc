#include "support/text_mutator.h"

#include <array>
#include <string_view>
#include <vector>

namespace gpufleet::testing {
namespace {

// Values that stress each kind of field: numbers out of range or not finite, countries that
// are not assigned codes, names that are not catalog models, text that is not UTF-8, dates
// that do not exist, types that do not fit.
constexpr std::array<std::string_view, 34> kHostileValues = {"1e999",
                                                             "-1e999",
                                                             ".nan",
                                                             ".inf",
                                                             "-0",
                                                             "0",
                                                             "-1",
                                                             "2147483648",
                                                             "1e308",
                                                             "99999999999999999999",
                                                             "3.5.1",
                                                             "XX",
                                                             "UK",
                                                             "cn",
                                                             "China",
                                                             "ZZZ",
                                                             "\"\"",
                                                             "no-such-model",
                                                             "H2O",
                                                             "\xff\xfe",
                                                             "\xc3\x28",
                                                             "caf\xe9",
                                                             "2025-02-30",
                                                             "0000-00-00",
                                                             "9999-99-99",
                                                             "[]",
                                                             "{}",
                                                             "[[[[[[[[]]]]]]]]",
                                                             "{a: {b: {c: [1, {d: 2}]}}}",
                                                             "~",
                                                             "true",
                                                             "\"\\u0000\"",
                                                             "&anchor x",
                                                             "*nope"};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      if (start < text.size()) lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + '\n';
  return out;
}

}  // namespace

std::string TextMutator::Mutate(const std::string& text, std::string* what) {
  std::string out = text;
  const int n = 1 + static_cast<int>(rng_.Uniform(3));
  for (int i = 0; i < n; ++i) out = MutateOnce(std::move(out), what);
  return out;
}

std::string TextMutator::MutateOnce(std::string text, std::string* what) {
  const auto note = [&](std::string_view name) {
    if (what) *what += (what->empty() ? "" : ",") + std::string(name);
  };
  std::vector<std::string> lines = Lines(text);
  if (lines.empty()) lines.push_back("");
  const size_t li = rng_.Uniform(lines.size());
  std::string& line = lines[li];
  switch (rng_.Uniform(10)) {
    case 0: {  // a byte flipped anywhere
      if (text.empty()) return "\xff";
      text[rng_.Uniform(text.size())] ^= static_cast<char>(1 + rng_.Uniform(255));
      note("flip");
      return text;
    }
    case 1: {  // a value replaced by a hostile one (after "key:" or a CSV comma)
      const std::string_view v = kHostileValues[rng_.Uniform(kHostileValues.size())];
      size_t at = line.find(": ");
      if (at != std::string::npos) {
        line = line.substr(0, at + 2) + std::string(v);
      } else if ((at = line.find(',')) != std::string::npos) {
        std::vector<size_t> commas;
        for (size_t i = 0; i < line.size(); ++i) {
          if (line[i] == ',') commas.push_back(i);
        }
        const size_t c = commas[rng_.Uniform(commas.size())];
        const size_t next = line.find(',', c + 1);
        line = line.substr(0, c + 1) + std::string(v) +
               (next == std::string::npos ? "" : line.substr(next));
      } else {
        line += std::string(v);
      }
      note("value");
      break;
    }
    case 2:  // a line deleted
      lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(li));
      note("delete");
      break;
    case 3:  // a line duplicated
      lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(li), lines[li]);
      note("duplicate");
      break;
    case 4: {  // two lines swapped
      const size_t other = rng_.Uniform(lines.size());
      std::swap(lines[li], lines[other]);
      note("swap");
      break;
    }
    case 5:  // truncated at a random byte
      note("truncate");
      return text.substr(0, rng_.Uniform(text.size() + 1));
    case 6: {  // random bytes inserted
      std::string junk;
      const size_t n = 1 + rng_.Uniform(16);
      for (size_t i = 0; i < n; ++i) junk += static_cast<char>(rng_.Uniform(256));
      text.insert(rng_.Uniform(text.size() + 1), junk);
      note("junk");
      return text;
    }
    case 7:  // indentation changed: the line moves to another level of the structure
      if (rng_.Uniform(2)) {
        line = "  " + line;
      } else if (!line.empty() && line[0] == ' ') {
        line.erase(0, 1);
      }
      note("indent");
      break;
    case 8: {  // a digit changed in a number (dates, thresholds, ids)
      std::vector<size_t> digits;
      for (size_t i = 0; i < line.size(); ++i) {
        if (line[i] >= '0' && line[i] <= '9') digits.push_back(i);
      }
      if (digits.empty()) return text;
      line[digits[rng_.Uniform(digits.size())]] = static_cast<char>('0' + rng_.Uniform(10));
      note("digit");
      break;
    }
    default:  // a whole line of hostile text
      line = std::string(kHostileValues[rng_.Uniform(kHostileValues.size())]);
      note("line");
      break;
  }
  return Join(lines);
}

}  // namespace gpufleet::testing
