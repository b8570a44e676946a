#pragma once
// Plain-text tables for the terminal: columns padded to their widest cell, the first column
// left-aligned (names) and the rest right-aligned (numbers).

#include <ostream>
#include <string>
#include <vector>

namespace gpufleet::report {

// Writes `header`, a rule of dashes, then `rows`. Widths count UTF-8 code points, so cells
// holding "±" stay aligned. Rows shorter than the header are padded with empty cells.
void WriteTextTable(const std::vector<std::string>& header,
                    const std::vector<std::vector<std::string>>& rows, std::ostream& out);

}  // namespace gpufleet::report
