#pragma once
// Reading fields of the fleet YAML with errors that point into the file. yaml-cpp may throw
// while a document is walked; callers run these inside one try block (fleet_yaml.cc).

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gpufleet/status.h"

namespace gpufleet::inventory {

// One key/value pair of a map. Errors point at the value, or at the key when the value has no
// text of its own (an empty value).
struct YamlField {
  YAML::Node key;
  YAML::Node value;
  std::string name;
};

class YamlReporter {
 public:
  explicit YamlReporter(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  // "file:line:column" (1-based), or "file" for a node without a position.
  std::string Where(const YAML::Mark& m) const;
  // InvalidArgument "file:line:column: field: what".
  Status Error(const YAML::Node& at, std::string_view field, const std::string& what) const;
  Status Error(const YamlField& f, const std::string& what) const;

 private:
  std::string file_;
};

// "a map", "a list", "the scalar 'x'" or "an empty value": what was found where something
// else belongs.
std::string KindName(const YAML::Node& n);

// The pairs of `map`, in file order. Errors (at `at`, named `what`) when `map` is not a map,
// a key is not a plain name, or a key is given twice.
Result<std::vector<YamlField>> MapFields(const YamlReporter& r, const YAML::Node& map,
                                         std::string_view what);

// An error at `entry` for the first of `keys` that is not among `fields`: "<key>: missing;
// every <what> needs one".
Status RequireKeys(const YamlReporter& r, const YAML::Node& entry,
                   const std::vector<YamlField>& fields,
                   std::initializer_list<std::string_view> keys, std::string_view what);
// The field named `name`, or nullptr.
const YamlField* FindField(const std::vector<YamlField>& fields, std::string_view name);

// The elements of a list-valued field; an error when the value is not a list.
Result<std::vector<YAML::Node>> ListOf(const YamlReporter& r, const YamlField& f);

// Scalar readers. An empty value is an error: an unknown fact is written by leaving its key
// out, and only that way.
Result<std::string> ReadText(const YamlReporter& r, const YamlField& f);
Result<std::string> ReadSlug(const YamlReporter& r, const YamlField& f);
Result<std::string> ReadCountry(const YamlReporter& r, const YamlField& f);
Result<bool> ReadBool(const YamlReporter& r, const YamlField& f);
// A finite number written as a number (a quoted "20" is a string, and a mistake to report).
Result<double> ReadNumber(const YamlReporter& r, const YamlField& f);

// Moves a read value into `out`, or passes its error on:
//   GPUFLEET_RETURN_IF_ERROR(Assign(ReadText(r, f), site.name));
template <typename T, typename U>
Status Assign(Result<T> value, U& out) {
  if (!value.ok()) return value.status();
  out = std::move(value).value();
  return Status::Ok();
}

}  // namespace gpufleet::inventory
