// Names a rule file uses for things defined elsewhere (countries, catalog models) and the
// numbers it holds: each one that cannot be right is an error at its file, line and column,
// because a rule scoped to "UK" or to a misspelt model would otherwise silently never apply.

#include "compliance/rule_references.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "gpufleet/compliance/rule_change.h"
#include "gpufleet/compliance/rule_set.h"

namespace gpufleet::compliance {
namespace {

using ::testing::HasSubstr;

const std::map<std::string, std::string, std::less<>> kModels = {
    {"H20", "nvidia-h20-96gb"}, {"nvidia-h20-96gb", "nvidia-h20-96gb"}};

// Line numbers matter: the bad cases below point into this text.
constexpr char kGood[] = R"(groups:
  PRC: [CN, HK]
  D:5: [PRC, IR]
rules:
  - id: R1
    version: 1
    kind: regulation
    jurisdiction: US
    effective_from: 2023-11-17
    chip: "model in {nvidia-h20-96gb, intel-gaudi*} AND designer_country == \"US\""
    locations: [D:5]
    locations_except: [HK]
    end_user_hq: [PRC, MO]
    condition: "from_country != \"TW\""
    action: allowed_with_revenue_share
    revenue_share_pct: 15
    precedence: 2
    source: test
quotas:
  - id: Q1
    version: 1
    kind: guidance
    jurisdiction: CN
    effective_from: 2025-01-01
    measure: domestic_share_min
    threshold_pct: 50
    comparison: gt
    locations: [CN]
    source: test
  - id: Q2
    kind: policy
    jurisdiction: ACME
    effective_from: 2025-01-01
    measure: external_share_max
    threshold_pct: 10
    comparison: le
    source: test
licences:
  - id: L1
    jurisdiction: US
    holder: acme
    models: [H20]
    locations: [CN]
    valid_from: 2025-08-11
    status: granted
    revenue_share_pct: 15
)";

// The good file with the first `from` replaced by `to`.
std::string Edit(const std::string& from, const std::string& to) {
  std::string text = kGood;
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(RuleReferencesTest, TheGoodFileLoadsWithAndWithoutACatalog) {
  const std::map<std::string, std::string, std::less<>> no_catalog;
  for (const auto* models : {&kModels, &no_catalog}) {
    auto set = RuleSet::Parse(kGood, "rules.yaml", *models);
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    EXPECT_EQ(set->rules()[0].locations, (std::vector<std::string>{"CN", "HK", "IR"}));
    EXPECT_EQ(set->quotas()[1].jurisdiction, "ACME") << "a policy authority is no country";
  }
}

// Reads `model` as the catalog id: what the chip facts hold.
class ModelFact : public FactSource {
 public:
  explicit ModelFact(std::string id) : id_(std::move(id)) {}
  Value Get(std::string_view field) const override {
    return field == "model" ? Value(id_) : Value();
  }

 private:
  std::string id_;
};

TEST(RuleReferencesTest, AModelAliasInAPredicateMatchesTheCatalogId) {
  // The `model` fact is the catalog id, so an alias left as written would never match.
  const std::string text =
      Edit("{nvidia-h20-96gb, intel-gaudi*} AND designer_country == \\\"US\\\"", "{H20}");
  auto set = RuleSet::Parse(text, "rules.yaml", kModels);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->rules()[0].chip.Evaluate(ModelFact("nvidia-h20-96gb")), Tri::kTrue);
  EXPECT_EQ(set->rules()[0].chip.Evaluate(ModelFact("nvidia-h100")), Tri::kFalse);

  auto quoted = RuleSet::Parse(
      Edit("model in {nvidia-h20-96gb, intel-gaudi*} AND designer_country == \\\"US\\\"",
           "model == \\\"H20\\\""),
      "rules.yaml", kModels);
  ASSERT_TRUE(quoted.ok()) << quoted.status().ToString();
  EXPECT_EQ(quoted->rules()[0].chip.Evaluate(ModelFact("nvidia-h20-96gb")), Tri::kTrue);
}

struct BadFile {
  std::string name;
  std::string text;
  std::string where;  // "file:line:column" expected in the message
  std::string what;
};

class RuleReferencesBadFileTest : public ::testing::TestWithParam<BadFile> {};

TEST_P(RuleReferencesBadFileTest, IsRejectedAtItsPosition) {
  auto set = RuleSet::Parse(GetParam().text, "rules.yaml", kModels);
  ASSERT_FALSE(set.ok()) << GetParam().name;
  EXPECT_THAT(set.status().message(), HasSubstr(GetParam().where));
  EXPECT_THAT(set.status().message(), HasSubstr(GetParam().what));
}

INSTANTIATE_TEST_SUITE_P(
    Countries, RuleReferencesBadFileTest,
    ::testing::Values(
        BadFile{"GroupMemberUK", Edit("[CN, HK]", "[CN, UK]"), "rules.yaml:2:13:",
                "group 'PRC': unknown group or country code 'UK' (did you mean GB"},
        BadFile{"GroupMemberLowerCase", Edit("[PRC, IR]", "[PRC, ir]"),
                "rules.yaml:3:14:", "unknown group or country code 'ir' (did you mean IR"},
        BadFile{"GroupNamedLikeACode", Edit("  PRC: [CN, HK]\n", "  PRC: [CN, HK]\n  EU: [FR]\n"),
                "rules.yaml:3:3:", "group 'EU' reads as a country code"},
        BadFile{"LocationXX", Edit("locations: [D:5]", "locations: [D:5, XX]"),
                "rules.yaml:11:22:", "unknown group or country code 'XX'"},
        BadFile{"LocationsExceptName", Edit("locations_except: [HK]", "locations_except: [China]"),
                "rules.yaml:12:24:", "'China' (did you mean CN, China?)"},
        BadFile{"EndUserHq", Edit("end_user_hq: [PRC, MO]", "end_user_hq: [PRC, EU]"),
                "rules.yaml:13:24:", "unknown group or country code 'EU'"},
        BadFile{"JurisdictionUK",
                Edit("jurisdiction: US\n    effective_from: 2023",
                     "jurisdiction: UK\n    effective_from: 2023"),
                "rules.yaml:8:19:", "'UK' is not an ISO 3166-1 alpha-2 country code"},
        BadFile{"QuotaDomesticTo",
                Edit("    locations: [CN]\n    source",
                     "    domestic_to: XX\n    locations: [CN]\n    source"),
                "rules.yaml:28:18:", "domestic_to: 'XX' is not"},
        BadFile{"QuotaLocation",
                Edit("    locations: [CN]\n    source", "    locations: [UK]\n    source"),
                "rules.yaml:28:17:", "unknown group or country code 'UK'"},
        BadFile{"DomesticShareOfAPolicyAuthority",
                Edit("measure: external_share_max\n    threshold_pct: 10\n    comparison: le",
                     "measure: domestic_share_min\n    threshold_pct: 10\n    comparison: ge"),
                "rules.yaml:32:", "'ACME' is not a country code, so domestic_to is needed"},
        BadFile{"LicenceLocation",
                Edit("models: [H20]\n    locations: [CN]", "models: [H20]\n    locations: [XX]"),
                "rules.yaml:43:17:", "unknown group or country code 'XX'"},
        BadFile{"LicenceJurisdiction",
                Edit("  - id: L1\n    jurisdiction: US", "  - id: L1\n    jurisdiction: uk"),
                "rules.yaml:40:19:", "'uk' is not an ISO 3166-1 alpha-2 country code"},
        BadFile{"ChipCountryLiteral",
                Edit("designer_country == \\\"US\\\"", "designer_country == \\\"USA\\\""),
                "rules.yaml:10:11:", "'USA' is not an ISO 3166-1 alpha-2 country code"},
        BadFile{"ConditionBareCountry", Edit("from_country != \\\"TW\\\"", "from_country != UK"),
                "rules.yaml:14:16:", "at column 17"},
        BadFile{"ConditionCountrySet", Edit("from_country != \\\"TW\\\"", "location in {CN, XX}"),
                "rules.yaml:14:16:", "'XX' is not an ISO 3166-1 alpha-2 country code"}),
    [](const auto& p) { return p.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Models, RuleReferencesBadFileTest,
    ::testing::Values(
        BadFile{"UnknownModelInASet", Edit("{nvidia-h20-96gb,", "{nvidia-h2O-96gb,"),
                "rules.yaml:10:11:",
                "unknown accelerator model 'nvidia-h2O-96gb' (not a catalog id or alias) at "
                "column 11"},
        BadFile{"UnknownModelCompared",
                Edit("model in {nvidia-h20-96gb, intel-gaudi*}", "model == \\\"H30\\\""),
                "rules.yaml:10:11:", "unknown accelerator model 'H30'"},
        BadFile{"UnknownLicenceModel", Edit("models: [H20]", "models: [H20, H30]"),
                "rules.yaml:42:", "unknown accelerator model 'H30'"}),
    [](const auto& p) { return p.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Numbers, RuleReferencesBadFileTest,
    ::testing::Values(
        BadFile{
            "VersionZero",
            Edit("    version: 1\n    kind: regulation", "    version: 0\n    kind: regulation"),
            "rules.yaml:6:14:", "version: must be 1 or more, got 0"},
        BadFile{
            "VersionNegative",
            Edit("    version: 1\n    kind: regulation", "    version: -3\n    kind: regulation"),
            "rules.yaml:6:14:", "must be 1 or more, got -3"},
        BadFile{"QuotaVersionZero",
                Edit("    version: 1\n    kind: guidance", "    version: 0\n    kind: guidance"),
                "rules.yaml:21:14:", "quota 'Q1': version: must be 1 or more"},
        BadFile{"PrecedenceHuge", Edit("precedence: 2", "precedence: 2000000000"),
                "rules.yaml:17:17:", "precedence: must be within -1000000..1000000"},
        BadFile{"PrecedenceOverflowsInt", Edit("precedence: 2", "precedence: 99999999999"),
                "rules.yaml:17:17:", "expected an integer"},
        BadFile{
            "RuleShareAbove100",
            Edit("revenue_share_pct: 15\n    precedence", "revenue_share_pct: 150\n    precedence"),
            "rules.yaml:16:24:", "within 0..100"},
        BadFile{"RuleShareNaN",
                Edit("revenue_share_pct: 15\n    precedence",
                     "revenue_share_pct: .nan\n    precedence"),
                "rules.yaml:16:24:", "expected a number, got '.nan'"},
        BadFile{
            "RuleShareInf",
            Edit("revenue_share_pct: 15\n    precedence", "revenue_share_pct: inf\n    precedence"),
            "rules.yaml:16:24:", "expected a finite number"},
        BadFile{"RuleShareOverflow",
                Edit("revenue_share_pct: 15\n    precedence",
                     "revenue_share_pct: 1e999\n    precedence"),
                "rules.yaml:16:24:", "expected a number, got '1e999'"},
        BadFile{"ThresholdNegativeInfinity", Edit("threshold_pct: 50", "threshold_pct: -.inf"),
                "rules.yaml:26:20:", "expected a number"},
        BadFile{"LicenceShareNegative",
                Edit("status: granted\n    revenue_share_pct: 15",
                     "status: granted\n    revenue_share_pct: -5"),
                "rules.yaml:46:24:", "licence 'L1': revenue_share_pct: must be within 0..100"},
        BadFile{"PredicateNumberOverflow",
                Edit("from_country != \\\"TW\\\"", "project_completion_pct < 1e999"),
                "rules.yaml:14:16:", "malformed number '1e999'"}),
    [](const auto& p) { return p.param.name; });

TEST(RuleReferencesTest, ModelsAreUncheckedWithoutACatalogButCountriesAlwaysAre) {
  const std::map<std::string, std::string, std::less<>> no_catalog;
  EXPECT_TRUE(
      RuleSet::Parse(Edit("{nvidia-h20-96gb,", "{anything,"), "rules.yaml", no_catalog).ok());
  EXPECT_FALSE(RuleSet::Parse(Edit("[CN, HK]", "[CN, XX]"), "rules.yaml", no_catalog).ok());
}

// A change file's countries and models are checked in its own lines and columns, before the
// merge re-emits it as YAML of other positions.
TEST(RuleReferencesTest, ChangeFilesAreCheckedAtTheirOwnPositions) {
  const std::string base = kGood;
  auto bad_model = ApplyChange(base, "base.yaml", R"(licences:
  - id: L2
    holder: acme
    models: [nvidia-h2O-96gb]
    valid_from: 2025-08-11
    status: granted
)",
                               "change.yaml", kModels);
  ASSERT_FALSE(bad_model.ok());
  EXPECT_THAT(bad_model.status().message(),
              HasSubstr("change.yaml:4:14: licence 'L2': models: unknown accelerator model "
                        "'nvidia-h2O-96gb'"));

  auto bad_predicate = ApplyChange(base, "base.yaml", R"(rules:
  - id: R9
    kind: proposed
    jurisdiction: US
    effective_from: 2026-01-01
    chip: "model in {H20, H25}"
    action: prohibited
    source: test
)",
                                   "change.yaml", kModels);
  ASSERT_FALSE(bad_predicate.ok());
  EXPECT_THAT(bad_predicate.status().message(),
              HasSubstr("change.yaml:6:11: rule 'R9': chip: unknown accelerator model 'H25' (not "
                        "a catalog id or alias) at column 16"));

  auto bad_group =
      ApplyChange(base, "base.yaml", "groups:\n  PRC: [CN, HK, UK]\n", "change.yaml", kModels);
  ASSERT_FALSE(bad_group.ok());
  EXPECT_THAT(bad_group.status().message(),
              HasSubstr("change.yaml:2:17: group 'PRC': unknown group or country code 'UK'"));

  auto bad_location = ApplyChange(base, "base.yaml", R"(quotas:
  - id: Q1
    kind: guidance
    jurisdiction: CN
    effective_from: 2025-01-01
    measure: domestic_share_min
    threshold_pct: 50
    comparison: gt
    domestic_to: China
    source: test
)",
                                  "change.yaml", kModels);
  ASSERT_FALSE(bad_location.ok());
  EXPECT_THAT(bad_location.status().message(),
              HasSubstr("change.yaml:9:18: quota 'Q1': domestic_to: 'China' is not"));

  // Groups of the base, and of the change itself, are places too.
  auto good = ApplyChange(base, "base.yaml", R"(groups:
  GULF: [AE, SA]
rules:
  - id: R9
    kind: proposed
    jurisdiction: US
    effective_from: 2026-01-01
    chip: "model in {H20} AND designer_country == \"US\""
    locations: [D:5, GULF]
    condition: "end_user_hq in PRC"
    action: prohibited
    source: test
)",
                          "change.yaml", kModels);
  EXPECT_TRUE(good.ok()) << good.status().ToString();
}

TEST(RuleReferencesTest, AnEmptyChangeFileIsAnError) {
  for (const char* change : {"", "   \n\n", "# only a comment\n", "{}\n", "~\n"}) {
    auto r = ApplyChange(kGood, "base.yaml", change, "change.yaml", kModels);
    ASSERT_FALSE(r.ok()) << "'" << change << "'";
    EXPECT_THAT(r.status().message(), HasSubstr("change.yaml: empty change file")) << change;
  }
  // Saying so is how a change that changes nothing (a baseline) is written.
  EXPECT_TRUE(
      ApplyChange(kGood, "base.yaml", "description: baseline\n", "change.yaml", kModels).ok());
}

TEST(RuleReferencesTest, GroupNamesAndJurisdictionsOfMoreThanTwoLettersAreFree) {
  EXPECT_EQ(internal::GroupNameProblem("PRC"), std::nullopt);
  EXPECT_EQ(internal::GroupNameProblem("D:5"), std::nullopt);
  EXPECT_EQ(internal::GroupNameProblem("EU-27"), std::nullopt);
  EXPECT_NE(internal::GroupNameProblem("EU"), std::nullopt);
  EXPECT_NE(internal::GroupNameProblem("cn"), std::nullopt) << "a code in the wrong case";
  EXPECT_EQ(internal::JurisdictionProblem("ACME"), std::nullopt);
  EXPECT_EQ(internal::JurisdictionProblem("US"), std::nullopt);
  EXPECT_NE(internal::JurisdictionProblem("EU"), std::nullopt);
}

}  // namespace
}  // namespace gpufleet::compliance
