#pragma once
// `gpufleet rules [--at DATE]`: the rules in force on a date and the licences on file with
// what each amounts to that day: from the rule files (--rules, --overlay), or with --url as
// gpufleetd runs them. A table, or JSON (--json). Exit 0, 1 on bad input.
// `gpufleet rules schedule FILE [--effective-at T] [--dry-run]`, `rules changes`, `rules
// withdraw ID`: rule changes scheduled on gpufleetd (exit 2 when the server refuses).

#include <CLI/CLI.hpp>

namespace gpufleet::cli {

void AddRulesCommand(CLI::App& app, int& exit_code);

}  // namespace gpufleet::cli
