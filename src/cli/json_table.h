#pragma once
// Server replies (JSON) as terminal text for the client commands: a table of objects, or one
// object as "key: value" lines.

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace gpufleet::cli {

// One cell: strings bare, null and "" as "-", numbers as written, arrays of scalars joined by
// ",", anything else as compact JSON.
std::string CellText(const nlohmann::json& value);

// A table of the objects in `rows` with these columns (a missing key is "-"); when `columns`
// is empty, the keys of the first object whose values are not objects or arrays of objects.
void WriteJsonTable(const nlohmann::json& rows, std::vector<std::string> columns,
                    std::ostream& out);

// "key: value" lines of `object`; array-of-object values as an indented table.
void WriteJsonFields(const nlohmann::json& object, std::ostream& out);

}  // namespace gpufleet::cli
