#pragma once
// A request path for a route pattern, for tests that walk every route.

#include <string>
#include <string_view>

namespace gpufleet::testing {

// "/v1/jobs/{id}/cancel" with every {param} replaced by `value`.
inline std::string FillRoute(std::string_view pattern, std::string_view value) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{') {
      i = pattern.find('}', i);
      out += value;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

}  // namespace gpufleet::testing
