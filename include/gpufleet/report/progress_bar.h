#pragma once
// A one-line progress bar for long simulations, redrawn in place with '\r'. It is meant for
// an interactive stderr: when output goes to a file or pipe, construct it disabled so logs
// stay free of control characters.
// Thread safety: none; call from one thread.

#include <cstddef>
#include <cstdio>
#include <ostream>
#include <string>
#include <string_view>

namespace gpufleet::report {

// True when `stream` is an interactive terminal (isatty). False for nullptr.
bool IsTerminal(FILE* stream);

class ProgressBar {
 public:
  // `out` must outlive the bar. A disabled bar writes nothing at all.
  ProgressBar(std::ostream& out, bool enabled);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Redraws the line as "[#####-----] done/total label pct%". `done` is clamped to `total`;
  // total == 0 draws an empty bar. Identical consecutive lines are not redrawn.
  void Update(size_t done, size_t total, std::string_view label);
  // Ends the bar's line so later output starts on a fresh one. Writes nothing when nothing
  // was drawn; calling it twice is harmless.
  void Finish();

 private:
  std::ostream& out_;
  bool enabled_;
  std::string last_;  // the line currently on screen; empty when none
};

}  // namespace gpufleet::report
