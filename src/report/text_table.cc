#include "gpufleet/report/text_table.h"

#include <algorithm>

namespace gpufleet::report {

namespace {

constexpr std::string_view kColumnGap = "  ";

// Display width of UTF-8 text: code points, i.e. bytes that are not continuation bytes.
// Every character we put in tables ("±" included) is one column wide.
size_t DisplayWidth(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void WriteRow(const std::vector<std::string>& cells, const std::vector<size_t>& widths,
              std::ostream& out) {
  static const std::string kEmpty;
  std::string line;
  for (size_t c = 0; c < widths.size(); ++c) {
    const std::string& cell = c < cells.size() ? cells[c] : kEmpty;
    const std::string pad(widths[c] - DisplayWidth(cell), ' ');
    if (c > 0) line += kColumnGap;
    line += c == 0 ? cell + pad : pad + cell;
  }
  // The first column is padded on the right; trailing blanks would only be noise.
  line.erase(line.find_last_not_of(' ') + 1);
  out << line << '\n';
}

}  // namespace

void WriteTextTable(const std::vector<std::string>& header,
                    const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
  std::vector<size_t> widths(header.size());
  for (size_t c = 0; c < header.size(); ++c) widths[c] = DisplayWidth(header[c]);
  for (const auto& row : rows) {
    for (size_t c = 0; c < std::min(row.size(), widths.size()); ++c) {
      widths[c] = std::max(widths[c], DisplayWidth(row[c]));
    }
  }
  WriteRow(header, widths, out);
  size_t total = 0;
  for (size_t w : widths) total += w;
  if (!widths.empty()) total += kColumnGap.size() * (widths.size() - 1);
  out << std::string(total, '-') << '\n';
  for (const auto& row : rows) WriteRow(row, widths, out);
}

}  // namespace gpufleet::report
