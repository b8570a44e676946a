#pragma once
// `gpufleet rules [--at DATE]`: the rules in force on a date and the licences on file with
// what each amounts to that day: from the rule files (--rules, --overlay), or with --url as
// gpufleetd runs them. A table, or JSON (--json). Exit 0, 1 on bad input.

#include <CLI/CLI.hpp>

namespace gpufleet::cli {

void AddRulesCommand(CLI::App& app, int& exit_code);

}  // namespace gpufleet::cli
