#pragma once
// Whole input files read into memory: every format we read (YAML scenarios, rule files,
// overlays) is hand-written and small.

#include <string>

#include "gpufleet/status.h"

namespace gpufleet::codec {

// The whole file at `path`; IOError naming it when it cannot be read, InvalidArgument
// "<path>:<line>:<column>: invalid UTF-8 ..." when it is not UTF-8 text (CheckUtf8).
Result<std::string> ReadTextFile(const std::string& path);

}  // namespace gpufleet::codec
