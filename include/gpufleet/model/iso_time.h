#pragma once
// Instants as text: milliseconds since the Unix epoch as ISO 8601 UTC with milliseconds
// ("2026-12-07T10:00:00.000Z"), the spelling of every time the API and the findings write.

#include <cstdint>
#include <string>

namespace gpufleet {

std::string FormatIsoTime(int64_t ms);

}  // namespace gpufleet
