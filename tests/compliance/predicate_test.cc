#include "gpufleet/compliance/predicate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gpufleet/model/rng.h"

namespace gpufleet::compliance {
namespace {

// The reference rules of shared/reference/export-controls.md, section 3.
constexpr std::string_view k3A090a =
    "is_datacenter AND ((tpp >= 4800) OR (tpp >= 1600 AND pd >= 5.92))";
constexpr std::string_view k3A090b =
    "is_datacenter AND ((2400 <= tpp < 4800 AND 1.6 <= pd < 5.92) OR "
    "(tpp >= 1600 AND 3.2 <= pd < 5.92))";
constexpr std::string_view kNonDatacenter = "NOT is_datacenter AND tpp >= 4800";
constexpr std::string_view kH20IsInformed =
    "model in {H20, MI308, Gaudi*} OR dram_bw_gbs >= 1400 OR io_bw_gbs >= 1100 OR "
    "dram_bw_gbs + io_bw_gbs >= 1700";
constexpr std::string_view kHeadquarters = "end_user_hq in D:5 OR end_user_parent_hq in {D:5, MO}";
constexpr std::string_view kD1D4 = "location in (D:1 | D:4) - (D:5 | MO | A:5 | A:6)";

std::string Name(Tri t) {
  switch (t) {
    case Tri::kFalse:
      return "false";
    case Tri::kTrue:
      return "true";
    case Tri::kUnknown:
      return "unknown";
  }
  return "?";
}

// Facts from a map; a missing entry is an unknown fact. Counts reads, to check that each
// fact is read at most once per evaluation.
class MapFacts : public FactSource {
 public:
  MapFacts() = default;
  MapFacts(std::initializer_list<std::pair<const std::string, Value>> facts) : facts_(facts) {}

  Value Get(std::string_view field) const override {
    ++reads_;
    const auto it = facts_.find(field);
    return it == facts_.end() ? Value() : it->second;
  }
  void Set(const std::string& field, Value v) { facts_[field] = std::move(v); }
  void Erase(const std::string& field) { facts_.erase(field); }
  int reads() const { return reads_; }

 private:
  std::map<std::string, Value, std::less<>> facts_;
  mutable int reads_ = 0;
};

FieldSchema Schema() {
  return {
      {"tpp", ValueType::kNumber},
      {"pd", ValueType::kNumber},
      {"dram_bw_gbs", ValueType::kNumber},
      {"io_bw_gbs", ValueType::kNumber},
      {"is_datacenter", ValueType::kBool},
      {"state_funded", ValueType::kBool},
      {"model", ValueType::kString},
      {"origin_country", ValueType::kString},
      {"location", ValueType::kString},
      {"end_user_hq", ValueType::kString},
      {"end_user_parent_hq", ValueType::kString},
      {"transfer_type", ValueType::kString},
  };
}

// Abridged memberships; enough to tell the set operations apart.
GroupMap Groups() {
  return {
      {"D:1", {"CN", "RU", "BY", "IR", "KP", "MO", "VN", "KZ"}},
      {"D:4", {"CN", "MO", "RU", "IR", "KP", "SY", "SA", "AE", "QA", "IL"}},
      {"D:5", {"CN", "RU", "BY", "IR", "KP", "SY", "VE"}},
      {"A:5", {"JP", "GB", "DE", "FR", "KR", "AU"}},
      {"A:6", {"IL", "TW", "MX", "CY"}},
  };
}

Predicate MustParse(std::string_view text) {
  Result<Predicate> p = Predicate::Parse(text, Schema(), Groups());
  if (!p.ok()) {
    ADD_FAILURE() << "parse of '" << text << "' failed: " << p.status().message();
    return Predicate::True();
  }
  return *p;
}

std::string Eval(std::string_view text, const FactSource& facts) {
  return Name(MustParse(text).Evaluate(facts));
}

MapFacts Chip(double tpp, std::optional<double> pd, bool datacenter) {
  MapFacts f{{"tpp", tpp}, {"is_datacenter", datacenter}};
  if (pd) f.Set("pd", *pd);
  return f;
}

TEST(PredicateReferenceRulesTest, H100IsControlledBy3A090a) {
  const MapFacts h100 = Chip(15832, 19.45, true);
  EXPECT_EQ(Eval(k3A090a, h100), "true");
  EXPECT_EQ(Eval(k3A090b, h100), "false");  // its PD is above the .b band
  EXPECT_EQ(Eval(kNonDatacenter, h100), "false");
}

TEST(PredicateReferenceRulesTest, H20AndL20StayBelowBoth3A090Paragraphs) {
  const MapFacts h20 = Chip(2368, 2.91, true);
  EXPECT_EQ(Eval(k3A090a, h20), "false");
  EXPECT_EQ(Eval(k3A090b, h20), "false");
  const MapFacts l20 = Chip(1912, 3.14, true);
  EXPECT_EQ(Eval(k3A090a, l20), "false");
  EXPECT_EQ(Eval(k3A090b, l20), "false");
}

TEST(PredicateReferenceRulesTest, ChipIn3A090bBand) {
  EXPECT_EQ(Eval(k3A090b, Chip(3000, 2.0, true)), "true");    // first prong
  EXPECT_EQ(Eval(k3A090b, Chip(1700, 4.0, true)), "true");    // second prong
  EXPECT_EQ(Eval(k3A090b, Chip(3000, 2.0, false)), "false");  // consumer part
  EXPECT_EQ(Eval(k3A090a, Chip(3000, 2.0, true)), "false");
}

TEST(PredicateReferenceRulesTest, UnknownDensityIsSettledByTppAlone) {
  const MapFacts big = Chip(5120, std::nullopt, true);
  EXPECT_EQ(Eval(k3A090a, big), "true");
  // .b's first prong fails on TPP, but its second depends on the missing PD.
  EXPECT_EQ(Eval(k3A090b, big), "unknown");
  EXPECT_EQ(Eval(k3A090a, Chip(2000, std::nullopt, true)), "unknown");
  EXPECT_EQ(Eval(k3A090a, Chip(1000, std::nullopt, true)), "false");
}

TEST(PredicateReferenceRulesTest, ConsumerGpusOnlyCaughtAboveTpp4800) {
  const MapFacts rtx4090 = Chip(5285, 8.7, false);
  EXPECT_EQ(Eval(kNonDatacenter, rtx4090), "true");
  EXPECT_EQ(Eval(k3A090a, rtx4090), "false");
  const MapFacts rtx4090d = Chip(4707, 7.7, false);
  EXPECT_EQ(Eval(kNonDatacenter, rtx4090d), "false");
  EXPECT_EQ(Eval(kNonDatacenter, MapFacts{{"tpp", 5285.0}}), "unknown");
}

TEST(PredicateReferenceRulesTest, H20IsInformedLetter) {
  EXPECT_EQ(Eval(kH20IsInformed, MapFacts{{"model", std::string("H20")}}), "true");
  EXPECT_EQ(Eval(kH20IsInformed, MapFacts{{"model", std::string("Gaudi3")}}), "true");
  const MapFacts plain{{"model", std::string("L20")}, {"dram_bw_gbs", 864.0}, {"io_bw_gbs", 800.0}};
  EXPECT_EQ(Eval(kH20IsInformed, plain), "false");
  const MapFacts summed{{"model", std::string("X1")}, {"dram_bw_gbs", 900.0}, {"io_bw_gbs", 900.0}};
  EXPECT_EQ(Eval(kH20IsInformed, summed), "true");
  EXPECT_EQ(Eval(kH20IsInformed, MapFacts{{"io_bw_gbs", 1200.0}}), "true");
  EXPECT_EQ(Eval(kH20IsInformed, MapFacts{{"dram_bw_gbs", 100.0}, {"io_bw_gbs", 100.0}}),
            "unknown");
}

TEST(PredicateReferenceRulesTest, HeadquartersRuleReachesParents) {
  EXPECT_EQ(Eval(kHeadquarters, MapFacts{{"end_user_hq", std::string("CN")}}), "true");
  const MapFacts subsidiary{{"end_user_hq", std::string("SG")},
                            {"end_user_parent_hq", std::string("MO")}};
  EXPECT_EQ(Eval(kHeadquarters, subsidiary), "true");
  const MapFacts local{{"end_user_hq", std::string("SG")},
                       {"end_user_parent_hq", std::string("SG")}};
  EXPECT_EQ(Eval(kHeadquarters, local), "false");
  EXPECT_EQ(Eval(kHeadquarters, MapFacts{{"end_user_hq", std::string("SG")}}), "unknown");
}

TEST(PredicateReferenceRulesTest, D1D4DestinationsExceptD5AndA5A6) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"AE", "true"},   // D:4 only
      {"VN", "true"},   // D:1 only
      {"CN", "false"},  // also D:5
      {"MO", "false"},  // named beside D:5
      {"IL", "false"},  // D:4 but A:6
      {"SG", "false"},  // in no group
  };
  const Predicate p = MustParse(kD1D4);
  for (const auto& [location, want] : cases) {
    EXPECT_EQ(Name(p.Evaluate(MapFacts{{"location", location}})), want) << location;
  }
  EXPECT_EQ(Name(p.Evaluate(MapFacts{})), "unknown");
}

TEST(PredicateReferenceRulesTest, StringEqualityQuotedAndBare) {
  EXPECT_EQ(Eval("origin_country == \"CN\"", MapFacts{{"origin_country", std::string("CN")}}),
            "true");
  EXPECT_EQ(Eval("origin_country == \"CN\"", MapFacts{{"origin_country", std::string("US")}}),
            "false");
  const MapFacts export_us{{"transfer_type", std::string("export_from_us")}};
  EXPECT_EQ(Eval("transfer_type == export_from_us", export_us), "true");
  EXPECT_EQ(Eval("export_from_us == transfer_type", export_us), "true");
  EXPECT_EQ(Eval("transfer_type != reexport", export_us), "true");
  EXPECT_EQ(Eval("transfer_type == reexport", export_us), "false");
  EXPECT_EQ(Eval("transfer_type == reexport", MapFacts{}), "unknown");
  EXPECT_EQ(Eval("location == MO", MapFacts{{"location", std::string("MO")}}), "true");
  // A field on the right is still a field, not a string.
  const MapFacts same{{"end_user_hq", std::string("CN")}, {"location", std::string("CN")}};
  EXPECT_EQ(Eval("location == end_user_hq", same), "true");
}

// Kleene logic over two boolean facts, each true, false or unknown.
TEST(PredicateLogicTest, ThreeValuedTruthTables) {
  const std::vector<std::optional<bool>> values = {true, false, std::nullopt};
  // Rows: is_datacenter; columns: state_funded; in the order of `values`.
  const std::string and_table[3][3] = {
      {"true", "false", "unknown"}, {"false", "false", "false"}, {"unknown", "false", "unknown"}};
  const std::string or_table[3][3] = {
      {"true", "true", "true"}, {"true", "false", "unknown"}, {"true", "unknown", "unknown"}};
  const std::string not_table[3] = {"false", "true", "unknown"};
  const Predicate p_and = MustParse("is_datacenter AND state_funded");
  const Predicate p_or = MustParse("is_datacenter OR state_funded");
  const Predicate p_not = MustParse("NOT is_datacenter");
  for (size_t i = 0; i < 3; ++i) {
    for (size_t j = 0; j < 3; ++j) {
      MapFacts f;
      if (values[i]) f.Set("is_datacenter", *values[i]);
      if (values[j]) f.Set("state_funded", *values[j]);
      SCOPED_TRACE("row " + std::to_string(i) + " column " + std::to_string(j));
      EXPECT_EQ(Name(p_and.Evaluate(f)), and_table[i][j]);
      EXPECT_EQ(Name(p_or.Evaluate(f)), or_table[i][j]);
      if (j == 0) {
        EXPECT_EQ(Name(p_not.Evaluate(f)), not_table[i]);
      }
    }
  }
}

TEST(PredicateLogicTest, ComparisonsAndArithmeticPropagateUnknown) {
  EXPECT_EQ(Eval("tpp >= 0", MapFacts{}), "unknown");
  EXPECT_EQ(Eval("NOT tpp >= 0", MapFacts{}), "unknown");
  EXPECT_EQ(Eval("tpp + pd > 0", MapFacts{{"tpp", 1.0}}), "unknown");
  EXPECT_EQ(Eval("is_datacenter == true", MapFacts{}), "unknown");
  EXPECT_EQ(Eval("model != \"H20\"", MapFacts{}), "unknown");
  EXPECT_EQ(Eval("model in {H20}", MapFacts{}), "unknown");
  EXPECT_EQ(Eval("model not in {H20}", MapFacts{}), "unknown");
}

TEST(PredicateLogicTest, KeywordsAndSymbolsAreInterchangeable) {
  const MapFacts f = Chip(5000, 1.0, true);
  for (std::string_view text :
       {"is_datacenter AND NOT (tpp < 4800)", "is_datacenter and not (tpp < 4800)",
        "is_datacenter && !(tpp < 4800)", "is_datacenter == TRUE", "is_datacenter != False",
        "false OR (tpp > 1 || pd > 100)"}) {
    EXPECT_EQ(Eval(text, f), "true") << text;
  }
}

TEST(PredicateArithmeticTest, PrecedenceLiteralsAndDivision) {
  const MapFacts f{{"tpp", 20.0}, {"pd", 5.0}};
  EXPECT_EQ(Eval("tpp - pd * 2 == 10", f), "true");
  EXPECT_EQ(Eval("(tpp - pd) * 2 == 30", f), "true");
  EXPECT_EQ(Eval("tpp / pd / 2 == 2", f), "true");  // left-associative
  EXPECT_EQ(Eval("tpp - pd - 5 == 10", f), "true");
  EXPECT_EQ(Eval("-tpp < 0 AND - -pd == 5 AND -2 * -pd == 10", f), "true");
  EXPECT_EQ(Eval("tpp == 2_0 AND 1e3 == 1_000 AND 0.5 * 4 == 2 AND .5 == 0.5", f), "true");
  EXPECT_EQ(Eval("tpp / (pd - 5) > 0", f), "unknown");  // division by zero has no value
  EXPECT_EQ(Eval("tpp / (pd - 5) > 0 OR tpp > 1", f), "true");
}

TEST(PredicateChainTest, ChainedComparisonIsAConjunction) {
  const Predicate up = MustParse("1 < tpp <= 3");
  const Predicate down = MustParse("10 > tpp >= 5 > 0");
  const std::vector<std::pair<double, std::pair<std::string, std::string>>> cases = {
      {1, {"false", "false"}},  {2, {"true", "false"}}, {3, {"true", "false"}},
      {4, {"false", "false"}},  {5, {"false", "true"}}, {9.5, {"false", "true"}},
      {10, {"false", "false"}},
  };
  for (const auto& [tpp, want] : cases) {
    const MapFacts f{{"tpp", tpp}};
    EXPECT_EQ(Name(up.Evaluate(f)), want.first) << tpp;
    EXPECT_EQ(Name(down.Evaluate(f)), want.second) << tpp;
  }
  EXPECT_EQ(Name(up.Evaluate(MapFacts{})), "unknown");
  // An unknown bound is unknown only if the known part does not already fail.
  EXPECT_EQ(Eval("tpp < pd < 10", MapFacts{{"tpp", 20.0}}), "unknown");
  EXPECT_EQ(Eval("pd < 10 < tpp", MapFacts{{"tpp", 5.0}}), "false");
}

TEST(PredicateSetTest, GroupsWildcardsAndQuotedItems) {
  const Predicate models = MustParse("model in {H20, \"RTX 4090\", Gaudi*, 4090D, A800-40G}");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"H20", "true"},     {"RTX 4090", "true"},   {"Gaudi", "true"}, {"Gaudi3", "true"},
      {"gaudi3", "false"}, {"RTX 4090D", "false"}, {"4090D", "true"}, {"A800-40G", "true"},
      {"H200", "false"},   {"", "false"},
  };
  for (const auto& [model, want] : cases) {
    EXPECT_EQ(Name(models.Evaluate(MapFacts{{"model", model}})), want) << model;
  }
  // A bare group name inside braces expands; a quoted one is just text.
  const Predicate hq = MustParse("end_user_hq in {D:5, MO, \"D:4\"}");
  for (const auto& [hq_country, want] : std::vector<std::pair<std::string, std::string>>{
           {"CN", "true"}, {"VE", "true"}, {"MO", "true"}, {"D:4", "true"}, {"SA", "false"}}) {
    EXPECT_EQ(Name(hq.Evaluate(MapFacts{{"end_user_hq", hq_country}})), want) << hq_country;
  }
  EXPECT_EQ(Eval("location not in D:5", MapFacts{{"location", std::string("JP")}}), "true");
  EXPECT_EQ(Eval("location NOT IN D:5", MapFacts{{"location", std::string("RU")}}), "false");
  EXPECT_EQ(Eval("NOT location in D:5", MapFacts{{"location", std::string("RU")}}), "false");
}

TEST(PredicateSetTest, GroupsAreExpandedWhenParsed) {
  GroupMap groups = Groups();
  Result<Predicate> p = Predicate::Parse("location in D:5", Schema(), groups);
  ASSERT_TRUE(p.ok()) << p.status().message();
  groups["D:5"].push_back("SG");
  groups.clear();
  EXPECT_EQ(Name(p->Evaluate(MapFacts{{"location", std::string("SG")}})), "false");
  EXPECT_EQ(Name(p->Evaluate(MapFacts{{"location", std::string("CN")}})), "true");
}

TEST(PredicateSetTest, SetAlgebra) {
  struct Case {
    std::string_view text;
    std::vector<std::string> in;
    std::vector<std::string> out;
  };
  const std::vector<Case> cases = {
      {"location in D:4 & D:1", {"CN", "MO", "RU"}, {"SA", "VN", "JP"}},
      {"location in D:1 | D:4", {"CN", "VN", "SA"}, {"JP", "SG"}},
      // & binds tighter than |: {CN} | ({RU} & {JP}), not ({CN} | {RU}) & {JP}.
      {"location in {CN} | {RU} & {JP}", {"CN"}, {"RU", "JP"}},
      // - is left-associative, and parentheses regroup.
      {"location in {a, b, c} - {a} - {b}", {"c"}, {"a", "b"}},
      {"location in {a, b, c} - ({a, b} - {b})", {"b", "c"}, {"a"}},
      // Words outside braces: groups expand, anything else is one member.
      {"location in D:5 - CN | MO", {"RU", "MO"}, {"CN", "VN"}},
      {"location in \"CN\"", {"CN"}, {"RU"}},
      // Wildcards on the left of - and & stay exact at run time.
      {"model in {Gaudi*, H20} - {Gaudi2}", {"Gaudi3", "H20", "Gaudi"}, {"Gaudi2", "H200"}},
      {"model in {A*} | {B1} | ({C*} - {C1})", {"AX", "B1", "C2"}, {"B2", "C1", "X"}},
      {"model in {A*} & {AB*}", {"AB", "ABC"}, {"A", "AC", "B"}},
      {"model in {A*, X} & {AB, B}", {"AB"}, {"A", "B", "X"}},
      {"model in {A*} & {AB*, AC} | {Z}", {"AB", "AC", "Z"}, {"A", "AD"}},
      {"model in {H*} - {H2*} - {H1}", {"H3", "H"}, {"H1", "H20", "H2"}},
      {"model in {H1, H2, X9} & {H*}", {"H1", "H2"}, {"X9"}},
      {"model in {H1, X9} - {H*}", {"X9"}, {"H1"}},
  };
  for (const Case& c : cases) {
    const Predicate p = MustParse(c.text);
    const std::string field = c.text.starts_with("model") ? "model" : "location";
    for (const std::string& s : c.in) {
      EXPECT_EQ(Name(p.Evaluate(MapFacts{{field, s}})), "true") << c.text << " / " << s;
    }
    for (const std::string& s : c.out) {
      EXPECT_EQ(Name(p.Evaluate(MapFacts{{field, s}})), "false") << c.text << " / " << s;
    }
  }
}

TEST(PredicateParseErrorTest, MessageNamesColumnAndText) {
  Result<Predicate> p = Predicate::Parse("tppp >= 4800", Schema(), Groups());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(p.status().message(), "unknown field 'tppp' at column 1 in 'tppp >= 4800'");
}

TEST(PredicateParseErrorTest, EveryKindWithItsColumn) {
  struct Case {
    std::string_view text;
    std::string_view what;  // a substring of the message
    int column;
  };
  const std::vector<Case> cases = {
      {"", "empty expression", 1},
      {"   ", "empty expression", 1},
      {"tppp >= 4800", "unknown field 'tppp'", 1},
      {"is_datacenter AND Tpp > 1", "unknown field 'Tpp'", 19},
      {"origin_cuntry == \"CN\"", "unknown field 'origin_cuntry'", 1},
      {"origin_cuntry == CN", "unknown field 'origin_cuntry'", 1},
      {"tpp == export_from_us", "unknown field 'export_from_us'", 8},
      {"D:5 == location", "'D:5' is a group, which can only follow 'in'", 1},
      {"location == D:5", "'D:5' is a group", 13},
      {"location == D:9", "unknown field 'D:9'", 13},
      {"(tpp >= 4800", "expected ')', found end of expression", 13},
      {"((tpp >= 4800) OR pd > 1", "expected ')'", 25},
      {"tpp >= 4800)", "unexpected ')'", 12},
      {"tpp >= 4800 pd", "unexpected 'pd'", 13},
      {"is_datacenter AND AND tpp > 1", "expected a value, found 'AND'", 19},
      {"NOT", "expected a value, found end of expression", 4},
      {"tpp >=", "expected a value", 7},
      {"model >= 3", "'>=' needs numbers, but 'model' is a string", 1},
      {"3 < model", "'<' needs numbers, but 'model' is a string", 5},
      {"tpp + is_datacenter > 1", "'+' needs numbers, but 'is_datacenter' is a condition", 7},
      {"-model == 1", "'-' needs numbers", 2},
      {"model == 3", "cannot compare 'model' (a string) with '3' (a number)", 7},
      {"is_datacenter == 1", "cannot compare", 15},
      {"tpp in {H20}", "'in' needs a string on the left, but 'tpp' is a number", 1},
      {"tpp + 1", "expected a condition, but 'tpp + 1' is a number", 1},
      {"tpp AND is_datacenter", "expected a condition, but 'tpp' is a number", 1},
      {"is_datacenter OR model", "expected a condition, but 'model' is a string", 18},
      {"NOT (tpp)", "expected a condition, but '(tpp)' is a number", 5},
      {"location in D:55", "unknown group 'D:55'", 13},
      {"location in Tier1", "unknown group 'Tier1'", 13},
      {"location in {D:9, CN}", "unknown group 'D:9'", 14},
      {"location in (D:1 | D:9)", "unknown group 'D:9'", 20},
      {"location in", "expected a group or a {set}, found end of expression", 12},
      {"location in (D:1 | D:4", "expected ')'", 23},
      {"model in {}", "empty set", 11},
      {"model in {H20 H100}", "expected ',' or '}' in a set, found 'H100'", 15},
      {"model in {H20,", "expected a set item, found end of expression", 15},
      {"model in {H20, , H100}", "expected a set item, found ','", 16},
      {"model in {H20, *}", "a wildcard needs a prefix", 16},
      {"model in {H20 (}", "unexpected character '(' in a set", 15},
      {"1 < tpp == 3", "'==' cannot be chained", 9},
      {"1 < tpp > 0", "must go one way", 9},
      {"tpp >= 48OO", "malformed number '48OO'", 8},
      {"tpp >= 4__800", "malformed number", 8},
      {"tpp >= 4800_", "malformed number", 8},
      {"tpp >= 1.2.3", "malformed number", 8},
      {"model == \"H20", "unterminated string", 10},
      {"model == \"a\\nb\"", "unknown escape", 12},
      {"tpp = 4800", "'=' is not an operator", 5},
      {"tpp >= 4800 # note", "unexpected character '#'", 13},
  };
  for (const Case& c : cases) {
    Result<Predicate> p = Predicate::Parse(c.text, Schema(), Groups());
    ASSERT_FALSE(p.ok()) << "'" << c.text << "' parsed";
    EXPECT_EQ(p.status().code(), Status::Code::kInvalidArgument);
    const std::string& msg = p.status().message();
    EXPECT_NE(msg.find(c.what), std::string::npos) << c.text << " -> " << msg;
    const std::string where =
        " at column " + std::to_string(c.column) + " in '" + std::string(c.text) + "'";
    EXPECT_NE(msg.find(where), std::string::npos) << c.text << " -> " << msg;
  }
}

TEST(PredicateParseErrorTest, DeepNestingIsRefusedNotACrash) {
  const std::string deep = std::string(5000, '(') + "true" + std::string(5000, ')');
  Result<Predicate> p = Predicate::Parse(deep, Schema(), Groups());
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("nested too deeply"), std::string::npos);
  const std::string nots = std::string(5000, '!') + "true";
  EXPECT_FALSE(Predicate::Parse(nots, Schema(), Groups()).ok());
  std::string long_sum = "tpp";
  for (int i = 0; i < 1000; ++i) long_sum += " + 1";
  EXPECT_FALSE(Predicate::Parse(long_sum + " > 0", Schema(), Groups()).ok());
  std::string long_difference = "model in {A*}";
  for (int i = 0; i < 1000; ++i) long_difference += " - {B" + std::to_string(i) + "}";
  EXPECT_FALSE(Predicate::Parse(long_difference, Schema(), Groups()).ok());
  const std::string ok = std::string(50, '(') + "tpp > 1" + std::string(50, ')');
  EXPECT_TRUE(Predicate::Parse(ok, Schema(), Groups()).ok());
}

TEST(PredicateExplainTest, RecordsEachFactReadOnceInReadingOrder) {
  const Predicate a = MustParse(k3A090a);
  {
    // The TPP prong settles it, so PD is never read.
    const MapFacts h100 = Chip(15832, 19.45, true);
    std::vector<FactUse> used;
    EXPECT_EQ(a.Evaluate(h100, &used), Tri::kTrue);
    ASSERT_EQ(used.size(), 2u);
    EXPECT_EQ(used[0].field, "is_datacenter");
    EXPECT_EQ(used[0].value, Value(true));
    EXPECT_EQ(used[1].field, "tpp");
    EXPECT_EQ(used[1].value, Value(15832.0));
    EXPECT_EQ(h100.reads(), 2);
  }
  {
    // TPP is compared twice but read and recorded once; a missing PD is recorded as unknown.
    const MapFacts f = Chip(2000, std::nullopt, true);
    std::vector<FactUse> used;
    EXPECT_EQ(a.Evaluate(f, &used), Tri::kUnknown);
    ASSERT_EQ(used.size(), 3u);
    EXPECT_EQ(used[1].field, "tpp");
    EXPECT_EQ(used[2].field, "pd");
    EXPECT_TRUE(catalog::IsUnknown(used[2].value));
    EXPECT_EQ(f.reads(), 3);
  }
  {
    const MapFacts consumer = Chip(5285, 8.7, false);
    std::vector<FactUse> used;
    EXPECT_EQ(a.Evaluate(consumer, &used), Tri::kFalse);
    ASSERT_EQ(used.size(), 1u);
    EXPECT_EQ(used[0].field, "is_datacenter");
  }
  {
    // Arithmetic reads left to right; `used` is appended to, not cleared.
    const MapFacts f{{"dram_bw_gbs", 900.0}, {"io_bw_gbs", 900.0}};
    std::vector<FactUse> used = {{"earlier", Value()}};
    EXPECT_EQ(MustParse("dram_bw_gbs + io_bw_gbs >= 1700").Evaluate(f, &used), Tri::kTrue);
    ASSERT_EQ(used.size(), 3u);
    EXPECT_EQ(used[1].field, "dram_bw_gbs");
    EXPECT_EQ(used[2].field, "io_bw_gbs");
  }
}

// Past 16 distinct fields the facts no longer fit on the stack, and past 64 the read-once
// bookkeeping spans more than one word.
TEST(PredicateExplainTest, ManyDistinctFields) {
  for (const int n : {20, 70}) {
    FieldSchema schema;
    MapFacts facts;
    std::string text = "f0";
    for (int i = 0; i < n; ++i) {
      const std::string name = "f" + std::to_string(i);
      schema[name] = ValueType::kNumber;
      facts.Set(name, 1.0);
      if (i > 0) text += " + " + name;
    }
    text += " == " + std::to_string(n) + " AND f" + std::to_string(n - 1) + " == 1";
    Result<Predicate> p = Predicate::Parse(text, schema, {});
    ASSERT_TRUE(p.ok()) << p.status().message();
    EXPECT_EQ(p->fields().size(), static_cast<size_t>(n));
    std::vector<FactUse> used;
    EXPECT_EQ(p->Evaluate(facts, &used), Tri::kTrue) << n;
    ASSERT_EQ(used.size(), static_cast<size_t>(n));
    EXPECT_EQ(used.back().field, "f" + std::to_string(n - 1));
    EXPECT_EQ(facts.reads(), n);
    facts.Erase("f" + std::to_string(n / 2));
    EXPECT_EQ(p->Evaluate(facts), Tri::kUnknown) << n;
    facts.Set("f" + std::to_string(n / 2), 2.0);
    EXPECT_EQ(p->Evaluate(facts), Tri::kFalse) << n;
  }
}

TEST(PredicateExplainTest, FactOfTheWrongTypeReadsAsUnknown) {
  const MapFacts odd{{"tpp", std::string("lots")}, {"is_datacenter", 1.0}};
  EXPECT_EQ(Eval("tpp >= 4800", odd), "unknown");
  EXPECT_EQ(Eval("is_datacenter", odd), "unknown");
  EXPECT_EQ(Eval("model == H20", MapFacts{{"model", 20.0}}), "unknown");
  EXPECT_EQ(Eval("tpp > 1", MapFacts{{"tpp", std::nan("")}}), "unknown");
}

TEST(PredicateAccessorsTest, FieldsAreDistinctAndSortedAndTextIsAsWritten) {
  const Predicate b = MustParse(k3A090b);
  EXPECT_EQ(b.fields(), (std::vector<std::string>{"is_datacenter", "pd", "tpp"}));
  EXPECT_EQ(b.text(), k3A090b);
  EXPECT_EQ(MustParse(kH20IsInformed).fields(),
            (std::vector<std::string>{"dram_bw_gbs", "io_bw_gbs", "model"}));
  EXPECT_EQ(MustParse("transfer_type == export_from_us").fields(),
            (std::vector<std::string>{"transfer_type"}));
  EXPECT_EQ(MustParse("  1 <  2 ").text(), "  1 <  2 ");
  EXPECT_TRUE(MustParse("1 < 2").fields().empty());
}

TEST(PredicateAccessorsTest, TrueMatchesEverythingAndReadsNothing) {
  const MapFacts none;
  for (const Predicate& p : {Predicate::True(), Predicate()}) {
    EXPECT_EQ(p.Evaluate(none), Tri::kTrue);
    EXPECT_TRUE(p.fields().empty());
    EXPECT_EQ(p.text(), "true");
  }
  EXPECT_EQ(none.reads(), 0);
  const Predicate copy = MustParse(k3A090a);
  const Predicate other = copy;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(other.Evaluate(Chip(15832, 19.45, true)), Tri::kTrue);
}

// --- Randomised: three-valued results are sound, checked against a reference model ---

// A random expression over numeric fields a, b, c, with an independent reference evaluator
// (std::optional for unknown numbers), used as the model the compiled predicate must match.
struct GenExpr {
  std::string text;
  std::function<std::optional<double>(const std::map<std::string, double>&)> number;
  std::function<Tri(const std::map<std::string, double>&)> condition;
};

class ExprGenerator {
 public:
  explicit ExprGenerator(uint64_t seed) : rng_(seed) {}

  GenExpr Condition(int depth) {
    const uint64_t pick = depth <= 0 ? 3 + rng_.Uniform(2) : rng_.Uniform(5);
    GenExpr e;
    if (pick == 0 || pick == 1) {  // AND / OR of two to three operands
      const bool is_and = pick == 0;
      std::vector<GenExpr> kids;
      const uint64_t n = 2 + rng_.Uniform(2);
      for (uint64_t i = 0; i < n; ++i) kids.push_back(Condition(depth - 1));
      e.text = "(";
      for (size_t i = 0; i < kids.size(); ++i) {
        if (i > 0) e.text += is_and ? " AND " : " OR ";
        e.text += kids[i].text;
      }
      e.text += ")";
      e.condition = [kids, is_and](const auto& v) {
        bool unknown = false;
        for (const GenExpr& k : kids) {
          const Tri t = k.condition(v);
          if (t == (is_and ? Tri::kFalse : Tri::kTrue)) return t;
          if (t == Tri::kUnknown) unknown = true;
        }
        if (unknown) return Tri::kUnknown;
        return is_and ? Tri::kTrue : Tri::kFalse;
      };
    } else if (pick == 2) {
      GenExpr k = Condition(depth - 1);
      e.text = "NOT " + k.text;
      e.condition = [k](const auto& v) {
        const Tri t = k.condition(v);
        if (t == Tri::kUnknown) return t;
        return t == Tri::kTrue ? Tri::kFalse : Tri::kTrue;
      };
    } else if (pick == 3) {  // x op y
      static constexpr const char* kOps[] = {"<", "<=", ">", ">=", "==", "!="};
      const int op = static_cast<int>(rng_.Uniform(6));
      GenExpr x = Number(depth - 1);
      GenExpr y = Number(depth - 1);
      e.text = "(" + x.text + " " + kOps[op] + " " + y.text + ")";
      e.condition = [x, y, op](const auto& v) {
        const std::optional<double> l = x.number(v);
        const std::optional<double> r = y.number(v);
        if (!l || !r) return Tri::kUnknown;
        const bool results[] = {*l<*r, *l <= *r, *l> * r, *l >= *r, *l == *r, *l != *r};
        return results[op] ? Tri::kTrue : Tri::kFalse;
      };
    } else {  // lo <= x < hi
      GenExpr lo = Number(depth - 1);
      GenExpr x = Number(depth - 1);
      GenExpr hi = Number(depth - 1);
      e.text = "(" + lo.text + " <= " + x.text + " < " + hi.text + ")";
      e.condition = [lo, x, hi](const auto& v) {
        const std::optional<double> l = lo.number(v);
        const std::optional<double> m = x.number(v);
        const std::optional<double> h = hi.number(v);
        const Tri first = (!l || !m) ? Tri::kUnknown : (*l <= *m ? Tri::kTrue : Tri::kFalse);
        const Tri second = (!m || !h) ? Tri::kUnknown : (*m < *h ? Tri::kTrue : Tri::kFalse);
        if (first == Tri::kFalse || second == Tri::kFalse) return Tri::kFalse;
        if (first == Tri::kUnknown || second == Tri::kUnknown) return Tri::kUnknown;
        return Tri::kTrue;
      };
    }
    return e;
  }

  GenExpr Number(int depth) {
    const uint64_t pick = depth <= 0 ? rng_.Uniform(2) : rng_.Uniform(6);
    GenExpr e;
    if (pick == 0) {
      static constexpr const char* kFields[] = {"a", "b", "c"};
      const std::string name = kFields[rng_.Uniform(3)];
      e.text = name;
      e.number = [name](const auto& v) -> std::optional<double> {
        const auto it = v.find(name);
        if (it == v.end()) return std::nullopt;
        return it->second;
      };
    } else if (pick == 1) {
      const double k = static_cast<double>(rng_.Uniform(11)) - 5;
      e.text = k < 0 ? "(" + std::to_string(static_cast<int>(k)) + ")"
                     : std::to_string(static_cast<int>(k));
      e.number = [k](const auto&) -> std::optional<double> { return k; };
    } else {
      static constexpr char kOps[] = {'+', '-', '*', '/'};
      const char op = kOps[pick - 2];
      GenExpr x = Number(depth - 1);
      GenExpr y = Number(depth - 1);
      e.text = "(" + x.text + " " + op + " " + y.text + ")";
      e.number = [x, y, op](const auto& v) -> std::optional<double> {
        const std::optional<double> l = x.number(v);
        const std::optional<double> r = y.number(v);
        if (!l || !r) return std::nullopt;
        switch (op) {
          case '+':
            return *l + *r;
          case '-':
            return *l - *r;
          case '*':
            return *l * *r;
          default:
            if (*r == 0) return std::nullopt;
            return *l / *r;
        }
      };
    }
    return e;
  }

  double RandomValue() { return static_cast<double>(rng_.Uniform(11)) - 5; }

 private:
  Rng rng_;
};

class NumberFacts : public FactSource {
 public:
  explicit NumberFacts(const std::map<std::string, double>& v) : v_(v) {}
  catalog::Value Get(std::string_view field) const override {
    const auto it = v_.find(std::string(field));
    return it == v_.end() ? catalog::Value() : catalog::Value(it->second);
  }

 private:
  const std::map<std::string, double>& v_;
};

TEST(PredicatePropertyTest, PartialKnowledgeNeverContradictsFullKnowledge) {
  const FieldSchema schema = {
      {"a", ValueType::kNumber}, {"b", ValueType::kNumber}, {"c", ValueType::kNumber}};
  const std::vector<std::string> names = {"a", "b", "c"};
  int decided_with_unknown = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    ExprGenerator gen(seed);
    const GenExpr expr = gen.Condition(3);
    SCOPED_TRACE("seed " + std::to_string(seed) + ": " + expr.text);
    Result<Predicate> p = Predicate::Parse(expr.text, schema, {});
    ASSERT_TRUE(p.ok()) << p.status().message();
    std::map<std::string, double> full = {
        {"a", gen.RandomValue()}, {"b", gen.RandomValue()}, {"c", gen.RandomValue()}};
    EXPECT_EQ(Name(p->Evaluate(NumberFacts(full))), Name(expr.condition(full)));
    for (const std::string& hidden : names) {
      std::map<std::string, double> partial = full;
      partial.erase(hidden);
      const Tri partial_result = p->Evaluate(NumberFacts(partial));
      EXPECT_EQ(Name(partial_result), Name(expr.condition(partial))) << "without " << hidden;
      if (partial_result == Tri::kUnknown) continue;
      ++decided_with_unknown;
      // Decided without `hidden`: no value of `hidden` may change the answer.
      for (double v : {-5.0, -1.0, 0.0, 0.5, 1.0, 2.0, 5.0, 1e6, gen.RandomValue()}) {
        std::map<std::string, double> filled = partial;
        filled[hidden] = v;
        EXPECT_EQ(Name(p->Evaluate(NumberFacts(filled))), Name(partial_result))
            << "without " << hidden << ", then " << hidden << " = " << v;
      }
    }
  }
  // The property is vacuous unless unknown facts often leave the answer decided.
  EXPECT_GT(decided_with_unknown, 200);
}

// LiteralChecks see every string compared with a checked field (quoted, bare, set items,
// prefixes), may rewrite it, and fail the parse at the literal's column; group members and
// unchecked fields pass untouched.
TEST(PredicateTest, LiteralChecksVetAndRewriteComparedStrings) {
  std::vector<std::string> seen;
  const LiteralChecks checks = {
      {"model",
       [&seen](std::string_view value, bool prefix) -> Result<std::string> {
         seen.push_back(std::string(value) + (prefix ? "*" : ""));
         if (value == "H20") return std::string("nvidia-h20");  // an alias becomes its id
         if (value == "H30") return Status::InvalidArgument("no such model 'H30'");
         return std::string(value);
       }},
      {"location",
       [&seen](std::string_view value, bool) -> Result<std::string> {
         seen.push_back(std::string(value));
         if (value == "XX") return Status::InvalidArgument("'XX' is no country");
         return std::string(value);
       }},
  };
  Result<Predicate> p = Predicate::Parse(
      "model in {H20, Gaudi*} AND \"A100\" != model AND location in D:5 | MO AND "
      "transfer_type == export",
      Schema(), Groups(), checks);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(seen, (std::vector<std::string>{"H20", "Gaudi*", "A100", "MO"}))
      << "D:5's members come from the group; transfer_type has no check";
  MapFacts h20{{"model", std::string("nvidia-h20")},
               {"location", std::string("MO")},
               {"transfer_type", std::string("export")}};
  EXPECT_EQ(Name(p->Evaluate(h20)), "true") << "H20 was rewritten to the id the fact holds";
  h20.Set("model", std::string("H20"));
  EXPECT_EQ(Name(p->Evaluate(h20)), "false");

  for (const auto& [text, column] :
       {std::pair{"model == \"H30\"", 10}, std::pair{"model in {A100, H30}", 17},
        std::pair{"location == XX", 13}, std::pair{"location in {CN} | {XX}", 21}}) {
    Result<Predicate> bad = Predicate::Parse(text, Schema(), Groups(), checks);
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_THAT(bad.status().message(), ::testing::HasSubstr("at column " + std::to_string(column)))
        << text;
  }
}

}  // namespace
}  // namespace gpufleet::compliance
