#pragma once
// JSON text that can always be written. nlohmann's dump() throws type_error 316 when a string
// holds bytes that are not UTF-8, which turned one bad byte in, say, an asset serial into a
// `--json` run with no output and exit 70. Every dump of our own output goes through here:
// invalid bytes become U+FFFD instead, so `--json` output never fails.

#include <nlohmann/json.hpp>
#include <string>

namespace gpufleet::report {

// `j` as text, indented by `indent` spaces per level (-1: one line, as dump()); never throws
// on the strings it holds. For nlohmann::json and nlohmann::ordered_json alike.
template <typename Json>
std::string DumpJson(const Json& j, int indent = -1) {
  return j.dump(indent, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

}  // namespace gpufleet::report
