#pragma once
// Concat("a", b, "c"): strings joined by appending. The ledger tests build notes and files
// from literal pieces, and GCC 12 at -O2 reports false -Warray-bounds errors for chains of
// std::string operator+ on literals (tests/model/utf8_test.cc meets the same bug).

#include <initializer_list>
#include <string>
#include <string_view>

namespace gpufleet::ledger::testing {

inline std::string Concat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const std::string_view p : parts) out.append(p);
  return out;
}

}  // namespace gpufleet::ledger::testing
