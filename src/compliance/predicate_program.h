#pragma once
// The compiled form of a predicate: a tree of small nodes in one array (children by index),
// type-checked when parsed, so evaluation is a switch per node with no lookups by name and no
// type errors. Facts are read through numbered slots, one per distinct field.

#include <cstdint>
#include <string>
#include <vector>

#include "compliance/predicate_string_set.h"
#include "gpufleet/compliance/predicate.h"

namespace gpufleet::compliance::internal {

// What a node computes; the comment gives its operands `a` and `b`.
enum class Op : uint8_t {
  // Conditions, evaluated to a Tri.
  kTrue,
  kFalse,
  kBoolField,  // a: slot
  kAnd,        // a: first index in Program::children, b: count
  kOr,         // as kAnd
  kNot,        // a: condition
  kLess,       // a, b: numbers (likewise the five below)
  kLessEq,
  kGreater,
  kGreaterEq,
  kNumEq,
  kNumNe,
  kStrEq,  // a, b: strings
  kStrNe,
  kBoolEq,  // a, b: conditions
  kBoolNe,
  kIn,  // a: string, b: set index in Program::sets
  // Numbers, evaluated to a double; NaN stands for unknown and propagates by itself.
  kNumber,    // a: index in Program::numbers
  kNumField,  // a: slot
  kAdd,       // a, b: numbers (likewise the three below)
  kSub,
  kMul,
  kDiv,
  kNeg,  // a: number
  // Strings, evaluated to a pointer (null when unknown).
  kString,    // a: index in Program::strings
  kStrField,  // a: slot
};

struct Node {
  Op op = Op::kTrue;
  uint32_t a = 0;
  uint32_t b = 0;
};

struct Program {
  std::string text;
  std::vector<std::string> sorted_fields;  // what Predicate::fields() returns
  std::vector<std::string> slot_fields;    // slot i reads slot_fields[i]
  std::vector<Node> nodes;
  std::vector<uint32_t> children;
  std::vector<double> numbers;
  std::vector<std::string> strings;
  StringSetPool sets;
  uint32_t root = 0;  // a condition
};

}  // namespace gpufleet::compliance::internal
