// The shipped rule history (data/rules/default.yaml) against the shipped catalog
// (data/catalog/accelerators.yaml): dated cases from the timeline of
// ../shared/reference/export-controls.md, each checked overall and per jurisdiction with both
// the naive and the indexed engine. Expected verdicts come from the reference, not from the
// engine's output; the comment on each case says which part of the reference decides it.

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "compliance/timeline_cases.h"
#include "gpufleet/catalog/catalog.h"
#include "gpufleet/codec/text_file.h"
#include "gpufleet/compliance/engine.h"
#include "gpufleet/compliance/rule_change.h"
#include "gpufleet/compliance/rule_set.h"
#include "gpufleet/model/date.h"

// In the cases' namespace, so the table's vocabulary (kLicence, kExport...) reads unqualified.
namespace gpufleet::compliance::timeline {
namespace {

// The shipped catalog and rules, loaded once for the whole binary.
struct Shipped {
  std::optional<catalog::Catalog> catalog;
  std::optional<RuleSet> rules;
  // The shipped rules with granted licences for kLicensed (kLicences): the licensed routes
  // (the H20's 15% share, the H200's 25%) open only for such a holder.
  std::optional<RuleSet> licensed;
  std::string error;  // why loading failed; empty when both loaded
};

constexpr char kLicensed[] = "licensed-customer";
constexpr char kLicences[] = R"(licences:
  - id: LIC-TEST-H20
    jurisdiction: US
    holder: licensed-customer
    models: [H20, MI308X]
    transfers: [export]
    valid_from: 2025-08-11
    status: granted
    revenue_share_pct: 15
  - id: LIC-TEST-H200
    jurisdiction: US
    holder: licensed-customer
    models: [H200, H100]
    transfers: [export]
    valid_from: 2026-01-15
    status: granted
)";

Shipped LoadShippedFiles() {
  Shipped s;
  const std::string root = GPUFLEET_SOURCE_DIR;
  Result<catalog::Catalog> c = catalog::Catalog::Load(root + "/data/catalog/accelerators.yaml");
  if (!c.ok()) {
    s.error = c.status().ToString();
    return s;
  }
  s.catalog = std::move(c).value();
  Result<RuleSet> r = RuleSet::Load(root + "/data/rules/default.yaml", s.catalog->IdsByName());
  if (!r.ok()) {
    s.error = r.status().ToString();
    return s;
  }
  s.rules = std::move(r).value();
  Result<std::string> text = codec::ReadTextFile(root + "/data/rules/default.yaml");
  if (!text.ok()) {
    s.error = text.status().ToString();
    return s;
  }
  Result<RuleSet> licensed =
      ApplyChange(*text, "default.yaml", kLicences, "licences.yaml", s.catalog->IdsByName());
  if (!licensed.ok()) {
    s.error = licensed.status().ToString();
    return s;
  }
  s.licensed = std::move(licensed).value();
  return s;
}

const Shipped& ShippedFiles() {
  static const Shipped shipped = LoadShippedFiles();
  return shipped;
}

Date D(std::string_view text) {
  Result<Date> d = Date::Parse(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? *d : Date();
}

Situation MakeSituation(const TimelineCase& c, const catalog::AcceleratorSpec* chip) {
  Situation s;
  s.chip = chip;
  s.date = D(c.date);
  s.location = c.location;
  s.from_country = c.from;
  s.transfer = c.transfer;
  s.end_user = c.licensed ? kLicensed : "customer";
  s.end_user_hq = c.end_user_hq;
  s.end_user_parent_hq = c.end_user_parent_hq;
  s.site_state_funded = c.state_funded;
  s.project_completion_pct = c.completion_pct;
  return s;
}

// A jurisdiction with no applying rule is absent from the verdict: it allows.
const JurisdictionVerdict* Find(const Verdict& v, std::string_view jurisdiction) {
  for (const JurisdictionVerdict& j : v.jurisdictions) {
    if (j.jurisdiction == jurisdiction) return &j;
  }
  return nullptr;
}

Action ActionOf(const Verdict& v, std::string_view jurisdiction) {
  const JurisdictionVerdict* j = Find(v, jurisdiction);
  return j ? j->action : kAllowed;
}

std::string Name(Action a) { return std::string(ActionName(a)); }

std::string Explained(const Verdict& v) {
  std::string out;
  for (const std::string& line : v.Explain()) out += "\n  " + line;
  return out.empty() ? "\n  (no rule applies)" : out;
}

// True when `rule_id` applies for sure, is not carved out, and has its jurisdiction's action.
bool Decides(const Verdict& v, std::string_view rule_id) {
  for (const JurisdictionVerdict& j : v.jurisdictions) {
    for (const RuleHit& h : j.hits) {
      if (h.rule->id == rule_id && h.match == catalog::Tri::kTrue && !h.carved_out &&
          h.action == j.action) {
        return true;
      }
    }
  }
  return false;
}

class TimelineCaseTest : public testing::TestWithParam<TimelineCase> {
 protected:
  void SetUp() override { ASSERT_TRUE(ShippedFiles().error.empty()) << ShippedFiles().error; }
};

TEST_P(TimelineCaseTest, VerdictMatchesTheReference) {
  const TimelineCase& c = GetParam();
  const Shipped& shipped = ShippedFiles();
  const catalog::AcceleratorSpec* chip = shipped.catalog->Find(c.chip);
  ASSERT_NE(chip, nullptr) << "no catalog entry for '" << c.chip << "'";
  const Situation situation = MakeSituation(c, chip);

  const std::unique_ptr<Engine> naive = MakeNaiveEngine(*shipped.licensed);
  const std::unique_ptr<Engine> indexed = MakeIndexedEngine(*shipped.licensed);
  for (const auto& [engine_name, engine] :
       {std::pair<const char*, const Engine*>{"naive", naive.get()},
        std::pair<const char*, const Engine*>{"indexed", indexed.get()}}) {
    const Verdict v = engine->Evaluate(situation);
    SCOPED_TRACE(std::string(engine_name) + " engine; verdict explained:" + Explained(v));
    EXPECT_EQ(Name(v.overall), Name(c.overall)) << "overall";
    EXPECT_EQ(Name(ActionOf(v, "US")), Name(c.us)) << "US";
    EXPECT_EQ(Name(ActionOf(v, "CN")), Name(c.cn)) << "CN";
    if (*c.other_jurisdiction != '\0') {
      EXPECT_EQ(Name(ActionOf(v, c.other_jurisdiction)), Name(c.other)) << c.other_jurisdiction;
    }
    EXPECT_EQ(v.needs_manual_classification, c.needs_manual) << "needs_manual_classification";
    if (c.us_revenue_share) {
      const JurisdictionVerdict* us = Find(v, "US");
      ASSERT_NE(us, nullptr);
      ASSERT_TRUE(us->revenue_share_pct.has_value());
      EXPECT_DOUBLE_EQ(*us->revenue_share_pct, *c.us_revenue_share);
    }
    if (*c.deciding_rule != '\0') {
      EXPECT_TRUE(Decides(v, c.deciding_rule)) << c.deciding_rule << " does not decide";
    }
  }
  EXPECT_EQ(naive->Evaluate(situation).Explain(), indexed->Evaluate(situation).Explain());
}

INSTANTIATE_TEST_SUITE_P(Timeline, TimelineCaseTest, testing::ValuesIn(Cases()),
                         [](const testing::TestParamInfo<TimelineCase>& param) {
                           return std::string(param.param.name);
                         });

class TimelineRulesTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(ShippedFiles().error.empty()) << ShippedFiles().error; }
};

TEST_F(TimelineRulesTest, EveryRuleCitesASourceAndSaysWhatItDoes) {
  const RuleSet& rules = *ShippedFiles().rules;
  ASSERT_FALSE(rules.rules().empty());
  for (const Rule& r : rules.rules()) {
    SCOPED_TRACE(r.id + " (line " + std::to_string(r.line) + ")");
    EXPECT_FALSE(r.source.empty());
    EXPECT_FALSE(r.summary.empty());
    EXPECT_FALSE(r.jurisdiction.empty());
    EXPECT_NE(r.effective_from, Date::Min()) << "every rule has a start date";
  }
  for (const DerivedFact& d : rules.derived()) {
    EXPECT_FALSE(d.source.empty()) << d.name;
  }
  // The default history ships no licences: they are the operator's data.
  EXPECT_TRUE(rules.licences().empty());
  // The two share routes need a licence (reference 2.8 and 2.9: licences to approved
  // customers, "a licence is still needed").
  for (const char* route : {"US-2025-H20-REVSHARE", "US-2026-H200-CBC"}) {
    ASSERT_FALSE(rules.Versions(route).empty()) << route;
    EXPECT_TRUE(rules.Versions(route)[0]->needs_granted_licence) << route;
  }
}

// Model names in rules are compared with the catalog id, so every name in a `model in {...}`
// set must be an id of the shipped catalog (a prefix wildcard such as intel-gaudi* may match
// nothing yet).
TEST_F(TimelineRulesTest, ModelsNamedInRulesAreCatalogIds) {
  const Shipped& shipped = ShippedFiles();
  int named = 0;
  for (const Rule& r : shipped.rules->rules()) {
    for (const std::string* text : {&r.chip.text(), &r.condition.text()}) {
      for (size_t at = text->find("model in {"); at != std::string::npos;
           at = text->find("model in {", at + 1)) {
        const size_t open = text->find('{', at);
        const size_t close = text->find('}', open);
        ASSERT_NE(close, std::string::npos) << r.id;
        std::string item;
        for (size_t i = open + 1; i <= close; ++i) {
          const char ch = (*text)[i];
          if (ch != ',' && ch != '}') {
            if (ch != ' ') item += ch;
            continue;
          }
          if (!item.empty() && item.back() != '*') {
            ++named;
            const catalog::AcceleratorSpec* m = shipped.catalog->Find(item);
            EXPECT_TRUE(m != nullptr && m->id == item)
                << r.id << " names '" << item << "', which is not a catalog id";
          }
          item.clear();
        }
      }
    }
  }
  EXPECT_GT(named, 0);
}

// The days on which the verdict for one situation changes over a span, checked with both
// engines: the timeline must move on the reference's dates and on no others.
std::vector<std::string> ChangeDays(const Situation& base, std::string_view first,
                                    std::string_view last) {
  const RuleSet& rules = *ShippedFiles().licensed;
  const std::unique_ptr<Engine> naive = MakeNaiveEngine(rules);
  const std::unique_ptr<Engine> indexed = MakeIndexedEngine(rules);
  using Key = std::tuple<Action, Action, Action, std::optional<double>, bool>;
  const auto key = [](const Verdict& v) {
    const JurisdictionVerdict* us = Find(v, "US");
    return Key{v.overall, ActionOf(v, "US"), ActionOf(v, "CN"),
               us ? us->revenue_share_pct : std::nullopt, v.needs_manual_classification};
  };
  std::vector<std::string> changes;
  std::optional<Key> previous;
  for (Date d = D(first); d <= D(last); d = d.AddDays(1)) {
    Situation s = base;
    s.date = d;
    const Key k = key(naive->Evaluate(s));
    EXPECT_EQ(k, key(indexed->Evaluate(s))) << d.ToString();
    if (previous && k != *previous) changes.push_back(d.ToString());
    previous = k;
  }
  return changes;
}

class TimelineDatesTest : public TimelineRulesTest {};

TEST_F(TimelineDatesTest, SameSituationOnTwoDatesGetsDifferentVerdicts) {
  const Shipped& shipped = ShippedFiles();
  const std::unique_ptr<Engine> engine = MakeIndexedEngine(*shipped.rules);
  Situation s;
  s.chip = shipped.catalog->Find("H20");
  ASSERT_NE(s.chip, nullptr);
  s.location = "CN";
  s.from_country = "US";
  s.transfer = kExport;
  s.end_user_hq = "CN";
  s.date = D("2025-03-01");
  const Verdict before = engine->Evaluate(s);
  s.date = D("2025-05-02");
  const Verdict after = engine->Evaluate(s);
  EXPECT_EQ(Name(before.overall), Name(kAllowed));
  EXPECT_EQ(Name(after.overall), Name(kLicence));
}

TEST_F(TimelineDatesTest, H20ToChinaChangesOnlyOnTheReferenceDates) {
  Situation s;
  s.chip = ShippedFiles().catalog->Find("H20");
  ASSERT_NE(s.chip, nullptr);
  s.location = "CN";
  s.from_country = "US";
  s.transfer = kExport;
  s.end_user_hq = "CN";
  s.end_user = kLicensed;
  // Is-informed letter; 15 % licences; Beijing's discouragement (the day after the deal).
  EXPECT_EQ(ChangeDays(s, "2024-01-01", "2026-12-31"),
            (std::vector<std::string>{"2025-04-09", "2025-08-11", "2025-08-12"}));
  // Without a licence the 15% route never opens: only the letter and Beijing's warning move.
  s.end_user = "customer";
  EXPECT_EQ(ChangeDays(s, "2024-01-01", "2026-12-31"),
            (std::vector<std::string>{"2025-04-09", "2025-08-12"}));
}

TEST_F(TimelineDatesTest, H100ToChinaChangesOnlyOnTheReferenceDates) {
  Situation s;
  s.chip = ShippedFiles().catalog->Find("H100");
  ASSERT_NE(s.chip, nullptr);
  s.location = "CN";
  s.from_country = "US";
  s.transfer = kExport;
  s.end_user_hq = "CN";
  s.end_user = kLicensed;
  // The Oct 2022 rule; the 2026 case-by-case route. The hand-over from the 2022 rule to the
  // 2023 rule (2023-11-16/17) and the AI Diffusion months keep the same licence requirement.
  EXPECT_EQ(ChangeDays(s, "2022-01-01", "2026-12-31"),
            (std::vector<std::string>{"2022-10-07", "2026-01-15"}));
}

TEST_F(TimelineDatesTest, H100ToSingaporeFollowsAiDiffusionEnforcement) {
  Situation s;
  s.chip = ShippedFiles().catalog->Find("H100");
  ASSERT_NE(s.chip, nullptr);
  s.location = "SG";
  s.from_country = "US";
  s.transfer = kExport;
  s.end_user_hq = "SG";
  // In force 2025-01-13, not enforced from 2025-05-13.
  EXPECT_EQ(ChangeDays(s, "2024-01-01", "2026-12-31"),
            (std::vector<std::string>{"2025-01-13", "2025-05-13"}));
}

// The shipped rules over a grid of situations: the indexed engine must give the naive
// engine's verdict, with the same explanation.
TEST_F(TimelineDatesTest, NaiveAndIndexedEnginesAgreeOnTheShippedRules) {
  const Shipped& shipped = ShippedFiles();
  const std::unique_ptr<Engine> naive = MakeNaiveEngine(*shipped.rules);
  const std::unique_ptr<Engine> indexed = MakeIndexedEngine(*shipped.rules);
  const std::vector<std::string> locations = {"CN", "HK", "MO", "RU", "AE", "VN", "IL",
                                              "SG", "MY", "TH", "JP", "US", "TW"};
  const std::vector<std::string> dates = {"2022-06-01", "2022-11-01", "2023-12-01", "2025-03-01",
                                          "2025-05-01", "2025-09-01", "2025-12-01", "2026-01-14",
                                          "2026-03-01", "2026-06-01"};
  const std::vector<std::pair<std::string, std::string>> end_users = {
      {"CN", ""}, {"SG", "CN"}, {"US", ""}};
  int evaluated = 0;
  for (const catalog::AcceleratorSpec& chip : shipped.catalog->models()) {
    for (const std::string& location : locations) {
      for (int t = 0; t < kTransferTypes; ++t) {
        for (const std::string& date : dates) {
          for (const auto& [hq, parent] : end_users) {
            for (const bool state_funded : {false, true}) {
              Situation s;
              s.chip = &chip;
              s.date = D(date);
              s.location = location;
              s.transfer = static_cast<TransferType>(t);
              s.from_country = s.transfer == kExport     ? "US"
                               : s.transfer == kReexport ? "MY"
                                                         : location;
              s.end_user_hq = hq;
              s.end_user_parent_hq = parent;
              s.site_state_funded = state_funded;
              if (state_funded) s.project_completion_pct = 10;
              const Verdict a = naive->Evaluate(s);
              const Verdict b = indexed->Evaluate(s);
              ASSERT_EQ(a.overall, b.overall) << chip.id << " " << location << " " << date;
              ASSERT_EQ(a.needs_manual_classification, b.needs_manual_classification);
              ASSERT_EQ(a.Explain(), b.Explain()) << chip.id << " " << location << " " << date;
              ++evaluated;
            }
          }
        }
      }
    }
  }
  EXPECT_GT(evaluated, 10000);
}

}  // namespace
}  // namespace gpufleet::compliance::timeline
