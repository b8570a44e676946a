#pragma once
// `gpufleet impact`: what a proposed rule change (a change file, docs/compliance.md
// "Rule-change impact") would change for a fleet on a date: assets that become non-compliant
// or compliant by site, model and owner, jobs of a placement snapshot that lose their
// placement, new revenue-share and licence obligations, quota shares before and after. A
// table, JSON (--json) and, with --out DIR, impact.json and an SVG chart. Exit 0 whatever the
// impact, 1 on bad input.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <ostream>

namespace gpufleet::cli {

void AddImpactCommand(CLI::App& app, int& exit_code);

// The impact report as text, from its JSON (compliance::ImpactJson): the same for a fleet file,
// gpufleetd's living inventory and a rule change's dry run.
void WriteImpactText(const nlohmann::ordered_json& r, std::ostream& out);

}  // namespace gpufleet::cli
