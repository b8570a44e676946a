#include "api/http_target.h"

namespace gpufleet::api {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = HexDigit(text[i + 1]);
      const int lo = HexDigit(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += plus_is_space && c == '+' ? ' ' : c;
  }
  return out;
}

}  // namespace

RequestTarget ParseRequestTarget(std::string_view target) {
  RequestTarget out;
  if (target.empty() || target.front() != '/') return out;
  target = target.substr(0, target.find('#'));
  const size_t question = target.find('?');
  out.valid = true;
  const std::string_view raw_path = target.substr(0, question);
  out.path = PercentDecode(raw_path, /*plus_is_space=*/false);
  for (const std::string_view segment : SplitPath(raw_path)) {
    out.segments.push_back(PercentDecode(segment, /*plus_is_space=*/false));
  }
  if (question != std::string_view::npos) out.query = std::string(target.substr(question + 1));
  return out;
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  path.remove_prefix(1);  // the leading '/'
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    segments.push_back(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

std::multimap<std::string, std::string> ParseQuery(std::string_view query) {
  std::multimap<std::string, std::string> params;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), /*plus_is_space=*/true);
    if (key.empty()) continue;
    std::string value = eq == std::string_view::npos
                            ? std::string()
                            : PercentDecode(pair.substr(eq + 1), /*plus_is_space=*/true);
    params.emplace(std::move(key), std::move(value));
  }
  return params;
}

std::string AsciiLowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace gpufleet::api
