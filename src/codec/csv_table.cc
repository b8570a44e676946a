#include "gpufleet/codec/csv_table.h"

#include <charconv>
#include <cmath>

#include "gpufleet/codec/text_file.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::codec {
namespace {

// Splits one logical record starting at `pos`; advances `pos` past its line end. Quoted
// fields may contain commas, doubled quotes and newlines (which advance `line`).
Status SplitRecord(std::string_view text, size_t& pos, int& line, const std::string& path,
                   std::vector<std::string>& out) {
  out.clear();
  std::string field;
  bool quoted = false;
  const int start_line = line;
  while (pos < text.size()) {
    const char c = text[pos];
    if (quoted) {
      if (c == '"') {
        if (pos + 1 < text.size() && text[pos + 1] == '"') {
          field.push_back('"');
          pos += 2;
          continue;
        }
        quoted = false;
        ++pos;
        continue;
      }
      if (c == '\n') ++line;
      field.push_back(c);
      ++pos;
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = true;
      ++pos;
    } else if (c == ',') {
      out.push_back(std::move(field));
      field.clear();
      ++pos;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') ++pos;
      ++pos;
      ++line;
      out.push_back(std::move(field));
      return Status::Ok();
    } else {
      field.push_back(c);
      ++pos;
    }
  }
  if (quoted) {
    return Status::InvalidArgument(path + ":" + std::to_string(start_line) +
                                   ": unterminated quoted field");
  }
  out.push_back(std::move(field));
  ++line;
  return Status::Ok();
}

bool IsBlank(const std::vector<std::string>& fields) {
  return fields.size() == 1 && fields[0].find_first_not_of(" \t") == std::string::npos;
}

}  // namespace

Result<CsvTable> CsvTable::Read(const std::string& path) {
  Result<std::string> text = ReadTextFile(path);  // checks UTF-8
  if (!text.ok()) return text.status();
  return ParseCheckedText(*text, path);
}

Result<CsvTable> CsvTable::Parse(std::string_view text, const std::string& path) {
  GPUFLEET_RETURN_IF_ERROR(CheckUtf8(text, path));
  return ParseCheckedText(text, path);
}

Result<CsvTable> CsvTable::ParseCheckedText(std::string_view text, const std::string& path) {
  CsvTable t;
  t.path_ = path;
  size_t pos = 0;
  int line = 1;
  std::vector<std::string> fields;
  bool have_header = false;
  while (pos < text.size()) {
    const int record_line = line;
    GPUFLEET_RETURN_IF_ERROR(SplitRecord(text, pos, line, path, fields));
    if (IsBlank(fields)) continue;
    if (!have_header) {
      t.header_ = fields;
      have_header = true;
      continue;
    }
    if (fields.size() != t.header_.size()) {
      return Status::InvalidArgument(path + ":" + std::to_string(record_line) + ": expected " +
                                     std::to_string(t.header_.size()) + " columns (" +
                                     "as the header), found " + std::to_string(fields.size()));
    }
    t.rows_.push_back(Row{record_line, fields});
  }
  if (!have_header) return Status::InvalidArgument(path + ": empty file, no header row");
  return t;
}

std::optional<size_t> CsvTable::Column(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return i;
  }
  return std::nullopt;
}

Status CsvTable::RequireColumns(std::initializer_list<std::string_view> names) const {
  for (std::string_view n : names) {
    if (!Column(n)) {
      return Status::InvalidArgument(path_ + ":1: missing column '" + Excerpt(n) + "'");
    }
  }
  return Status::Ok();
}

Status CsvTable::Error(const Row& row, std::optional<size_t> column,
                       const std::string& message) const {
  std::string where = path_ + ":" + std::to_string(row.line);
  if (column) where += ":" + std::to_string(*column + 1);
  std::string what = message;
  if (column && *column < header_.size()) what = Excerpt(header_[*column]) + ": " + message;
  return Status::InvalidArgument(where + ": " + what);
}

Result<int64_t> CsvTable::Int(const Row& row, size_t column) const {
  const std::string& s = row.fields[column];
  if (s.empty()) return Error(row, column, "empty, expected an integer");
  int64_t v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec == std::errc::result_out_of_range)
    return Error(row, column, "'" + Excerpt(s) + "' out of range");
  if (ec != std::errc() || p != end) {
    return Error(row, column, "'" + Excerpt(s) + "' is not an integer");
  }
  return v;
}

Result<int64_t> CsvTable::NonNegativeInt(const Row& row, size_t column) const {
  Result<int64_t> v = Int(row, column);
  if (!v.ok()) return v;
  if (*v < 0) return Error(row, column, "negative value " + std::to_string(*v));
  return v;
}

Result<double> CsvTable::Number(const Row& row, size_t column) const {
  const std::string& s = row.fields[column];
  if (s.empty()) return Error(row, column, "empty, expected a number");
  double v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end || !std::isfinite(v)) {
    return Error(row, column, "'" + Excerpt(s) + "' is not a number");
  }
  return v;
}

}  // namespace gpufleet::codec
