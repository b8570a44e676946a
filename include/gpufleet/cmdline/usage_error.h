#pragma once
// How `gpufleet` and `gpufleetd` end on a command line they cannot use. CLI11 would exit with
// its own codes (104-109 by kind of mistake); scripts should not have to know them, so every
// usage error exits kExitUsage, the code of bad input, with the message and the usage line of
// the command being parsed. Asking for help is no error: `--help` prints and exits 0.

#include <CLI/CLI.hpp>
#include <iosfwd>

namespace gpufleet::cmdline {

// The exit status of a usage error: an unknown flag or subcommand, a missing or malformed
// value, a missing subcommand.
inline constexpr int kExitUsage = 1;

// Prints what `e` asks for and returns the exit status: help (or the version) on `out` and 0;
// otherwise "<program> <subcommand...>: <message>", the usage line and a pointer to --help on
// `err`, and kExitUsage. `app` is the root that was parsed (a failed parse keeps the
// subcommands it entered, and the usage line is the innermost one's).
int ExitForParseError(const CLI::App& app, const CLI::ParseError& e, std::ostream& out,
                      std::ostream& err);

}  // namespace gpufleet::cmdline
