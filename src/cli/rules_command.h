#pragma once
// `gpufleet rules [--at DATE]`: the rules in force on a date and the licences on file with
// what each amounts to that day: from the rule files (--rules, --overlay), or with --url as
// gpufleetd runs them. A table, or JSON (--json). Exit 0, 1 on bad input.
// `gpufleet rules schedule FILE [--effective-at T] [--dry-run]`, `rules changes`, `rules
// withdraw ID`: rule changes scheduled on gpufleetd (exit 2 when the server refuses).

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <ostream>

namespace gpufleet::cli {

void AddRulesCommand(CLI::App& app, int& exit_code);

// The licences of a rules report (compliance::RulesInForceJson's "licences") as a table.
void WriteLicenceTable(const nlohmann::ordered_json& licences, std::ostream& out);

}  // namespace gpufleet::cli
