#pragma once
// Verdicts on the terminal and as JSON, shared by the compliance commands.

#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "gpufleet/compliance/engine.h"
#include "gpufleet/compliance/report_json.h"

namespace gpufleet::cli {

// Fact name -> how the user can state it ("from_country" -> "--from COUNTRY"), for facts a
// verdict's manual classification depends on.
using FactPrompts = std::map<std::string, std::string, std::less<>>;

// The verdict (compliance::VerdictJson, here or from gpufleetd): the overall action, the
// missing facts that decide it (with the prompt for each), one line per jurisdiction, then the
// rules behind each with their ids and sources.
void WriteVerdict(const nlohmann::ordered_json& verdict, std::ostream& out,
                  const FactPrompts& prompts = {});

// Exit status for a verdict: 0 when the move may go ahead (possibly with conditions), 3 when it
// needs a licence or is prohibited, 4 when a chip needs manual classification first.
int VerdictExitCode(const nlohmann::ordered_json& verdict);

}  // namespace gpufleet::cli
