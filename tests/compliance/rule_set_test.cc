#include "gpufleet/compliance/rule_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gpufleet/compliance/rule_change.h"

namespace gpufleet::compliance {
namespace {

using ::testing::HasSubstr;

const std::map<std::string, std::string, std::less<>> kModels = {{"H20", "nvidia-h20"},
                                                                 {"nvidia-h20", "nvidia-h20"}};

constexpr char kGood[] = R"(groups:
  D:5: [CN, RU, IR]
  CN-MO-D5: [D:5, MO]
derived:
  - name: big
    predicate: "tpp >= 4800"
    source: test
rules:
  - id: R1
    kind: regulation
    jurisdiction: US
    effective_from: 2023-11-17
    chip: "big AND is_datacenter"
    locations: [CN-MO-D5]
    transfers: [export, reexport]
    action: licence_required
    licence_policy: presumption of denial
    source: test
  - id: R1
    version: 2
    kind: regulation
    jurisdiction: US
    effective_from: 2022-10-07
    effective_to: 2023-11-16
    chip: "big"
    locations: [CN]
    action: licence_required
    source: test
  - id: R2
    kind: reported
    jurisdiction: CN
    effective_from: 2025-08-01
    condition: "site_state_funded AND project_completion_pct < 30"
    action: prohibited
    source: test
licences:
  - id: L1
    holder: acme
    models: [H20]
    locations: [CN]
    valid_from: 2025-08-11
    status: granted
    revenue_share_pct: 15
)";

TEST(RuleSetTest, ReadsGroupsDerivedFactsRulesAndLicences) {
  auto set = RuleSet::Parse(kGood, "good.yaml", kModels);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->groups().at("CN-MO-D5"), (std::vector<std::string>{"CN", "IR", "MO", "RU"}));
  ASSERT_EQ(set->rules().size(), 3u);
  const Rule& r1 = set->rules()[0];
  EXPECT_EQ(r1.locations, (std::vector<std::string>{"CN", "IR", "MO", "RU"}));
  EXPECT_TRUE(r1.CoversTransfer(TransferType::kReexport));
  EXPECT_FALSE(r1.CoversTransfer(TransferType::kRemoteAccess));
  EXPECT_TRUE(r1.CoversLocation("MO"));
  EXPECT_FALSE(r1.CoversLocation("MY"));
  EXPECT_EQ(r1.action, Action::kLicenceRequired);
  EXPECT_TRUE(r1.InForce(*Date::Parse("2023-11-17")));
  EXPECT_FALSE(r1.InForce(*Date::Parse("2023-11-16")));
  EXPECT_EQ(r1.line, 9);
  const auto versions = set->Versions("R1");
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0]->version, 2) << "ordered by effective_from";
  ASSERT_EQ(set->licences().size(), 1u);
  EXPECT_EQ(set->licences()[0].models, (std::vector<std::string>{"nvidia-h20"}));
  EXPECT_EQ(set->licences()[0].status, LicenceStatus::kGranted);
  ASSERT_EQ(set->derived().size(), 1u);
  EXPECT_EQ(set->derived()[0].predicate.fields(), (std::vector<std::string>{"tpp"}));
}

// The compiled: stamp orders shipped files (service/shipped_rules.h): read as a date, optional,
// kept by a merge, and not something a change file may set.
TEST(RuleSetTest, ReadsTheCompiledStampAndChangesCannotSetIt) {
  auto unstamped = RuleSet::Parse(kGood, "good.yaml", kModels);
  ASSERT_TRUE(unstamped.ok()) << unstamped.status().ToString();
  EXPECT_EQ(unstamped->compiled(), std::nullopt);
  const std::string stamped = std::string("compiled: 2026-11-23\n") + kGood;
  auto set = RuleSet::Parse(stamped, "good.yaml", kModels);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->compiled(), *Date::Parse("2026-11-23"));
  auto bad = RuleSet::Parse("compiled: 2026-11-31\n" + std::string(kGood), "bad.yaml", kModels);
  EXPECT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("compiled"));

  auto merged = ApplyChange(stamped, "good.yaml", "remove_licences: [L1]\n", "c.yaml", kModels);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(merged->compiled(), *Date::Parse("2026-11-23"));
  auto restamped = ApplyChange(stamped, "good.yaml", "compiled: 2030-01-01\n", "c.yaml", kModels);
  EXPECT_FALSE(restamped.ok());
  EXPECT_THAT(restamped.status().message(), HasSubstr("unknown key 'compiled'"));
}

// A quota missing its measure and threshold, for the cases below to complete.
constexpr char kQuota[] = R"(quotas:
  - id: Q1
    kind: guidance
    jurisdiction: CN
    effective_from: 2025-08-17
    sites: "site_public_hub"
    source: test
)";

TEST(RuleSetTest, ReadsQuotas) {
  const std::string text = std::string(kGood) + kQuota +
                           "    measure: domestic_share_min\n    threshold_pct: 50\n"
                           "    comparison: gt\n    locations: [CN]\n    per_site: true\n";
  auto set = RuleSet::Parse(text, "q.yaml", kModels);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  ASSERT_EQ(set->quotas().size(), 1u);
  const Quota& q = set->quotas()[0];
  EXPECT_EQ(q.measure, QuotaMeasure::kDomesticShareMin);
  EXPECT_EQ(q.basis, QuotaBasis::kCount);
  EXPECT_EQ(q.threshold_pct, 50);
  EXPECT_EQ(q.comparison, Comparison::kGt);
  EXPECT_EQ(q.domestic_to, "CN") << "defaults to the jurisdiction";
  EXPECT_TRUE(q.per_site);
  EXPECT_EQ(q.action, Action::kWarning);
  EXPECT_EQ(q.sites.fields(), (std::vector<std::string>{"site_public_hub"}));

  auto cap = RuleSet::Parse(std::string(kGood) + kQuota +
                                "    measure: external_share_max\n    threshold_pct: 30\n"
                                "    comparison: le\n",
                            "q.yaml", kModels);
  ASSERT_TRUE(cap.ok()) << cap.status().ToString();
  EXPECT_EQ(cap->quotas()[0].basis, QuotaBasis::kCompute) << "the resale cap is TPP-weighted";
}

// Replaces the first occurrence of `from` in the good file.
std::string Edit(const std::string& from, const std::string& to) {
  std::string text = kGood;
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

struct BadFile {
  std::string name;
  std::string text;
  std::string where;  // "file:line" prefix expected in the message
  std::string what;
};

class RuleSetBadFileTest : public ::testing::TestWithParam<BadFile> {};

TEST_P(RuleSetBadFileTest, IsRejectedWithLineAndReason) {
  auto set = RuleSet::Parse(GetParam().text, "rules.yaml", kModels);
  ASSERT_FALSE(set.ok());
  EXPECT_THAT(set.status().message(), HasSubstr(GetParam().where));
  EXPECT_THAT(set.status().message(), HasSubstr(GetParam().what));
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, RuleSetBadFileTest,
    ::testing::Values(
        BadFile{"UnknownField", Edit("    licence_policy:", "    licence_polcy:"),
                "rules.yaml:17:", "licence_polcy: unknown key"},
        BadFile{"UnknownTopLevel", std::string(kGood) + "quota: []\n",
                "rules.yaml:", "quota: unknown key"},
        BadFile{"QuotaMeasure", std::string(kGood) + kQuota + "    measure: domestic_share\n",
                "quota 'Q1'", "not domestic_share_min or external_share_max"},
        BadFile{"QuotaThreshold",
                std::string(kGood) + kQuota + "    measure: domestic_share_min\n" +
                    "    threshold_pct: 150\n",
                "quota 'Q1'", "within 0..100"},
        BadFile{"DuplicateLicenceId",
                std::string(kGood) + "  - id: L1\n    holder: acme\n    models: [H20]\n"
                                     "    status: pending\n",
                "rules.yaml:", "licence 'L1' defined twice"},
        BadFile{"RevokedOnWithoutRevoked",
                std::string(kGood).substr(0, std::string(kGood).find("    status: granted")) +
                    "    status: granted\n    revoked_on: 2025-01-01\n",
                "licence 'L1'", "only a licence with status revoked"},
        BadFile{"LicenceStatusUnknown",
                std::string(kGood).substr(0, std::string(kGood).find("    status: granted")) +
                    "    status: approved\n",
                "licence 'L1'", "pending, granted, denied, revoked"},
        BadFile{"QuotaWithoutComparison",
                std::string(kGood) + kQuota + "    measure: domestic_share_min\n" +
                    "    threshold_pct: 50\n",
                "rules.yaml:", "comparison"},
        BadFile{"QuotaComparisonUnknown",
                std::string(kGood) + kQuota + "    measure: domestic_share_min\n" +
                    "    threshold_pct: 50\n    comparison: more\n",
                "quota 'Q1'", "not one of gt, ge, lt, le"},
        BadFile{"QuotaComparisonAgainstMeasure",
                std::string(kGood) + kQuota + "    measure: external_share_max\n" +
                    "    threshold_pct: 50\n    comparison: ge\n",
                "quota 'Q1'", "external_share_max takes lt or le"},
        BadFile{"DatesOutOfOrder", Edit("effective_to: 2023-11-16", "effective_to: 2021-01-01"),
                "rules.yaml:24:", "dates out of order"},
        BadFile{"NotADate", Edit("effective_from: 2025-08-01", "effective_from: 2025-08-32"),
                "rules.yaml:", "not a date"},
        BadFile{"OverlappingVersions", Edit("effective_to: 2023-11-16", "effective_to: 2023-12-31"),
                "rule 'R1'", "overlaps version 1"},
        BadFile{"DuplicateVersion", Edit("    version: 2\n", ""), "rule 'R1' version 1",
                "defined twice"},
        BadFile{"UnknownGroup", Edit("locations: [CN-MO-D5]", "locations: [D:9]"),
                "rules.yaml:14:", "unknown group or country code 'D:9'"},
        BadFile{"GroupCycle", Edit("D:5: [CN, RU, IR]", "D:5: [CN, CN-MO-D5]"),
                "rules.yaml:", "contains itself"},
        BadFile{"UnknownFact", Edit("chip: \"big\"\n", "chip: \"tppp > 1\"\n"),
                "rules.yaml:", "unknown field 'tppp'"},
        BadFile{"UnknownAction", Edit("action: prohibited", "action: forbidden"),
                "rules.yaml:", "unknown action 'forbidden'"},
        BadFile{"UnknownKind", Edit("kind: reported", "kind: rumour"),
                "rules.yaml:", "'rumour' is not one of"},
        BadFile{"UnknownTransfer", Edit("transfers: [export, reexport]", "transfers: [smuggle]"),
                "rules.yaml:15:", "unknown transfer type 'smuggle'"},
        BadFile{"MissingSource",
                Edit("    action: prohibited\n    source: test\n", "    action: prohibited\n"),
                "rules.yaml:", "source: missing"},
        BadFile{"UnknownLicenceModel", Edit("models: [H20]", "models: [H30]"),
                "rules.yaml:", "unknown accelerator model 'H30'"},
        BadFile{"RevenueShareWithoutPct",
                Edit("action: prohibited", "action: allowed_with_revenue_share"),
                "rules.yaml:", "needs revenue_share_pct"},
        BadFile{"NotYaml", "rules: [\n  - id: x\n  bad", "rules.yaml:", ""},
        BadFile{"Conflict",
                std::string(kGood).substr(0, std::string(kGood).find("licences:")) +
                    R"(  - id: R3
    kind: guidance
    jurisdiction: CN
    effective_from: 2025-09-01
    condition: "site_state_funded AND project_completion_pct < 30"
    action: warning
    source: test
)",
                "rule 'R3'", "same scope as rule 'R2'"},
        BadFile{"CarveOutOfNothing",
                Edit("    action: prohibited\n", "    action: prohibited\n    carves_out: [R9]\n"),
                "rule 'R2'", "unknown rule 'R9'"}),
    [](const auto& p) { return p.param.name; });

TEST(RuleSetTest, StackingAndPrecedenceAreNotConflicts) {
  const std::string base = std::string(kGood).substr(0, std::string(kGood).find("licences:"));
  const std::string other = R"(  - id: R3
    kind: guidance
    jurisdiction: CN
    effective_from: 2025-09-01
    condition: "site_state_funded AND project_completion_pct < 30"
    action: warning
    precedence: 1
    source: test
)";
  EXPECT_TRUE(RuleSet::Parse(base + other, "r.yaml", kModels).ok()) << "precedence decides";
  std::string narrower = other;
  narrower.replace(narrower.find("precedence: 1"), 13, "locations: [CN]");
  EXPECT_TRUE(RuleSet::Parse(base + narrower, "r.yaml", kModels).ok())
      << "a different scope stacks";
}

// A data-residency rule, for the cases below to vary.
constexpr char kResidency[] = R"(rules:
  - id: ACME-RESIDENCY-CN-PERSONAL
    kind: policy
    jurisdiction: CN
    effective_from: 2021-11-01
    data_classes: [cn_personal, cn-health]
    locations_except: [CN]
    transfers: [use, remote_access]
    action: prohibited
    source: test
)";

std::string EditResidency(const std::string& from, const std::string& to) {
  std::string text = kResidency;
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(RuleSetTest, ReadsDataClassesSortedAndPolicyKind) {
  auto set = RuleSet::Parse(kResidency, "r.yaml", {});
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  ASSERT_EQ(set->rules().size(), 1u);
  const Rule& r = set->rules()[0];
  EXPECT_EQ(r.kind, RuleKind::kPolicy);
  EXPECT_EQ(RuleKindName(r.kind), "policy");
  EXPECT_EQ(r.data_classes, (std::vector<std::string>{"cn-health", "cn_personal"}));
  EXPECT_TRUE(r.CoversDataClass("cn_personal"));
  EXPECT_FALSE(r.CoversDataClass("public"));
  EXPECT_FALSE(r.CoversDataClass("")) << "no data class: a hardware question";
  // locations_except alone: everywhere except the listed countries.
  EXPECT_FALSE(r.CoversLocation("CN"));
  EXPECT_TRUE(r.CoversLocation("SG"));
  EXPECT_TRUE(r.CoversLocation("US"));

  Rule not_about_data;
  EXPECT_TRUE(not_about_data.CoversDataClass(""));
  EXPECT_TRUE(not_about_data.CoversDataClass("cn_personal"));
}

TEST(RuleSetTest, ConditionsMayReadTheDataClass) {
  auto set = RuleSet::Parse(
      EditResidency("    action:",
                    "    condition: \"data_class == \\\"cn_personal\\\"\"\n    action:"),
      "r.yaml", {});
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->rules()[0].condition.fields(), (std::vector<std::string>{"data_class"}));
  EXPECT_EQ(SituationFieldTypes().at("data_class"), ValueType::kString);
}

TEST(RuleSetTest, BadDataClassesAreRejectedWithLineAndColumn) {
  const struct {
    std::string text;
    std::string where;
    std::string what;
  } cases[] = {
      {EditResidency("cn-health]", "CN_health]"),
       "r.yaml:6:33:", "data_classes: 'CN_health' is not a data class name"},
      {EditResidency("cn-health]", "9lives]"), "r.yaml:6:33:", "'9lives' is not a data class"},
      {EditResidency("cn-health]", "cn personal]"), "r.yaml:6:33:", "is not a data class"},
      {EditResidency("cn-health]", "cn_personal]"),
       "r.yaml:6:33:", "data_classes: 'cn_personal' is listed twice"},
      {EditResidency("[cn_personal, cn-health]", "cn_personal"),
       "r.yaml:6:19:", "data_classes: expected a list"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto set = RuleSet::Parse(c.text, "r.yaml", {});
    ASSERT_FALSE(set.ok());
    EXPECT_THAT(set.status().message(), HasSubstr(c.where));
    EXPECT_THAT(set.status().message(), HasSubstr(c.what));
    EXPECT_THAT(set.status().message(), HasSubstr("rule 'ACME-RESIDENCY-CN-PERSONAL'"));
  }
}

TEST(RuleSetTest, ResidencyRulesConflictOnlyWithinOneDataClassScope) {
  const std::string second = R"(  - id: ACME-RESIDENCY-WARN
    kind: policy
    jurisdiction: CN
    effective_from: 2022-01-01
    data_classes: [cn-health, cn_personal]
    locations_except: [CN]
    transfers: [use, remote_access]
    action: warning
    source: test
)";
  auto same = RuleSet::Parse(std::string(kResidency) + second, "r.yaml", {});
  ASSERT_FALSE(same.ok()) << "same scope (data classes in another order), different action";
  EXPECT_THAT(same.status().message(), HasSubstr("rule 'ACME-RESIDENCY-WARN'"));
  EXPECT_THAT(same.status().message(),
              HasSubstr("same scope as rule 'ACME-RESIDENCY-CN-PERSONAL'"));

  std::string other_data = second;
  other_data.replace(other_data.find("[cn-health, cn_personal]"), 24, "[cn_personal]");
  EXPECT_TRUE(RuleSet::Parse(std::string(kResidency) + other_data, "r.yaml", {}).ok())
      << "different data classes are different scopes";
  std::string no_data = second;
  no_data.replace(no_data.find("    data_classes: [cn-health, cn_personal]\n"), 43, "");
  EXPECT_TRUE(RuleSet::Parse(std::string(kResidency) + no_data, "r.yaml", {}).ok())
      << "a rule about data and one about hardware are different scopes";
}

}  // namespace
}  // namespace gpufleet::compliance
