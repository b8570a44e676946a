#pragma once
// Fitting the plan's text output to a terminal or an e-mail: tables that keep within a line
// width (month columns split into blocks of months, other tables written as one record per
// line when they would not fit), and sentences wrapped at word boundaries. A width of 0 means
// no limit (`gpufleet plan --wide`).

#include <ostream>
#include <string>
#include <vector>

namespace gpufleet::cli {

// The default width of `gpufleet plan` text: fits a terminal of 120 columns and most mail.
inline constexpr size_t kPlanTextWidth = 120;

// Display width of UTF-8 text (code points).
size_t TextWidth(const std::string& text);

// A table as report::WriteTextTable writes it when every line fits `width`; otherwise each
// row as "first cell: header cell, header cell, ...", wrapped.
void WriteFittedTable(const std::vector<std::string>& header,
                      const std::vector<std::vector<std::string>>& rows, size_t width,
                      std::ostream& out);

// A table whose columns [1, 1 + months) are months and whose later columns are totals: when it
// is wider than `width`, it is written as several tables, each with the first column and as
// many months as fit, the totals with the last.
void WriteMonthTable(const std::vector<std::string>& header,
                     const std::vector<std::vector<std::string>>& rows, size_t months, size_t width,
                     std::ostream& out);

// `text` wrapped at spaces to `width`, the first line after `first`, later lines after
// `indent` (a word longer than a line is left whole).
void WriteWrapped(const std::string& first, const std::string& indent, const std::string& text,
                  size_t width, std::ostream& out);

}  // namespace gpufleet::cli
