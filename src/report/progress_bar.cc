#include "gpufleet/report/progress_bar.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

namespace gpufleet::report {

namespace {

constexpr size_t kBarWidth = 30;  // cells; leaves room for counts and label on 80 columns
constexpr size_t kPercent = 100;

}  // namespace

bool IsTerminal(FILE* stream) { return stream != nullptr && isatty(fileno(stream)) == 1; }

ProgressBar::ProgressBar(std::ostream& out, bool enabled) : out_(out), enabled_(enabled) {}

void ProgressBar::Update(size_t done, size_t total, std::string_view label) {
  if (!enabled_) return;
  done = std::min(done, total);
  const size_t filled = total == 0 ? 0 : done * kBarWidth / total;
  const size_t pct = total == 0 ? 0 : done * kPercent / total;
  std::string line = fmt::format("[{}{}] {}/{} {} {:3}%", std::string(filled, '#'),
                                 std::string(kBarWidth - filled, '-'), done, total, label, pct);
  if (line == last_) return;
  // Blank out what is left of a longer previous line (e.g. a longer label).
  const size_t pad = last_.size() > line.size() ? last_.size() - line.size() : 0;
  out_ << '\r' << line << std::string(pad, ' ') << std::flush;
  last_ = std::move(line);
}

void ProgressBar::Finish() {
  if (!enabled_ || last_.empty()) return;
  out_ << '\n' << std::flush;
  last_.clear();
}

}  // namespace gpufleet::report
