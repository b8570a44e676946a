#pragma once
// Strict reading of YAML maps, shared by the catalog, fleet and rule-file readers: every key
// known, every value of the expected type, and every error an InvalidArgument that names the
// place, "<file>:<line>:<column>: [<context>: ]<key>: <what>" (1-based, as editors count).
//
// ParseYaml copies the document out of yaml-cpp into plain YamlNode values. yaml-cpp's
// exceptions therefore stop inside ParseYaml, walking a document can neither throw nor change it
// (yaml-cpp's non-const operator[] inserts missing keys), and no yaml-cpp type reaches callers.
// The copy costs little: the files read this way are hand-written and small.
//
// Thread safety: every type here is a value; const methods are safe to call concurrently.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gpufleet/model/date.h"
#include "gpufleet/status.h"

namespace gpufleet::codec {

// One node of a parsed document.
class YamlNode {
 public:
  enum class Kind : uint8_t { kNull, kScalar, kList, kMap };
  struct Entry;

  YamlNode() = default;  // a null node without a position

  Kind kind() const { return kind_; }
  bool IsNull() const { return kind_ == Kind::kNull; }
  bool IsScalar() const { return kind_ == Kind::kScalar; }
  bool IsList() const { return kind_ == Kind::kList; }
  bool IsMap() const { return kind_ == Kind::kMap; }

  // The text of a scalar; "" for the other kinds.
  const std::string& scalar() const { return scalar_; }
  // A scalar written in quotes or as a block (| or >): "80" is then a string, not a number.
  bool quoted() const { return quoted_; }

  // 1-based position of the node's first character; both 0 when yaml-cpp gave none (an
  // empty document). An empty value sits wherever yaml-cpp found the next token.
  int line() const { return line_; }
  int column() const { return column_; }
  bool has_position() const { return line_ > 0; }

  // The elements of a list in file order; empty for the other kinds.
  const std::vector<YamlNode>& items() const { return items_; }
  // The pairs of a map in file order, repeated keys included; empty for the other kinds.
  const std::vector<Entry>& entries() const { return entries_; }

  // What the node is, for "expected X, got <this>": "a map", "a list", "the scalar 'x'" or
  // "an empty value".
  std::string Describe() const;

 private:
  friend class YamlNodeBuilder;  // yaml_map.cc: the copy out of yaml-cpp

  Kind kind_ = Kind::kNull;
  bool quoted_ = false;
  int line_ = 0;
  int column_ = 0;
  std::string scalar_;
  std::vector<YamlNode> items_;
  std::vector<Entry> entries_;
};

struct YamlNode::Entry {
  YamlNode key;
  YamlNode value;
};

// The largest YAML text we parse. Our YAML formats are written by hand (the largest shipped
// file, the rule history, is 50 KB); bulk data comes as CSV. yaml-cpp takes about half a second
// per MiB of a long list, and a hundred times its size in memory: unbounded, a 50 MB junk file
// given as --rules took half a minute and 5 GB to be refused.
inline constexpr size_t kMaxYamlBytes = size_t{4} << 20;

// What any YAML text must be before yaml-cpp sees it: UTF-8 (CheckUtf8's error) and at most
// kMaxYamlBytes ("<file>: <n> bytes, more than a YAML input may have (4 MiB) ..."). ParseYaml
// checks it; so must any other reader that hands text to yaml-cpp.
Status CheckYamlText(std::string_view text, const std::string& file);

// Parses the first document of `text`; `file` names it in messages. An empty document is a
// null node. Errors are InvalidArgument:
//   CheckYamlText's, for text that is not UTF-8 or too long;
//   "<file>:<line>:<column>: invalid YAML: <yaml-cpp's reason>" for a syntax error;
//   "<file>:<line>:<column>: document: ..." for nesting deeper than any of our formats needs,
//   or aliases that expand the document far beyond its size (or refer to themselves).
Result<YamlNode> ParseYaml(std::string_view text, const std::string& file);

// One key and its value: a pair of a map, or an element of a list-valued key (then `key` is
// the list's key). Points into the document, which must outlive it.
struct YamlField {
  const YamlNode* key = nullptr;
  const YamlNode* value = nullptr;
  // The name messages use: the key's text, or a path the caller builds ("dense_tops.fp16").
  std::string name;

  // Where an error about the value points: at the value, or at the key when the value is
  // empty or has no position (an empty value has no text of its own).
  const YamlNode& At() const;
};

// Formats errors about the nodes of one file.
class YamlErrors {
 public:
  // `context` names what is being read ("rule 'US-2023-HQ'"); "" for none.
  explicit YamlErrors(std::string file, std::string context = "");

  const std::string& file() const { return file_; }
  YamlErrors WithContext(std::string context) const;

  // "<file>:<line>:<column>", or "<file>" for a node without a position.
  std::string Where(const YamlNode& at) const;
  // InvalidArgument "<Where(at)>: <context>: <key>: <what>"; an empty context or key is left
  // out with its ": ".
  Status Error(const YamlNode& at, std::string_view key, std::string_view what) const;

 private:
  std::string file_;
  std::string context_;
};

// How strictly values are read. The defaults suit data files in which a fact is stated or
// left out, never half-written (the catalog and the fleet).
struct YamlReadOptions {
  // Whether a number, integer or boolean may be written in quotes ("80", "true"). When false, a
  // quoted value is a string, and a string where a number belongs is reported, not converted.
  // Default false. Rule files have always accepted quotes, so they set it.
  bool quoted_scalars_ok = false;
  // Whether `key:` with no value (or `key: ~`) counts as leaving the key out, for Find() and
  // the key readers. When false the key is present and reading it is an error ("no value;
  // leave the key out when it is unknown"). Default false; rule files set it.
  bool empty_is_absent = false;
};

// A map node read strictly. Holds pointers into the document: REQUIRES the document outlives
// the map and is not moved meanwhile. Copies are cheap (the fields, not the nodes).
class YamlMap {
 public:
  // Reads `node` as a map named `name` in messages ("" for none). Errors: not a map ("<name>:
  // expected a map, got ...", at the node); a key that is not a scalar; a key given twice.
  static Result<YamlMap> Read(const YamlNode& node, YamlErrors errors, std::string_view name,
                              YamlReadOptions options = {});

  const YamlErrors& errors() const { return errors_; }
  const std::string& file() const { return errors_.file(); }
  // The line the map starts on (1-based).
  int line() const { return node_->line(); }
  // The same map, with messages in another context ("rule 'R1'" once the id is read).
  YamlMap WithContext(std::string context) const;

  // Every pair, in file order.
  const std::vector<YamlField>& fields() const { return fields_; }
  // The field of `key`; nullptr when it is absent, or empty under `empty_is_absent`.
  const YamlField* Find(std::string_view key) const;
  bool Has(std::string_view key) const { return Find(key) != nullptr; }

  // An error at the first key not in `known`: "<key>: unknown key (known: a b c)".
  Status CheckKeys(std::span<const std::string_view> known) const;
  // The same error for one field, for readers that dispatch on each key in file order.
  Status UnknownKey(const YamlField& f, std::span<const std::string_view> known) const;
  // An error at the map for the first of `keys` that is absent: "<key>: missing; <why>".
  Status RequireKeys(std::initializer_list<std::string_view> keys, std::string_view why) const;
  // "<key>: missing" at the map, with "; <why>" when `why` is not empty.
  Status Missing(std::string_view key, std::string_view why = {}) const;

  // Errors in this map's file and context.
  Status Error(const YamlField& f, std::string_view what) const;  // at f.At(), named f.name
  // At the value of `key`, or at the map when the key is absent.
  Status Error(std::string_view key, std::string_view what) const;
  Status ErrorAt(const YamlNode& at, std::string_view key, std::string_view what) const;
  std::string Where(const YamlNode& at) const { return errors_.Where(at); }

  // Field readers. Each reads a non-empty scalar: an empty value is an error, since an
  // unknown fact is written by leaving its key out, and only that way.
  // `expected` names the wanted value in "expected <expected>, got a list".
  Result<std::string> ReadText(const YamlField& f, std::string_view expected = "a string") const;
  // A finite decimal number ("80", "614.4", "1e3").
  Result<double> ReadNumber(const YamlField& f) const;
  Result<int> ReadInt(const YamlField& f) const;
  // Only `true` and `false`: yaml-cpp would also read "y", "on" or "yes".
  Result<bool> ReadBool(const YamlField& f) const;
  // "YYYY-MM-DD".
  Result<Date> ReadDate(const YamlField& f) const;
  // The elements of a list, each a field named like `f`.
  Result<std::vector<YamlField>> ReadList(const YamlField& f) const;
  // A list of non-empty scalars.
  Result<std::vector<std::string>> ReadStrings(const YamlField& f) const;
  // A nested map, read with this map's file, context and options, named `f.name`.
  Result<YamlMap> ReadMap(const YamlField& f) const;

  // Key readers: the field readers by key, for readers that look keys up.
  // A required string: "<key>: missing" at the map when absent.
  Result<std::string> String(std::string_view key) const;
  // nullopt when the key is absent.
  Result<std::optional<std::string>> OptionalString(std::string_view key) const;
  Result<std::optional<double>> OptionalNumber(std::string_view key) const;
  Result<std::optional<int>> OptionalInt(std::string_view key) const;
  Result<std::optional<bool>> OptionalBool(std::string_view key) const;
  Result<std::optional<Date>> OptionalDate(std::string_view key) const;
  // Empty when the key is absent.
  Result<std::vector<std::string>> Strings(std::string_view key) const;

 private:
  YamlMap(const YamlNode& node, YamlErrors errors, YamlReadOptions options)
      : node_(&node), errors_(std::move(errors)), options_(options) {}

  // `read` applied to the field of `key`, or nullopt when the key is absent.
  template <typename T, typename ReadFn>
  Result<std::optional<T>> Optional(std::string_view key, ReadFn read) const;
  // The text of a number, integer or boolean: ReadText, and no quotes unless allowed.
  Result<std::string> ValueText(const YamlField& f, std::string_view expected) const;

  const YamlNode* node_;
  YamlErrors errors_;
  YamlReadOptions options_;
  std::vector<YamlField> fields_;
};

}  // namespace gpufleet::codec
