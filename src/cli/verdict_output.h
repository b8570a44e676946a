#pragma once
// Verdicts on the terminal and as JSON, shared by the compliance commands.

#include <nlohmann/json.hpp>
#include <ostream>

#include "gpufleet/compliance/engine.h"

namespace gpufleet::cli {

nlohmann::ordered_json VerdictJson(const compliance::Verdict& v);
// One line per jurisdiction, then the rules behind each.
void WriteVerdict(const compliance::Verdict& v, std::ostream& out);

// Exit status for a verdict: 0 when the move may go ahead (possibly with conditions), 3 when it
// needs a licence or is prohibited, 4 when a chip needs manual classification first.
int VerdictExitCode(const compliance::Verdict& v);

}  // namespace gpufleet::cli
