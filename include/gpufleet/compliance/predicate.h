#pragma once
// The condition language of export-control rules, e.g.
//   is_datacenter AND ((tpp >= 4800) OR (tpp >= 1600 AND pd >= 5.92))
//   location in (D:1 | D:4) - (D:5 | MO | A:5 | A:6)
// Rules are data, so a predicate is parsed once from text, type-checked against the schema of
// facts it may read, and then evaluated many times. Evaluation is three-valued (Kleene): when a
// fact the answer depends on is missing, the answer is kUnknown, never a silent false.
//
// Grammar (keywords AND OR NOT IN TRUE FALSE are case-insensitive; && || ! also work):
//   expr    := and { OR and }
//   and     := not { AND not }
//   not     := NOT not | compare
//   compare := sum { cmp sum }              cmp: == != < <= > >=; a chain a <= x < b means
//                                           a <= x AND x < b (ordering operators only, one
//                                           direction)
//            | sum [NOT] IN set
//   sum     := term { (+|-) term }         term := unary { (*|/) unary }
//   unary   := - unary | primary
//   primary := number | "string" | TRUE | FALSE | field | ( expr )
//   set     := inter { (| or -) inter }    inter := operand { & operand }
//   operand := group | word | "string" | { item, ... } | ( set )
//   item    := "string" | bare [*]          bare: letters, digits, _ - . :
// Numbers are decimals with optional exponent and `_` digit separators (4_800). Strings are
// double-quoted; \" and \\ are the only escapes. Fields are the schema's names (case-sensitive).
// A bare word that is not a field is read as a string only as the other side of == or !=
// against a string field (`transfer_type == export_from_us`), and never if it is a group name
// or contains ':' (`location == D:5` is an error that points at `in`). In sets, a bare item
// naming a group expands to the group's members, `Gaudi*` matches by prefix, quoted items are
// exact strings, and a bare item containing ':' must be a group. Outside braces a non-group
// word is a one-member set (`D:5 | MO`), but a lone word after IN must be a group. `&` binds
// tighter than `|` and `-` (as INTERSECT does in SQL). String matching is case-sensitive.
//
// Type errors (ordering strings, `in` on a number, a number where a condition is expected) are
// parse errors, so Evaluate cannot fail. So is nesting deeper than 200 levels, to keep the
// recursive parser and evaluator well inside the stack. A fact whose runtime type disagrees with
// the schema reads as unknown. Arithmetic that has no value (division by zero, NaN) is unknown too.
//
// Thread safety: a Predicate is immutable after Parse; copies share the compiled program and
// const methods are safe to call concurrently.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/catalog/value.h"
#include "gpufleet/status.h"

namespace gpufleet::compliance {

using catalog::Tri;
using catalog::Value;
using catalog::ValueType;

// Country groups and other named sets: name -> members. Members are plain strings, not
// groups; a group is expanded when a predicate is parsed, so later edits do not reach it.
using GroupMap = std::map<std::string, std::vector<std::string>, std::less<>>;

// Field name -> type: the facts a predicate may read.
using FieldSchema = std::map<std::string, ValueType, std::less<>>;

// Checks a string a predicate compares a field with (`model == "H20"`, `location in {XX}`), so
// that a value the field can never hold is a parse error rather than a silently false rule.
// `prefix` is true for a set item written `intel-gaudi*`. Returns the value to compare with
// (an alias may become the id the fact holds) or an error message; the parser adds the column.
using LiteralCheck = std::function<Result<std::string>(std::string_view value, bool prefix)>;
// Field name -> its check; fields not listed take any string.
using LiteralChecks = std::map<std::string, LiteralCheck, std::less<>>;

// Where an evaluation reads its facts. Get returns monostate for an unknown fact.
class FactSource {
 public:
  virtual ~FactSource() = default;
  virtual Value Get(std::string_view field) const = 0;
};

// A fact that an evaluation read, for explanations.
struct FactUse {
  std::string field;
  Value value;
};

namespace internal {
struct Program;
}  // namespace internal

class Predicate {
 public:
  // Same as True(): a rule with no condition applies to everything.
  Predicate();

  // Parses and type-checks `text`. Errors are InvalidArgument, e.g.
  // "unknown field 'tppp' at column 1 in 'tppp >= 4800'" (columns are 1-based bytes).
  // `checks` vet the strings compared with string fields (quoted, bare or set items; members
  // that come from a group are not checked again).
  static Result<Predicate> Parse(std::string_view text, const FieldSchema& schema,
                                 const GroupMap& groups, const LiteralChecks& checks = {});

  // A predicate that is always true (an absent condition); text() is "true".
  static Predicate True();

  // Each fact is read from `facts` at most once per call, and only if the result may depend
  // on it (AND stops at the first false operand, OR at the first true). Allocates nothing
  // itself for predicates of up to 16 distinct fields (the source's Get may).
  Tri Evaluate(const FactSource& facts) const;
  // Same, and appends every fact read to `used` (deduplicated, in first-read order).
  Tri Evaluate(const FactSource& facts, std::vector<FactUse>* used) const;

  // The distinct fields the predicate references, sorted.
  const std::vector<std::string>& fields() const;
  // The text as written.
  const std::string& text() const;

 private:
  explicit Predicate(std::shared_ptr<const internal::Program> program);

  // Shared because it is immutable: copying a rule set copies pointers, not programs.
  std::shared_ptr<const internal::Program> program_;
};

}  // namespace gpufleet::compliance
