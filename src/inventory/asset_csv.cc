#include "inventory/asset_csv.h"

#include <fstream>
#include <optional>

#include "gpufleet/codec/csv_table.h"

namespace gpufleet::inventory {
namespace {

// The header is the first non-blank line; CsvTable does not keep its number, and inventory
// files start with it.
constexpr int kHeaderLine = 1;

// Maps each header column to its AssetColumn; rejects unknown, repeated and missing columns.
Result<std::vector<const AssetColumn*>> HeaderColumns(const codec::CsvTable& t) {
  const std::string where = t.path() + ":" + std::to_string(kHeaderLine);
  std::vector<const AssetColumn*> cols;
  for (size_t i = 0; i < t.header().size(); ++i) {
    const std::string& name = t.header()[i];
    const std::string at = where + ":" + std::to_string(i + 1) + ": " + name + ": ";
    const AssetColumn* c = FindAssetColumn(name);
    if (c == nullptr) {
      return Status::InvalidArgument(at + "unknown column (known: " + AssetColumnList() + ")");
    }
    for (const AssetColumn* seen : cols) {
      if (seen == c) return Status::InvalidArgument(at + "column given twice");
    }
    cols.push_back(c);
  }
  for (const AssetColumn& c : AssetColumns()) {
    if (!c.required) continue;
    bool present = false;
    for (const AssetColumn* seen : cols) present = present || seen == &c;
    if (!present) {
      return Status::InvalidArgument(where + ": " + std::string(c.name) +
                                     ": missing column; every asset needs one");
    }
  }
  return cols;
}

std::optional<size_t> IndexOf(const std::vector<const AssetColumn*>& cols, std::string_view name) {
  for (size_t i = 0; i < cols.size(); ++i) {
    if (cols[i]->name == name) return i;
  }
  return std::nullopt;
}

// RFC 4180: quote a field that holds a separator, a quote or a line break; quotes double.
void WriteField(std::ostream& out, const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) {
    out << s;
    return;
  }
  out << '"';
  for (const char c : s) {
    if (c == '"') out << '"';
    out << c;
  }
  out << '"';
}

}  // namespace

Status ReadAssetsCsv(const std::string& path, const AssetRefs& refs, std::vector<Asset>& out) {
  Result<codec::CsvTable> table = codec::CsvTable::Read(path);
  if (!table.ok()) return table.status();
  const codec::CsvTable& t = *table;
  Result<std::vector<const AssetColumn*>> cols = HeaderColumns(t);
  if (!cols.ok()) return cols.status();
  for (const codec::CsvTable::Row& row : t.rows()) {
    Asset asset;
    asset.file = path;
    asset.line = row.line;
    for (size_t i = 0; i < cols->size(); ++i) {
      const AssetColumn& c = *(*cols)[i];
      const std::string& text = row.fields[i];
      if (text.empty()) {
        if (c.required) return t.Error(row, i, "empty; every asset needs one");
        continue;
      }
      const Status s = c.set(refs, text, asset);
      if (!s.ok()) return t.Error(row, i, s.message());
    }
    if (const std::optional<AssetProblem> p = CheckAsset(refs, asset)) {
      return t.Error(row, IndexOf(*cols, p->column), p->what);
    }
    out.push_back(std::move(asset));
  }
  return Status::Ok();
}

Status WriteAssetsCsv(const std::string& path, const std::vector<Asset>& assets) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IOError(path + ": cannot open for writing");
  bool first = true;
  for (const AssetColumn& c : AssetColumns()) {
    out << (first ? "" : ",") << c.name;
    first = false;
  }
  out << '\n';
  for (const Asset& a : assets) {
    first = true;
    for (const AssetColumn& c : AssetColumns()) {
      if (!first) out << ',';
      WriteField(out, c.get(a));
      first = false;
    }
    out << '\n';
  }
  out.flush();
  if (!out) return Status::IOError(path + ": write failed");
  return Status::Ok();
}

}  // namespace gpufleet::inventory
