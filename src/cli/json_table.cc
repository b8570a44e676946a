#include "cli/json_table.h"

#include <algorithm>
#include <sstream>

#include "gpufleet/report/json_text.h"
#include "gpufleet/report/text_table.h"

namespace gpufleet::cli {
namespace {

bool IsTableOfObjects(const nlohmann::json& v) {
  return v.is_array() && !v.empty() &&
         std::all_of(v.begin(), v.end(), [](const nlohmann::json& e) { return e.is_object(); });
}

}  // namespace

std::string CellText(const nlohmann::json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    return s.empty() ? "-" : s;
  }
  if (value.is_array() && std::none_of(value.begin(), value.end(),
                                       [](const nlohmann::json& e) { return e.is_structured(); })) {
    if (value.empty()) return "-";
    std::string out;
    for (const nlohmann::json& e : value) {
      if (!out.empty()) out += ",";
      out += CellText(e);
    }
    return out;
  }
  return report::DumpJson(value);
}

void WriteJsonTable(const nlohmann::json& rows, std::vector<std::string> columns,
                    std::ostream& out) {
  if (!rows.is_array() || rows.empty()) {
    out << "(none)\n";
    return;
  }
  if (columns.empty()) {
    for (const auto& [key, value] : rows.front().items()) {
      if (!IsTableOfObjects(value) && !value.is_object()) columns.push_back(key);
    }
  }
  std::vector<std::vector<std::string>> cells;
  for (const nlohmann::json& row : rows) {
    std::vector<std::string>& line = cells.emplace_back();
    for (const std::string& c : columns) {
      line.push_back(row.is_object() && row.contains(c) ? CellText(row[c]) : "-");
    }
  }
  report::WriteTextTable(columns, cells, out);
}

void WriteJsonFields(const nlohmann::json& object, std::ostream& out) {
  size_t width = 0;
  for (const auto& [key, value] : object.items()) width = std::max(width, key.size());
  for (const auto& [key, value] : object.items()) {
    if (IsTableOfObjects(value)) {
      out << key << ":\n";
      std::ostringstream table;
      WriteJsonTable(value, {}, table);
      std::istringstream lines(table.str());
      for (std::string line; std::getline(lines, line);) out << "  " << line << '\n';
      continue;
    }
    out << key << ':' << std::string(width - key.size() + 1, ' ') << CellText(value) << '\n';
  }
}

}  // namespace gpufleet::cli
