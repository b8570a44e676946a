#include "gpufleet/compliance/predicate.h"

#include <utility>

#include "compliance/predicate_eval.h"
#include "compliance/predicate_parser.h"
#include "compliance/predicate_program.h"

namespace gpufleet::compliance {

Predicate::Predicate() : Predicate(True()) {}

Predicate::Predicate(std::shared_ptr<const internal::Program> program)
    : program_(std::move(program)) {}

Result<Predicate> Predicate::Parse(std::string_view text, const FieldSchema& schema,
                                   const GroupMap& groups, const LiteralChecks& checks) {
  Result<internal::Program> program = internal::Compile(text, schema, groups, checks);
  if (!program.ok()) return program.status();
  return Predicate(std::make_shared<const internal::Program>(std::move(*program)));
}

Predicate Predicate::True() {
  // One program shared by every absent condition.
  static const std::shared_ptr<const internal::Program> kTrue = [] {
    auto p = std::make_shared<internal::Program>();
    p->text = "true";
    p->nodes.push_back(internal::Node{internal::Op::kTrue, 0, 0});
    p->root = 0;
    return p;
  }();
  return Predicate(kTrue);
}

Tri Predicate::Evaluate(const FactSource& facts) const {
  return internal::Run(*program_, facts, nullptr);
}

Tri Predicate::Evaluate(const FactSource& facts, std::vector<FactUse>* used) const {
  return internal::Run(*program_, facts, used);
}

const std::vector<std::string>& Predicate::fields() const { return program_->sorted_fields; }

const std::string& Predicate::text() const { return program_->text; }

}  // namespace gpufleet::compliance
