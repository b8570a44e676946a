#include "compliance/predicate_eval.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <variant>

namespace gpufleet::compliance::internal {
namespace {

constexpr double kUnknownNumber = std::numeric_limits<double>::quiet_NaN();
// Facts read by one evaluation live on the stack up to this many distinct fields; the rules
// we know of read at most five.
constexpr size_t kInlineSlots = 16;

Tri FromBool(bool b) { return b ? Tri::kTrue : Tri::kFalse; }

// Room for one fact, constructed only when the fact is read. Default-constructing (and
// destroying) a Value per field on every call cost a quarter of the evaluation time, and most
// evaluations read two or three of their fields.
union Slot {
  Slot() {}
  ~Slot() {}
  Value value;
};

class Evaluator {
 public:
  // `fetched` is a bitset over the slots, all clear.
  Evaluator(const Program& program, const FactSource& facts, std::vector<FactUse>* used,
            Slot* slots, uint64_t* fetched)
      : p_(program), facts_(facts), used_(used), slots_(slots), fetched_(fetched) {}
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;
  ~Evaluator() {
    for (size_t w = 0; w * 64 < p_.slot_fields.size(); ++w) {
      for (uint64_t bits = fetched_[w]; bits != 0; bits &= bits - 1) {
        slots_[w * 64 + static_cast<size_t>(std::countr_zero(bits))].value.~Value();
      }
    }
  }

  Tri Condition(uint32_t index) {
    const Node& n = p_.nodes[index];
    switch (n.op) {
      case Op::kTrue:
        return Tri::kTrue;
      case Op::kFalse:
        return Tri::kFalse;
      case Op::kBoolField: {
        const Value& v = Fact(n.a);
        const bool* b = std::get_if<bool>(&v);
        return b ? FromBool(*b) : Tri::kUnknown;
      }
      case Op::kAnd:
        return Junction(n, Tri::kFalse);
      case Op::kOr:
        return Junction(n, Tri::kTrue);
      case Op::kNot: {
        const Tri t = Condition(n.a);
        return t == Tri::kUnknown ? t : FromBool(t == Tri::kFalse);
      }
      case Op::kLess:
      case Op::kLessEq:
      case Op::kGreater:
      case Op::kGreaterEq:
      case Op::kNumEq:
      case Op::kNumNe:
        return CompareNumbers(n);
      case Op::kStrEq:
      case Op::kStrNe: {
        const std::string* x = String(n.a);
        const std::string* y = String(n.b);
        if (x == nullptr || y == nullptr) return Tri::kUnknown;
        return FromBool((*x == *y) == (n.op == Op::kStrEq));
      }
      case Op::kBoolEq:
      case Op::kBoolNe: {
        const Tri x = Condition(n.a);
        const Tri y = Condition(n.b);
        if (x == Tri::kUnknown || y == Tri::kUnknown) return Tri::kUnknown;
        return FromBool((x == y) == (n.op == Op::kBoolEq));
      }
      case Op::kIn: {
        const std::string* s = String(n.a);
        if (s == nullptr) return Tri::kUnknown;
        return FromBool(p_.sets.Contains(n.b, *s));
      }
      default:
        return Tri::kUnknown;  // not a condition: the parser never puts one here
    }
  }

 private:
  // AND (decisive = false) and OR (decisive = true): the decisive value settles the result
  // whatever the other operands are, so evaluation stops there; otherwise any unknown operand
  // makes the result unknown.
  Tri Junction(const Node& n, Tri decisive) {
    bool unknown = false;
    for (uint32_t i = 0; i < n.b; ++i) {
      const Tri t = Condition(p_.children[n.a + i]);
      if (t == decisive) return decisive;
      if (t == Tri::kUnknown) unknown = true;
    }
    if (unknown) return Tri::kUnknown;
    return decisive == Tri::kFalse ? Tri::kTrue : Tri::kFalse;
  }

  Tri CompareNumbers(const Node& n) {
    const double x = Number(n.a);
    const double y = Number(n.b);
    if (std::isnan(x) || std::isnan(y)) return Tri::kUnknown;
    switch (n.op) {
      case Op::kLess:
        return FromBool(x < y);
      case Op::kLessEq:
        return FromBool(x <= y);
      case Op::kGreater:
        return FromBool(x > y);
      case Op::kGreaterEq:
        return FromBool(x >= y);
      case Op::kNumEq:
        return FromBool(x == y);
      default:
        return FromBool(x != y);
    }
  }

  double Number(uint32_t index) {
    const Node& n = p_.nodes[index];
    switch (n.op) {
      case Op::kNumber:
        return p_.numbers[n.a];
      case Op::kNumField: {
        const double* d = std::get_if<double>(&Fact(n.a));
        return d ? *d : kUnknownNumber;
      }
      case Op::kNeg:
        return -Number(n.a);
      default:
        break;
    }
    // Binary: left first, so facts are recorded in reading order on every compiler.
    const double x = Number(n.a);
    const double y = Number(n.b);
    switch (n.op) {
      case Op::kAdd:
        return x + y;
      case Op::kSub:
        return x - y;
      case Op::kMul:
        return x * y;
      case Op::kDiv:
        // x / 0 has no value a threshold could sensibly be compared with.
        return y == 0 ? kUnknownNumber : x / y;
      default:
        return kUnknownNumber;  // not a number: the parser never puts one here
    }
  }

  const std::string* String(uint32_t index) {
    const Node& n = p_.nodes[index];
    if (n.op == Op::kString) return &p_.strings[n.a];
    if (n.op == Op::kStrField) return std::get_if<std::string>(&Fact(n.a));
    return nullptr;
  }

  // Reads each slot from the source once; a field used twice (tpp in 3A090.b) costs one Get.
  const Value& Fact(uint32_t slot) {
    uint64_t& word = fetched_[slot / 64];
    const uint64_t bit = uint64_t{1} << (slot % 64);
    Value& v = slots_[slot].value;
    if ((word & bit) == 0) {
      new (&v) Value(facts_.Get(p_.slot_fields[slot]));
      word |= bit;
      if (used_ != nullptr) used_->push_back(FactUse{p_.slot_fields[slot], v});
    }
    return v;
  }

  const Program& p_;
  const FactSource& facts_;
  std::vector<FactUse>* used_;
  Slot* slots_;
  uint64_t* fetched_;
};

}  // namespace

Tri Run(const Program& program, const FactSource& facts, std::vector<FactUse>* used) {
  const size_t slots = program.slot_fields.size();
  if (slots <= kInlineSlots) {
    Slot inline_slots[kInlineSlots];
    uint64_t fetched = 0;
    return Evaluator(program, facts, used, inline_slots, &fetched).Condition(program.root);
  }
  const std::unique_ptr<Slot[]> heap_slots = std::make_unique<Slot[]>(slots);
  std::vector<uint64_t> fetched((slots + 63) / 64, 0);
  return Evaluator(program, facts, used, heap_slots.get(), fetched.data()).Condition(program.root);
}

}  // namespace gpufleet::compliance::internal
