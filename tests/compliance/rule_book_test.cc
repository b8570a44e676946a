// RuleBook: the rules in force at each instant are the base with the changes whose effective
// time has come, merged in order of effective time; a change that would leave any rule set
// unparsable is refused; a pending change can be withdrawn, one in force or one a later change
// builds on cannot. Checked on cases and on random schedules against a model of what is in
// force.

#include "gpufleet/compliance/rule_book.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <string_view>

namespace gpufleet::compliance {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kBase = R"(rules:
  - id: R-BASE
    kind: regulation
    source: "test"
    jurisdiction: US
    effective_from: 2023-01-01
    chip: "tpp >= 4800"
    locations: [CN]
    action: licence_required
)";

// A change adding rule `id`.
std::string Adds(std::string_view id) {
  return "rules:\n  - id: " + std::string(id) +
         "\n    kind: regulation\n    source: \"test\"\n    jurisdiction: CN\n"
         "    effective_from: 2026-06-01\n    chip: \"tpp >= 4800\"\n    locations: [CN]\n"
         "    action: prohibited\n";
}

// A change removing rule `id`.
std::string Removes(std::string_view id) { return "remove_rules: [" + std::string(id) + "]\n"; }

ScheduledChange Change(std::string name, std::string yaml, int64_t effective_ms) {
  return {.id = "",
          .name = std::move(name),
          .yaml = std::move(yaml),
          .effective_ms = effective_ms,
          .scheduled_ms = 0,
          .actor = "test",
          .withdrawn = false};
}

std::set<std::string> RuleIds(const LayeredRules& r) {
  std::set<std::string> ids;
  for (const Rule& rule : r.rules.rules()) ids.insert(rule.id);
  return ids;
}

RuleBook Book() { return RuleBook(std::string(kBase), "base.yaml", {}); }

TEST(RuleBookTest, ChangesTakeEffectInOrderOfTheirTimesNotOfScheduling) {
  RuleBook book = Book();
  ASSERT_TRUE(book.Schedule(Change("late.yaml", Adds("R-LATE"), 2000)).ok());
  ASSERT_TRUE(book.Schedule(Change("early.yaml", Adds("R-EARLY"), 1000)).ok());
  EXPECT_EQ(RuleIds(*book.At(999)), (std::set<std::string>{"R-BASE"}));
  EXPECT_EQ(RuleIds(*book.At(1000)), (std::set<std::string>{"R-BASE", "R-EARLY"}));
  EXPECT_EQ(RuleIds(*book.At(2000)), (std::set<std::string>{"R-BASE", "R-EARLY", "R-LATE"}));
  EXPECT_EQ(book.At(2000)->name, "base.yaml + early.yaml + late.yaml");
  // One object per version: nothing is rebuilt between two effective times.
  EXPECT_EQ(book.At(1000), book.At(1999));
  EXPECT_NE(book.At(999), book.At(1000));
  EXPECT_EQ(book.VersionAt(1500), 1u);
  EXPECT_EQ(book.NextEffectiveAfter(0), 1000);
  EXPECT_EQ(book.NextEffectiveAfter(1000), 2000);
  EXPECT_EQ(book.NextEffectiveAfter(2000), std::nullopt);
  EXPECT_EQ(book.changes()[0].id, "rc-1");
  EXPECT_EQ(book.changes()[1].id, "rc-2");
}

TEST(RuleBookTest, AChangeThatWouldBreakAnyLaterRuleSetIsRefused) {
  RuleBook book = Book();
  // Removing a rule that is not there does not merge at all.
  Result<std::string> absent = book.Schedule(Change("ghost.yaml", Removes("R-GHOST"), 1000));
  ASSERT_FALSE(absent.ok());
  EXPECT_THAT(absent.status().message(), HasSubstr("ghost.yaml"));
  EXPECT_TRUE(book.changes().empty());
  // R-BASE goes at 2000; removing it again earlier, at 1000, makes the one at 2000 fail.
  ASSERT_TRUE(book.Schedule(Change("drop.yaml", Removes("R-BASE"), 2000)).ok());
  Result<std::string> earlier = book.Schedule(Change("drop-early.yaml", Removes("R-BASE"), 1000));
  ASSERT_FALSE(earlier.ok());
  EXPECT_THAT(earlier.status().message(), HasSubstr("drop-early.yaml"));
  EXPECT_THAT(earlier.status().message(), HasSubstr("drop.yaml"));
  EXPECT_EQ(book.changes().size(), 1u);
  EXPECT_EQ(RuleIds(*book.At(2000)), (std::set<std::string>{}));
}

TEST(RuleBookTest, OnlyPendingChangesThatNothingBuildsOnCanBeWithdrawn) {
  RuleBook book = Book();
  const std::string add = book.Schedule(Change("add.yaml", Adds("R-NEW"), 1000)).value();
  const std::string drop = book.Schedule(Change("drop.yaml", Removes("R-NEW"), 3000)).value();
  const std::string other = book.Schedule(Change("other.yaml", Adds("R-OTHER"), 2000)).value();
  EXPECT_EQ(book.Withdraw("rc-99", 0).code(), Status::Code::kNotFound);
  // drop.yaml removes what add.yaml adds: add.yaml cannot go while drop.yaml stands.
  const Status builds_on = book.Withdraw(add, 500);
  EXPECT_EQ(builds_on.code(), Status::Code::kFailedPrecondition);
  EXPECT_THAT(builds_on.message(), HasSubstr("drop.yaml"));
  EXPECT_EQ(RuleIds(*book.At(1000)), (std::set<std::string>{"R-BASE", "R-NEW"}));
  // In force at 2500: other.yaml stays; drop.yaml is still pending and goes.
  EXPECT_EQ(book.Withdraw(other, 2500).code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(book.Withdraw(drop, 2500).ok());
  EXPECT_EQ(book.Withdraw(drop, 2500).code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(RuleIds(*book.At(5000)), (std::set<std::string>{"R-BASE", "R-NEW", "R-OTHER"}));
  EXPECT_EQ(book.NextEffectiveAfter(2000), std::nullopt);
}

// Random schedules of independent changes (each adds its own rule) and withdrawals: at every
// instant the rules are the base and the rules of the changes in force, never withdrawn, and
// scheduling or withdrawing (always ahead of now) never changes the rules in force now.
TEST(RuleBookTest, RandomSchedulesMatchAModelOfWhatIsInForce) {
  for (uint32_t seed = 1; seed <= 10; ++seed) {
    std::mt19937 rng(seed);
    RuleBook book = Book();
    struct Model {
      std::string id, rule;
      int64_t effective_ms;
      bool withdrawn;
    };
    std::vector<Model> model;
    int64_t now = 0;
    for (int step = 0; step < 12; ++step) {
      now += static_cast<int64_t>(rng() % 300);
      const std::set<std::string> before_now = RuleIds(*book.At(now));
      if (rng() % 3 == 0 && !model.empty()) {
        Model& m = model[rng() % model.size()];
        const Status s = book.Withdraw(m.id, now);
        EXPECT_EQ(s.ok(), !m.withdrawn && m.effective_ms > now) << "seed " << seed;
        if (s.ok()) m.withdrawn = true;
      } else {
        const std::string rule = "R-" + std::to_string(step);
        const int64_t effective = now + 1 + static_cast<int64_t>(rng() % 1000);  // ahead
        Result<std::string> id = book.Schedule(Change(rule + ".yaml", Adds(rule), effective));
        ASSERT_TRUE(id.ok()) << id.status().ToString();
        model.push_back({*id, rule, effective, false});
      }
      EXPECT_EQ(RuleIds(*book.At(now)), before_now) << "the present changed, seed " << seed;
      for (int64_t t : {now, now + 250, now + 1000}) {
        std::set<std::string> expected = {"R-BASE"};
        for (const Model& m : model) {
          if (!m.withdrawn && m.effective_ms <= t) expected.insert(m.rule);
        }
        EXPECT_EQ(RuleIds(*book.At(t)), expected) << "seed " << seed << " at " << t;
      }
    }
  }
}

}  // namespace
}  // namespace gpufleet::compliance
