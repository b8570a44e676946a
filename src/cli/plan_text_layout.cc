#include "cli/plan_text_layout.h"

#include <algorithm>
#include <sstream>

#include "gpufleet/report/text_table.h"

namespace gpufleet::cli {
namespace {

std::string Render(const std::vector<std::string>& header,
                   const std::vector<std::vector<std::string>>& rows) {
  std::ostringstream out;
  report::WriteTextTable(header, rows, out);
  return out.str();
}

size_t Widest(const std::string& text) {
  size_t widest = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) widest = std::max(widest, TextWidth(line));
  return widest;
}

// Columns `keep` of every row (and the header).
std::vector<std::string> Pick(const std::vector<std::string>& row,
                              const std::vector<size_t>& keep) {
  std::vector<std::string> out;
  for (size_t c : keep) out.push_back(c < row.size() ? row[c] : "");
  return out;
}

}  // namespace

size_t TextWidth(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void WriteWrapped(const std::string& first, const std::string& indent, const std::string& text,
                  size_t width, std::ostream& out) {
  std::string line = first;
  // The first word follows `first` after a space ("  - The ..."); later lines start at
  // `indent` as given.
  bool empty = first.empty() || first.back() == ' ';
  std::istringstream words(text);
  for (std::string word; words >> word;) {
    if (!empty && width > 0 && TextWidth(line) + 1 + TextWidth(word) > width) {
      out << line << '\n';
      line = indent;
      empty = true;
    }
    line += (empty ? "" : " ") + word;
    empty = false;
  }
  out << line << '\n';
}

void WriteFittedTable(const std::vector<std::string>& header,
                      const std::vector<std::vector<std::string>>& rows, size_t width,
                      std::ostream& out) {
  const std::string table = Render(header, rows);
  if (width == 0 || Widest(table) <= width) {
    out << table;
    return;
  }
  for (const auto& row : rows) {
    std::string fields;
    for (size_t c = 1; c < header.size() && c < row.size(); ++c) {
      if (row[c].empty()) continue;
      fields += (fields.empty() ? "" : ", ") + header[c] + " " + row[c];
    }
    WriteWrapped(row.empty() ? "" : row[0] + ":", "    ", fields, width, out);
  }
}

void WriteMonthTable(const std::vector<std::string>& header,
                     const std::vector<std::vector<std::string>>& rows, size_t months, size_t width,
                     std::ostream& out) {
  const std::string table = Render(header, rows);
  if (width == 0 || Widest(table) <= width || months <= 1) {
    out << table;
    return;
  }
  // The fewest blocks, of about equal numbers of months, that keep every block within the
  // width.
  for (size_t n_blocks = 2; n_blocks <= months; ++n_blocks) {
    const size_t per_block = (months + n_blocks - 1) / n_blocks;
    std::vector<std::string> blocks;
    bool fits = true;
    for (size_t from = 1; from <= months && fits; from += per_block) {
      std::vector<size_t> keep{0};
      const size_t to = std::min(months + 1, from + per_block);
      for (size_t c = from; c < to; ++c) keep.push_back(c);
      if (to == months + 1) {
        for (size_t c = months + 1; c < header.size(); ++c) keep.push_back(c);
      }
      std::vector<std::vector<std::string>> picked;
      for (const auto& row : rows) picked.push_back(Pick(row, keep));
      blocks.push_back(Render(Pick(header, keep), picked));
      fits = Widest(blocks.back()) <= width;
    }
    if (fits || per_block == 1 || n_blocks == months) {
      for (size_t b = 0; b < blocks.size(); ++b) out << (b ? "\n" : "") << blocks[b];
      return;
    }
  }
}

}  // namespace gpufleet::cli
