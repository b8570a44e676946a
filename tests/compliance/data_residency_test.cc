// Data-residency rules (docs/compliance.md, "Data residency"): a `policy` rule scoped to data
// classes applies only to situations that process one of them, with both engines.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/compliance/engine.h"
#include "gpufleet/compliance/rule_set.h"

namespace gpufleet::compliance {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kResidencyRule[] = R"(  - id: ACME-RESIDENCY-CN-PERSONAL
    kind: policy
    jurisdiction: CN
    effective_from: 2021-11-01
    data_classes: [cn_personal]
    locations_except: [CN]
    transfers: [use, remote_access]
    action: prohibited
    source: "ACME data policy 4.2"
    summary: "Personal data of Chinese users stays in mainland China"
)";

// A chip rule of another jurisdiction on the same situations, for stacking.
constexpr char kChipRule[] = R"(  - id: US-DC-CHIPS
    kind: regulation
    jurisdiction: US
    effective_from: 2023-11-17
    chip: "is_datacenter"
    locations: [CN, SG]
    transfers: [use, remote_access]
    action: licence_required
    source: test
)";

Date D(std::string_view text) {
  Result<Date> d = Date::Parse(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? *d : Date();
}

class DataResidencyTest : public ::testing::Test {
 protected:
  DataResidencyTest() {
    chip_.id = "dc-chip";
    chip_.vendor = "v";
    chip_.datacenter = true;
  }

  // Loads `rules` (the entries of a `rules:` list) and builds both engines.
  void Load(const std::string& rules) {
    Result<RuleSet> set = RuleSet::Parse("rules:\n" + rules, "residency.yaml", {});
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    rules_ = std::make_unique<RuleSet>(std::move(set).value());
    naive_ = MakeNaiveEngine(*rules_);
    indexed_ = MakeIndexedEngine(*rules_);
  }

  Situation Job(std::string_view location, std::string_view data_class,
                std::string_view date = "2026-03-01") const {
    Situation s;
    s.chip = &chip_;
    s.date = D(date);
    s.location = std::string(location);
    s.transfer = TransferType::kUse;
    s.end_user = "acme";
    s.end_user_hq = "CN";
    s.data_class = std::string(data_class);
    return s;
  }

  // Both engines' verdict, checked to agree.
  Verdict Evaluate(const Situation& s) const {
    const Verdict a = naive_->Evaluate(s);
    const Verdict b = indexed_->Evaluate(s);
    EXPECT_EQ(a.overall, b.overall);
    EXPECT_EQ(a.needs_manual_classification, b.needs_manual_classification);
    EXPECT_EQ(a.Explain(), b.Explain());
    return a;
  }

  catalog::AcceleratorSpec chip_;
  std::unique_ptr<RuleSet> rules_;
  std::unique_ptr<Engine> naive_;
  std::unique_ptr<Engine> indexed_;
};

TEST_F(DataResidencyTest, PersonalDataMayStayInChina) {
  Load(kResidencyRule);
  const Verdict v = Evaluate(Job("CN", "cn_personal"));
  EXPECT_EQ(v.overall, Action::kAllowed);
  EXPECT_TRUE(v.jurisdictions.empty()) << "locations_except: [CN] leaves China out of scope";
}

TEST_F(DataResidencyTest, PersonalDataAbroadIsProhibitedAndTheExplanationSaysWhy) {
  Load(kResidencyRule);
  const Verdict v = Evaluate(Job("SG", "cn_personal"));
  EXPECT_EQ(v.overall, Action::kProhibited) << "a policy rule binds like a regulation";
  EXPECT_FALSE(v.needs_manual_classification);
  ASSERT_EQ(v.jurisdictions.size(), 1u);
  EXPECT_EQ(v.jurisdictions[0].jurisdiction, "CN");
  EXPECT_THAT(v.Explain(),
              Contains(AllOf(HasSubstr("ACME-RESIDENCY-CN-PERSONAL"), HasSubstr("prohibited"),
                             HasSubstr("(policy,"), HasSubstr("data_class=cn_personal"))));

  Situation rented = Job("SG", "cn_personal");
  rented.transfer = TransferType::kRemoteAccess;
  EXPECT_EQ(Evaluate(rented).overall, Action::kProhibited);
  Situation shipped = Job("SG", "cn_personal");
  shipped.transfer = TransferType::kExport;
  EXPECT_EQ(Evaluate(shipped).overall, Action::kAllowed) << "outside the rule's transfers";
}

TEST_F(DataResidencyTest, OtherDataAndNoDataAreOutOfScope) {
  Load(kResidencyRule);
  for (std::string_view data_class : {"", "public", "cn_personal_x"}) {
    SCOPED_TRACE(std::string(data_class));
    const Verdict v = Evaluate(Job("SG", data_class));
    EXPECT_EQ(v.overall, Action::kAllowed);
    EXPECT_FALSE(v.needs_manual_classification);
    EXPECT_TRUE(v.jurisdictions.empty());
  }
}

TEST_F(DataResidencyTest, NotInForceBeforeEffectiveFrom) {
  Load(kResidencyRule);
  EXPECT_EQ(Evaluate(Job("SG", "cn_personal", "2021-10-31")).overall, Action::kAllowed);
  EXPECT_EQ(Evaluate(Job("SG", "cn_personal", "2021-11-01")).overall, Action::kProhibited);
}

TEST_F(DataResidencyTest, ProposedResidencyRuleCountsAsWarningOnly) {
  std::string proposed = kResidencyRule;
  proposed.replace(proposed.find("kind: policy"), 12, "kind: proposed");
  Load(proposed);
  EXPECT_EQ(Evaluate(Job("SG", "cn_personal")).overall, Action::kWarning);
}

TEST_F(DataResidencyTest, StacksWithChipRulesMostRestrictiveWins) {
  Load(std::string(kResidencyRule) + kChipRule);
  // In China the residency rule is satisfied; the chip rule alone decides.
  const Verdict home = Evaluate(Job("CN", "cn_personal"));
  EXPECT_EQ(home.overall, Action::kLicenceRequired);
  ASSERT_EQ(home.jurisdictions.size(), 1u);
  EXPECT_EQ(home.jurisdictions[0].jurisdiction, "US");

  // Abroad both apply, each in its own jurisdiction; the prohibition wins overall.
  const Verdict abroad = Evaluate(Job("SG", "cn_personal"));
  EXPECT_EQ(abroad.overall, Action::kProhibited);
  ASSERT_EQ(abroad.jurisdictions.size(), 2u);
  EXPECT_EQ(abroad.jurisdictions[0].jurisdiction, "CN");
  EXPECT_EQ(abroad.jurisdictions[0].action, Action::kProhibited);
  EXPECT_EQ(abroad.jurisdictions[1].jurisdiction, "US");
  EXPECT_EQ(abroad.jurisdictions[1].action, Action::kLicenceRequired);

  // A hardware question (no data class) sees only the chip rule, whose facts do not mention
  // data.
  const Verdict hardware = Evaluate(Job("SG", ""));
  EXPECT_EQ(hardware.overall, Action::kLicenceRequired);
  EXPECT_THAT(hardware.Explain(), Not(Contains(HasSubstr("data_class"))));
}

TEST_F(DataResidencyTest, ResidencyAndChipRuleInOneJurisdictionStack) {
  std::string chip_rule_cn = kChipRule;
  chip_rule_cn.replace(chip_rule_cn.find("jurisdiction: US"), 16, "jurisdiction: CN");
  Load(std::string(kResidencyRule) + chip_rule_cn);
  const Verdict v = Evaluate(Job("SG", "cn_personal"));
  ASSERT_EQ(v.jurisdictions.size(), 1u);
  EXPECT_EQ(v.jurisdictions[0].action, Action::kProhibited);
  ASSERT_EQ(v.jurisdictions[0].hits.size(), 2u);
  EXPECT_EQ(v.jurisdictions[0].hits[0].rule->id, "ACME-RESIDENCY-CN-PERSONAL")
      << "most restrictive first";
}

TEST_F(DataResidencyTest, ConditionsReadTheDataClassAsAKnownFact) {
  Load(R"(  - id: ACME-PUBLIC-DATA-NOTE
    kind: policy
    jurisdiction: SG
    effective_from: 2021-01-01
    condition: "data_class == \"public\""
    action: warning
    source: test
)");
  const Verdict v = Evaluate(Job("SG", "public"));
  EXPECT_EQ(v.overall, Action::kWarning);
  EXPECT_THAT(v.Explain(), Contains(HasSubstr("data_class=public")));
  const Verdict none = Evaluate(Job("SG", ""));
  EXPECT_EQ(none.overall, Action::kAllowed);
  EXPECT_FALSE(none.needs_manual_classification) << "no data class is known, not unknown";
}

}  // namespace
}  // namespace gpufleet::compliance
