#pragma once
// A small CSV reader for the trace, order and inventory files: RFC 4180 quoting, a header row,
// and errors that carry "path:line:column". Whole file in memory: the largest trace is ~600 KB.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/status.h"

namespace gpufleet::codec {

class CsvTable {
 public:
  struct Row {
    int line = 0;  // 1-based line number in the file
    std::vector<std::string> fields;
  };

  // Reads `path`; the first non-empty line is the header. Blank lines are skipped.
  static Result<CsvTable> Read(const std::string& path);
  // Parses `text` as if read from a file named `path` (for messages).
  static Result<CsvTable> Parse(std::string_view text, const std::string& path);

  const std::string& path() const { return path_; }
  const std::vector<std::string>& header() const { return header_; }
  const std::vector<Row>& rows() const { return rows_; }

  // Index of a header column, or nullopt.
  std::optional<size_t> Column(std::string_view name) const;
  // Error if any of `names` is missing from the header.
  Status RequireColumns(std::initializer_list<std::string_view> names) const;

  // "path:line:column: message", column 1-based (field number).
  Status Error(const Row& row, std::optional<size_t> column, const std::string& message) const;

  // Field parsers; the error names the row and column. Empty fields are errors.
  Result<int64_t> Int(const Row& row, size_t column) const;
  Result<int64_t> NonNegativeInt(const Row& row, size_t column) const;
  // A finite decimal number, the whole field ("8", "0.5", "1e3").
  Result<double> Number(const Row& row, size_t column) const;

 private:
  // Parse without the UTF-8 check, for text ReadTextFile has checked already.
  static Result<CsvTable> ParseCheckedText(std::string_view text, const std::string& path);

  std::string path_;
  std::vector<std::string> header_;
  std::vector<Row> rows_;
};

}  // namespace gpufleet::codec
