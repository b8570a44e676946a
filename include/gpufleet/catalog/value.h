#pragma once
// A fact about a chip, a site, an organisation or a transfer, as rules read it: a boolean, a
// number, a string, or unknown (a blank in the catalog). Rules evaluate three-valued: a
// predicate that depends on an unknown fact is "unknown", never silently false.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace gpufleet::catalog {

using Value = std::variant<std::monostate, bool, double, std::string>;

enum class ValueType : uint8_t { kBool, kNumber, kString };

inline bool IsUnknown(const Value& v) { return std::holds_alternative<std::monostate>(v); }

// Three-valued truth (Kleene): kUnknown when the answer depends on a missing fact.
enum class Tri : uint8_t { kFalse = 0, kTrue = 1, kUnknown = 2 };

std::string_view TriName(Tri t);

}  // namespace gpufleet::catalog
