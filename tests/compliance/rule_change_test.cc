// MergeChange (rule_change.h): the merged rule document as text, which rule overlays layer on
// one another and which ApplyChange parses.

#include "gpufleet/compliance/rule_change.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace gpufleet::compliance {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kBase = R"(groups:
  G1: [CN, MO]
rules:
  - id: R-A
    kind: regulation
    source: "test"
    jurisdiction: US
    effective_from: 2023-01-01
    chip: "tpp >= 4800"
    locations: [G1]
    action: licence_required
)";

// A licence for org-1, with the given status: what an operator's overlay holds.
std::string Licence(std::string_view status) {
  return "licences:\n"
         "  - id: LIC-1\n"
         "    holder: org-1\n"
         "    models: [chip-x]\n"
         "    status: " +
         std::string(status) + "\n";
}

TEST(MergeChangeTest, ParsesToWhatApplyChangeGives) {
  const std::string change = Licence("granted");
  auto merged = MergeChange(kBase, "base.yaml", change, "ops.yaml");
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  auto parsed = RuleSet::Parse(*merged, "merged", {});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  auto applied = ApplyChange(kBase, "base.yaml", change, "ops.yaml", {});
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  ASSERT_EQ(parsed->licences().size(), 1u);
  ASSERT_EQ(applied->licences().size(), 1u);
  EXPECT_EQ(parsed->licences()[0].status, applied->licences()[0].status);
  EXPECT_EQ(parsed->licences()[0].status, LicenceStatus::kGranted);
  EXPECT_EQ(parsed->rules().size(), applied->rules().size());
  EXPECT_EQ(parsed->rules().size(), 1u);
}

// The second merge sees the first's entries: it replaces the licence by id, and may remove it.
TEST(MergeChangeTest, MergesLayerInOrder) {
  auto first = MergeChange(kBase, "base.yaml", Licence("pending"), "a.yaml");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = MergeChange(*first, "base.yaml + a.yaml", Licence("denied"), "b.yaml");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  auto rules = RuleSet::Parse(*second, "merged", {});
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  ASSERT_EQ(rules->licences().size(), 1u) << "replaced by id, not appended";
  EXPECT_EQ(rules->licences()[0].status, LicenceStatus::kDenied);

  auto removed = MergeChange(*first, "base.yaml + a.yaml", "remove_licences: [LIC-1]\n", "c.yaml");
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  auto without = RuleSet::Parse(*removed, "merged", {});
  ASSERT_TRUE(without.ok()) << without.status().ToString();
  EXPECT_TRUE(without->licences().empty());

  auto not_in_base = MergeChange(kBase, "base.yaml", "remove_licences: [LIC-1]\n", "c.yaml");
  ASSERT_FALSE(not_in_base.ok());
  EXPECT_THAT(not_in_base.status().message(), HasSubstr("c.yaml:1:19"));
  EXPECT_THAT(not_in_base.status().message(), HasSubstr("in base.yaml"));
}

// MergeChange checks the change file's shape, not what the merged rules mean: that is
// RuleSet::Parse's job (and ApplyChange's, which names both files).
TEST(MergeChangeTest, ValidatesTheChangeFileButNotTheMergedRules) {
  auto syntax = MergeChange(kBase, "base.yaml", "licences:\n  - id: [x\n", "ops.yaml");
  ASSERT_FALSE(syntax.ok());
  EXPECT_THAT(syntax.status().message(), HasSubstr("ops.yaml:"));
  auto key = MergeChange(kBase, "base.yaml", "description: x\nlicenses: []\n", "ops.yaml");
  ASSERT_FALSE(key.ok());
  EXPECT_THAT(key.status().message(), HasSubstr("ops.yaml:2:1: unknown key 'licenses'"));
  auto base = MergeChange("rules: [\n", "base.yaml", Licence("granted"), "ops.yaml");
  ASSERT_FALSE(base.ok());
  EXPECT_THAT(base.status().message(), HasSubstr("base.yaml:"));

  auto meaning = MergeChange(kBase, "base.yaml", Licence("maybe"), "ops.yaml");
  ASSERT_TRUE(meaning.ok()) << meaning.status().ToString();
  auto applied = ApplyChange(kBase, "base.yaml", Licence("maybe"), "ops.yaml", {});
  ASSERT_FALSE(applied.ok());
  EXPECT_THAT(applied.status().message(), HasSubstr("base.yaml + ops.yaml"));
  EXPECT_THAT(applied.status().message(), HasSubstr("'maybe'"));
}

}  // namespace
}  // namespace gpufleet::compliance
