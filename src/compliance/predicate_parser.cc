#include "compliance/predicate_parser.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "compliance/predicate_lexer.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::compliance::internal {
namespace {

// Deeper nesting than this is not a rule anyone wrote by hand; refusing it keeps both the
// recursive parser and the recursive evaluator far from the end of the stack.
constexpr uint32_t kMaxDepth = 200;

// What a parsed sub-expression computes. kWord is an identifier that is not a field: it may
// still become a string (`transfer_type == export_from_us`), which only its consumer can tell.
enum class Type : uint8_t { kCondition, kNumber, kString, kWord };

struct Expr {
  Type type = Type::kCondition;
  uint32_t node = 0;  // unset for kWord
  size_t begin = 0;   // source span [begin, end), for messages
  size_t end = 0;
  bool is_field = false;
  std::string field;  // the field's name when is_field
  std::string word;   // kWord only
};

Expr MakeExpr(Type type, uint32_t node, size_t begin, size_t end) {
  Expr e;
  e.type = type;
  e.node = node;
  e.begin = begin;
  e.end = end;
  return e;
}

const char* TypeName(Type t) {
  switch (t) {
    case Type::kCondition:
      return "a condition";
    case Type::kNumber:
      return "a number";
    case Type::kString:
      return "a string";
    case Type::kWord:
      break;
  }
  return "a word";
}

bool IsComparison(TokenKind k) {
  return k == TokenKind::kEq || k == TokenKind::kNe || k == TokenKind::kLt || k == TokenKind::kLe ||
         k == TokenKind::kGt || k == TokenKind::kGe;
}

bool IsSetOperator(TokenKind k) {
  return k == TokenKind::kPipe || k == TokenKind::kMinus || k == TokenKind::kAmp;
}

Op ComparisonOp(TokenKind k) {
  switch (k) {
    case TokenKind::kLt:
      return Op::kLess;
    case TokenKind::kLe:
      return Op::kLessEq;
    case TokenKind::kGt:
      return Op::kGreater;
    case TokenKind::kGe:
      return Op::kGreaterEq;
    case TokenKind::kEq:
      return Op::kNumEq;
    default:
      return Op::kNumNe;
  }
}

// Levels from the root to the deepest leaf, counting set operations under `in`. Operands are
// always emitted before the node that uses them, so one forward pass suffices.
uint32_t Height(const Program& p) {
  std::vector<uint32_t> height(p.nodes.size(), 1);
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    const Node& n = p.nodes[i];
    uint32_t below = 0;
    switch (n.op) {
      case Op::kAnd:
      case Op::kOr:
        for (uint32_t k = 0; k < n.b; ++k) below = std::max(below, height[p.children[n.a + k]]);
        break;
      case Op::kNot:
      case Op::kNeg:
        below = height[n.a];
        break;
      case Op::kIn:
        below = std::max(height[n.a], p.sets.Height(n.b));
        break;
      case Op::kTrue:
      case Op::kFalse:
      case Op::kBoolField:
      case Op::kNumber:
      case Op::kNumField:
      case Op::kString:
      case Op::kStrField:
        break;
      default:  // two operands
        below = std::max(height[n.a], height[n.b]);
        break;
    }
    height[i] = below + 1;
  }
  return height[p.root];
}

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens, const FieldSchema& schema,
         const GroupMap& groups, const LiteralChecks& checks)
      : text_(text),
        tokens_(std::move(tokens)),
        schema_(schema),
        groups_(groups),
        checks_(checks) {}

  Result<Program> Run() {
    if (Peek().kind == TokenKind::kEnd) return Error(0, "empty expression");
    Result<Expr> e = ParseOr();
    if (!e.ok()) return e.status();
    if (Peek().kind != TokenKind::kEnd) {
      return Error(Peek().begin, "unexpected " + Describe(Peek()));
    }
    Result<uint32_t> root = AsCondition(*e);
    if (!root.ok()) return root.status();
    program_.root = *root;
    // Evaluation recurses once per level, so the limit on nesting applies to the result too
    // (`1 + 1 + ... + 1` nests without a single parenthesis).
    if (Height(program_) > kMaxDepth) return Error(0, "expression nested too deeply");
    program_.text = std::string(text_);
    program_.sorted_fields = program_.slot_fields;
    std::sort(program_.sorted_fields.begin(), program_.sorted_fields.end());
    return std::move(program_);
  }

 private:
  // --- tokens and messages ---

  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& Advance() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  size_t LastEnd() const { return pos_ == 0 ? 0 : tokens_[pos_ - 1].end; }

  Status Error(size_t offset, std::string_view what) const {
    return PredicateError(text_, offset, what);
  }
  std::string Quote(size_t begin, size_t end) const {
    return "'" + Excerpt(text_.substr(begin, end - begin)) + "'";
  }
  std::string Quote(const Expr& e) const { return Quote(e.begin, e.end); }
  std::string Describe(const Token& t) const {
    return t.kind == TokenKind::kEnd ? "end of expression" : Quote(t.begin, t.end);
  }
  Status Expect(TokenKind kind, std::string_view what) {
    if (Peek().kind != kind) {
      return Error(Peek().begin, "expected " + std::string(what) + ", found " + Describe(Peek()));
    }
    Advance();
    return Status::Ok();
  }
  Status EnterNested() {
    if (++depth_ > kMaxDepth) return Error(Peek().begin, "expression nested too deeply");
    return Status::Ok();
  }

  Status UnknownField(const Expr& e) const {
    if (groups_.find(e.word) != groups_.end()) {
      return Error(e.begin, "'" + Excerpt(e.word) + "' is a group, which can only follow 'in'");
    }
    return Error(e.begin, "unknown field '" + Excerpt(e.word) + "'");
  }

  // --- program building ---

  uint32_t Emit(Op op, uint32_t a = 0, uint32_t b = 0) {
    program_.nodes.push_back(Node{op, a, b});
    return static_cast<uint32_t>(program_.nodes.size() - 1);
  }
  uint32_t EmitList(Op op, const std::vector<uint32_t>& kids) {
    const auto first = static_cast<uint32_t>(program_.children.size());
    program_.children.insert(program_.children.end(), kids.begin(), kids.end());
    return Emit(op, first, static_cast<uint32_t>(kids.size()));
  }
  uint32_t Slot(const std::string& field) {
    const auto it = std::find(program_.slot_fields.begin(), program_.slot_fields.end(), field);
    if (it != program_.slot_fields.end()) {
      return static_cast<uint32_t>(it - program_.slot_fields.begin());
    }
    program_.slot_fields.push_back(field);
    return static_cast<uint32_t>(program_.slot_fields.size() - 1);
  }
  Expr StringLiteral(std::string value, size_t begin, size_t end) {
    program_.strings.push_back(std::move(value));
    return MakeExpr(Type::kString,
                    Emit(Op::kString, static_cast<uint32_t>(program_.strings.size() - 1)), begin,
                    end);
  }

  Result<uint32_t> AsCondition(const Expr& e) const {
    if (e.type == Type::kCondition) return e.node;
    if (e.type == Type::kWord) return UnknownField(e);
    return Error(e.begin, "expected a condition, but " + Quote(e) + " is " + TypeName(e.type));
  }
  Result<uint32_t> AsNumber(const Expr& e, const Token& op) const {
    if (e.type == Type::kNumber) return e.node;
    if (e.type == Type::kWord) return UnknownField(e);
    return Error(e.begin, Quote(op.begin, op.end) + " needs numbers, but " + Quote(e) + " is " +
                              TypeName(e.type));
  }

  // --- conditions ---

  // OR and AND: one n-ary node each, so evaluation stops at the first decisive operand.
  Result<Expr> ParseJunction(TokenKind joiner, Op op, Result<Expr> (Parser::*operand)()) {
    Result<Expr> first = (this->*operand)();
    if (!first.ok() || Peek().kind != joiner) return first;
    Result<uint32_t> kid = AsCondition(*first);
    if (!kid.ok()) return kid.status();
    std::vector<uint32_t> kids = {*kid};
    while (Peek().kind == joiner) {
      Advance();
      Result<Expr> next = (this->*operand)();
      if (!next.ok()) return next;
      kid = AsCondition(*next);
      if (!kid.ok()) return kid.status();
      kids.push_back(*kid);
    }
    return MakeExpr(Type::kCondition, EmitList(op, kids), first->begin, LastEnd());
  }
  Result<Expr> ParseOr() { return ParseJunction(TokenKind::kOr, Op::kOr, &Parser::ParseAnd); }
  Result<Expr> ParseAnd() { return ParseJunction(TokenKind::kAnd, Op::kAnd, &Parser::ParseNot); }

  Result<Expr> ParseNot() {
    if (Peek().kind != TokenKind::kNot) return ParseCompare();
    const size_t begin = Advance().begin;
    GPUFLEET_RETURN_IF_ERROR(EnterNested());
    Result<Expr> e = ParseNot();
    --depth_;
    if (!e.ok()) return e;
    Result<uint32_t> c = AsCondition(*e);
    if (!c.ok()) return c.status();
    return MakeExpr(Type::kCondition, Emit(Op::kNot, *c), begin, e->end);
  }

  Result<Expr> ParseCompare() {
    Result<Expr> left = ParseSum();
    if (!left.ok()) return left;
    if (Peek().kind == TokenKind::kIn ||
        (Peek().kind == TokenKind::kNot && Peek(1).kind == TokenKind::kIn)) {
      return ParseIn(*left);
    }
    if (!IsComparison(Peek().kind)) return left;
    std::vector<Expr> operands = {std::move(*left)};
    std::vector<Token> ops;
    while (IsComparison(Peek().kind)) {
      ops.push_back(Advance());
      Result<Expr> next = ParseSum();
      if (!next.ok()) return next;
      operands.push_back(std::move(*next));
    }
    if (ops.size() == 1) return Compare(operands[0], ops[0], operands[1]);
    // A chain `a <= x < b` reads as `a <= x AND x < b`. Equality in a chain, or a chain that
    // turns round (`a < x > b`), is far more likely a slip than intent.
    const bool ascending = ops[0].kind == TokenKind::kLt || ops[0].kind == TokenKind::kLe;
    std::vector<uint32_t> kids;
    for (size_t i = 0; i < ops.size(); ++i) {
      const TokenKind k = ops[i].kind;
      if (k == TokenKind::kEq || k == TokenKind::kNe) {
        return Error(ops[i].begin,
                     Quote(ops[i].begin, ops[i].end) + " cannot be chained; only < <= > >= chain");
      }
      const bool up = k == TokenKind::kLt || k == TokenKind::kLe;
      if (up != ascending) {
        return Error(ops[i].begin, "a chained comparison must go one way (< and <=, or > and >=)");
      }
      Result<Expr> c = Compare(operands[i], ops[i], operands[i + 1]);
      if (!c.ok()) return c;
      kids.push_back(c->node);
    }
    return MakeExpr(Type::kCondition, EmitList(Op::kAnd, kids), operands.front().begin,
                    operands.back().end);
  }

  // One comparison. For == and != a non-field word facing a string field is a string, so rule
  // data can say `transfer_type == export_from_us` without quotes; anywhere else it is a typo.
  Result<Expr> Compare(Expr left, const Token& op, Expr right) {
    const size_t begin = left.begin;
    const size_t end = right.end;
    if (op.kind != TokenKind::kEq && op.kind != TokenKind::kNe) {
      Result<uint32_t> x = AsNumber(left, op);
      if (!x.ok()) return x.status();
      Result<uint32_t> y = AsNumber(right, op);
      if (!y.ok()) return y.status();
      return MakeExpr(Type::kCondition, Emit(ComparisonOp(op.kind), *x, *y), begin, end);
    }
    if (left.type == Type::kWord) {
      if (!IsBareString(left, right)) return UnknownField(left);
      left = StringLiteral(left.word, left.begin, left.end);
    }
    if (right.type == Type::kWord) {
      if (!IsBareString(right, left)) return UnknownField(right);
      right = StringLiteral(right.word, right.begin, right.end);
    }
    if (left.type != right.type) {
      return Error(op.begin, "cannot compare " + Quote(left) + " (" + TypeName(left.type) +
                                 ") with " + Quote(right) + " (" + TypeName(right.type) + ")");
    }
    if (left.type == Type::kString) {
      GPUFLEET_RETURN_IF_ERROR(CheckComparedLiteral(left, right));
      GPUFLEET_RETURN_IF_ERROR(CheckComparedLiteral(right, left));
    }
    const bool eq = op.kind == TokenKind::kEq;
    Op node_op = eq ? Op::kNumEq : Op::kNumNe;
    if (left.type == Type::kString) node_op = eq ? Op::kStrEq : Op::kStrNe;
    if (left.type == Type::kCondition) node_op = eq ? Op::kBoolEq : Op::kBoolNe;
    return MakeExpr(Type::kCondition, Emit(node_op, left.node, right.node), begin, end);
  }

  // The check of the field a string is compared with, or nullptr when there is none.
  const LiteralCheck* CheckFor(const std::string& field) const {
    const auto it = checks_.find(field);
    return it == checks_.end() ? nullptr : &it->second;
  }

  // Runs `check` on a literal at `offset`, replacing `value` with what the check returns.
  Status CheckLiteral(const LiteralCheck& check, std::string& value, bool prefix,
                      size_t offset) const {
    Result<std::string> checked = check(value, prefix);
    if (!checked.ok()) return Error(offset, checked.status().message());
    value = std::move(checked).value();
    return Status::Ok();
  }

  // `literal == field`: the literal (a kString node that is no field) checked against the
  // field on the other side.
  Status CheckComparedLiteral(const Expr& literal, const Expr& field) {
    if (literal.is_field || !field.is_field) return Status::Ok();
    const Node& n = program_.nodes[literal.node];
    if (n.op != Op::kString) return Status::Ok();
    const LiteralCheck* check = CheckFor(field.field);
    if (check == nullptr) return Status::Ok();
    return CheckLiteral(*check, program_.strings[n.a], false, literal.begin);
  }

  // Group names (and anything with ':', which only group names have) never become strings:
  // `location == D:5` means `in`, and should say so.
  bool IsBareString(const Expr& word, const Expr& other) const {
    return other.type == Type::kString && other.is_field &&
           word.word.find(':') == std::string::npos && groups_.find(word.word) == groups_.end();
  }

  Result<Expr> ParseIn(const Expr& left) {
    const bool negate = Peek().kind == TokenKind::kNot;
    if (negate) Advance();
    const Token& in = Advance();
    if (left.type == Type::kWord) return UnknownField(left);
    if (left.type != Type::kString) {
      return Error(left.begin, Quote(in.begin, in.end) + " needs a string on the left, but " +
                                   Quote(left) + " is " + TypeName(left.type));
    }
    // A lone word after `in` must be a group: `location in D:55` or `in Tier1` is a typo, not
    // a one-member set (write {MO} or == for that).
    const Token& first = Peek();
    if (first.kind == TokenKind::kWord && !IsSetOperator(Peek(1).kind) &&
        groups_.find(first.text) == groups_.end()) {
      return Error(first.begin, "unknown group '" + Excerpt(first.text) + "'");
    }
    // Set items are checked against the field on the left while the set is parsed.
    set_check_ = left.is_field ? CheckFor(left.field) : nullptr;
    Result<uint32_t> set = ParseSet();
    set_check_ = nullptr;
    if (!set.ok()) return set.status();
    uint32_t node = Emit(Op::kIn, left.node, *set);
    if (negate) node = Emit(Op::kNot, node);
    return MakeExpr(Type::kCondition, node, left.begin, LastEnd());
  }

  // --- sets ---

  Result<uint32_t> ParseSet() {
    Result<uint32_t> left = ParseSetIntersection();
    while (left.ok() && (Peek().kind == TokenKind::kPipe || Peek().kind == TokenKind::kMinus)) {
      const auto op = Advance().kind == TokenKind::kPipe ? StringSetPool::Op::kUnion
                                                         : StringSetPool::Op::kDifference;
      Result<uint32_t> right = ParseSetIntersection();
      if (!right.ok()) return right;
      left = program_.sets.Combine(op, *left, *right);
    }
    return left;
  }

  Result<uint32_t> ParseSetIntersection() {
    Result<uint32_t> left = ParseSetOperand();
    while (left.ok() && Peek().kind == TokenKind::kAmp) {
      Advance();
      Result<uint32_t> right = ParseSetOperand();
      if (!right.ok()) return right;
      left = program_.sets.Combine(StringSetPool::Op::kIntersection, *left, *right);
    }
    return left;
  }

  Result<uint32_t> ParseSetOperand() {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kLBrace:
        Advance();
        return ParseSetLiteral();
      case TokenKind::kLParen: {
        Advance();
        GPUFLEET_RETURN_IF_ERROR(EnterNested());
        Result<uint32_t> set = ParseSet();
        --depth_;
        if (!set.ok()) return set;
        GPUFLEET_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
        return set;
      }
      case TokenKind::kWord:
      case TokenKind::kString: {
        Advance();
        std::vector<std::string> members;
        GPUFLEET_RETURN_IF_ERROR(AddItem(t, members));
        return program_.sets.Leaf(std::move(members), {});
      }
      default:
        return Error(t.begin, "expected a group or a {set}, found " + Describe(t));
    }
  }

  // After '{': items separated by commas, then '}'.
  Result<uint32_t> ParseSetLiteral() {
    if (Peek().kind == TokenKind::kRBrace) return Error(Peek().begin, "empty set");
    std::vector<std::string> members;
    std::vector<std::string> prefixes;
    while (true) {
      const Token& t = Advance();
      if (t.kind == TokenKind::kItem && t.wildcard) {
        prefixes.push_back(t.text);
        if (set_check_ != nullptr) {
          GPUFLEET_RETURN_IF_ERROR(CheckLiteral(*set_check_, prefixes.back(), true, t.begin));
        }
      } else if (t.kind == TokenKind::kItem || t.kind == TokenKind::kString) {
        GPUFLEET_RETURN_IF_ERROR(AddItem(t, members));
      } else {
        return Error(t.begin, "expected a set item, found " + Describe(t));
      }
      if (Peek().kind == TokenKind::kComma) {
        Advance();
        continue;
      }
      if (Peek().kind == TokenKind::kRBrace) break;
      return Error(Peek().begin, "expected ',' or '}' in a set, found " + Describe(Peek()));
    }
    Advance();
    return program_.sets.Leaf(std::move(members), std::move(prefixes));
  }

  // A quoted item is exactly its text. A bare one names a group if there is one; ':' appears
  // only in group names (D:5), so a bare item with ':' that is no group is a typo.
  Status AddItem(const Token& t, std::vector<std::string>& members) const {
    if (t.kind != TokenKind::kString) {
      const auto group = groups_.find(t.text);
      if (group != groups_.end()) {
        members.insert(members.end(), group->second.begin(), group->second.end());
        return Status::Ok();
      }
      if (t.text.find(':') != std::string::npos) {
        return Error(t.begin, "unknown group '" + Excerpt(t.text) + "'");
      }
    }
    members.push_back(t.text);
    if (set_check_ == nullptr) return Status::Ok();
    return CheckLiteral(*set_check_, members.back(), false, t.begin);
  }

  // --- arithmetic ---

  Result<Expr> ParseArithmetic(TokenKind plus_like, Op plus_op, TokenKind minus_like, Op minus_op,
                               Result<Expr> (Parser::*operand)()) {
    Result<Expr> left = (this->*operand)();
    while (left.ok() && (Peek().kind == plus_like || Peek().kind == minus_like)) {
      const Token& op = Advance();
      Result<Expr> right = (this->*operand)();
      if (!right.ok()) return right;
      Result<uint32_t> x = AsNumber(*left, op);
      if (!x.ok()) return x.status();
      Result<uint32_t> y = AsNumber(*right, op);
      if (!y.ok()) return y.status();
      const Op node_op = op.kind == plus_like ? plus_op : minus_op;
      left = MakeExpr(Type::kNumber, Emit(node_op, *x, *y), left->begin, right->end);
    }
    return left;
  }
  Result<Expr> ParseSum() {
    return ParseArithmetic(TokenKind::kPlus, Op::kAdd, TokenKind::kMinus, Op::kSub,
                           &Parser::ParseTerm);
  }
  Result<Expr> ParseTerm() {
    return ParseArithmetic(TokenKind::kStar, Op::kMul, TokenKind::kSlash, Op::kDiv,
                           &Parser::ParseUnary);
  }

  Result<Expr> ParseUnary() {
    if (Peek().kind != TokenKind::kMinus) return ParsePrimary();
    const Token& op = Advance();
    GPUFLEET_RETURN_IF_ERROR(EnterNested());
    Result<Expr> e = ParseUnary();
    --depth_;
    if (!e.ok()) return e;
    Result<uint32_t> x = AsNumber(*e, op);
    if (!x.ok()) return x.status();
    const Node& n = program_.nodes[*x];
    if (n.op == Op::kNumber) {  // a negative literal: fold it, every literal has its own slot
      program_.numbers[n.a] = -program_.numbers[n.a];
      return MakeExpr(Type::kNumber, *x, op.begin, e->end);
    }
    return MakeExpr(Type::kNumber, Emit(Op::kNeg, *x), op.begin, e->end);
  }

  Result<Expr> ParsePrimary() {
    const Token& t = Advance();
    switch (t.kind) {
      case TokenKind::kNumber:
        program_.numbers.push_back(t.number);
        return MakeExpr(Type::kNumber,
                        Emit(Op::kNumber, static_cast<uint32_t>(program_.numbers.size() - 1)),
                        t.begin, t.end);
      case TokenKind::kString:
        return StringLiteral(t.text, t.begin, t.end);
      case TokenKind::kTrue:
      case TokenKind::kFalse:
        return MakeExpr(Type::kCondition, Emit(t.kind == TokenKind::kTrue ? Op::kTrue : Op::kFalse),
                        t.begin, t.end);
      case TokenKind::kWord:
        return Field(t);
      case TokenKind::kLParen: {
        GPUFLEET_RETURN_IF_ERROR(EnterNested());
        Result<Expr> e = ParseOr();
        --depth_;
        if (!e.ok()) return e;
        GPUFLEET_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
        e->begin = t.begin;
        e->end = LastEnd();
        return e;
      }
      default:
        return Error(t.begin, "expected a value, found " + Describe(t));
    }
  }

  Result<Expr> Field(const Token& t) {
    const auto it = schema_.find(t.text);
    if (it == schema_.end()) {
      Expr word = MakeExpr(Type::kWord, 0, t.begin, t.end);
      word.word = t.text;
      return word;
    }
    const uint32_t slot = Slot(t.text);
    Expr e;
    switch (it->second) {
      case ValueType::kBool:
        e = MakeExpr(Type::kCondition, Emit(Op::kBoolField, slot), t.begin, t.end);
        break;
      case ValueType::kNumber:
        e = MakeExpr(Type::kNumber, Emit(Op::kNumField, slot), t.begin, t.end);
        break;
      case ValueType::kString:
        e = MakeExpr(Type::kString, Emit(Op::kStrField, slot), t.begin, t.end);
        break;
    }
    e.is_field = true;
    e.field = t.text;
    return e;
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  uint32_t depth_ = 0;
  const FieldSchema& schema_;
  const GroupMap& groups_;
  const LiteralChecks& checks_;
  // While the set after `in` is parsed: the check of the field before `in`, if any.
  const LiteralCheck* set_check_ = nullptr;
  Program program_;
};

}  // namespace

Result<Program> Compile(std::string_view text, const FieldSchema& schema, const GroupMap& groups,
                        const LiteralChecks& checks) {
  Result<std::vector<Token>> tokens = Tokenize(text);
  if (!tokens.ok()) return tokens.status();
  return Parser(text, std::move(*tokens), schema, groups, checks).Run();
}

}  // namespace gpufleet::compliance::internal
