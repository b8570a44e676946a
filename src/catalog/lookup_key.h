#pragma once
// The form in which catalog ids and aliases are compared: ASCII lower case, so "h100" and
// "H100" name the same model in inventories and rules. Non-ASCII bytes are kept as they are.

#include <string>
#include <string_view>

namespace gpufleet::catalog {

inline std::string LookupKey(std::string_view name) {
  std::string key(name);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

}  // namespace gpufleet::catalog
