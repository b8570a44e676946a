// The indexed engine gives exactly the naive engine's verdicts, on randomised rule sets,
// chips and situations; and both respect the verdict invariants.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>

#include "gpufleet/compliance/engine.h"
#include "gpufleet/model/rng.h"

namespace gpufleet::compliance {
namespace {

const std::vector<std::string> kCountries = {"CN", "MO", "RU", "AE", "MY", "SG", "US", "JP"};
const std::vector<std::string> kTransfers = {"export", "reexport", "in_country_transfer",
                                             "remote_access", "use"};
const std::vector<std::string> kActions = {"allowed", "warning", "notification_required",
                                           "licence_required", "prohibited"};
const std::vector<std::string> kDataClasses = {"cn_personal", "eu-personal", "public"};
// Situations also carry no data class (hardware questions) and one no rule names.
const std::vector<std::string> kSituationDataClasses = {
    "", "", "cn_personal", "eu-personal", "public", "telemetry"};

std::string RandomList(Rng& rng, const std::vector<std::string>& from, size_t max) {
  std::string out = "[";
  const size_t n = 1 + rng.Uniform(max);
  for (size_t i = 0; i < n; ++i) out += (i ? ", " : "") + rng.Pick(from);
  return out + "]";
}

// 1..max distinct items of `from`, in random order (a data class may be listed only once).
std::string RandomDistinctList(Rng& rng, std::vector<std::string> from, size_t max) {
  std::string out = "[";
  const size_t n = 1 + rng.Uniform(std::min(max, from.size()));
  for (size_t i = 0; i < n; ++i) {
    const size_t at = rng.Uniform(from.size());
    out += (i ? ", " : "") + from[at];
    from.erase(from.begin() + static_cast<std::ptrdiff_t>(at));
  }
  return out + "]";
}

std::string RandomChipPredicate(Rng& rng) {
  switch (rng.Uniform(5)) {
    case 0:
      return "";
    case 1:
      return "tpp >= " + std::to_string(1000 + rng.Uniform(8000));
    case 2:
      return "is_datacenter AND (tpp >= 4800 OR (tpp >= 1600 AND pd >= 5.92))";
    case 3:
      return "dram_bw_gbs >= 1400 OR io_bw_gbs >= 1100";
    default:
      return "NOT is_datacenter AND tpp >= 4800";
  }
}

// A random rule file: up to 3 jurisdictions, random scopes, distinct precedences so no two
// rules conflict, some carve-outs.
std::string RandomRuleFile(Rng& rng, int rules) {
  std::string y = "groups:\n  G1: [CN, MO, RU]\n  G2: [AE, MY]\nrules:\n";
  for (int i = 0; i < rules; ++i) {
    y += "  - id: R" + std::to_string(i) + "\n";
    y += "    kind: regulation\n";
    y += "    jurisdiction: " + std::string(rng.Uniform(3) == 0 ? "CN" : "US") + "\n";
    const int from = 2022 + static_cast<int>(rng.Uniform(4));
    y += "    effective_from: " + std::to_string(from) + "-0" + std::to_string(1 + rng.Uniform(9)) +
         "-15\n";
    if (rng.Uniform(3) == 0) y += "    effective_to: " + std::to_string(from + 1) + "-06-30\n";
    if (const std::string chip = RandomChipPredicate(rng); !chip.empty()) {
      y += "    chip: \"" + chip + "\"\n";
    }
    if (rng.Uniform(3) != 0) {
      y += "    locations: " + RandomList(rng, {"G1", "G2", "CN", "US", "JP", "SG"}, 2) + "\n";
    }
    if (rng.Uniform(4) == 0) y += "    locations_except: [MO]\n";
    if (rng.Uniform(4) == 0) y += "    end_user_hq: [G1]\n";
    if (rng.Uniform(2) == 0) y += "    transfers: " + RandomList(rng, kTransfers, 3) + "\n";
    if (rng.Uniform(4) == 0) {
      y += "    data_classes: " + RandomDistinctList(rng, kDataClasses, 2) + "\n";
    }
    switch (rng.Uniform(10)) {
      case 0:
      case 1:
        y += "    condition: \"site_state_funded\"\n";
        break;
      case 2:
        y += "    condition: \"data_class in {cn_personal, public}\"\n";
        break;
      default:
        break;
    }
    y += "    action: " + rng.Pick(kActions) + "\n";
    y += "    precedence: " + std::to_string(i) + "\n";
    if (i > 0 && rng.Uniform(5) == 0) {
      y += "    carves_out: [R" + std::to_string(rng.Uniform(static_cast<uint64_t>(i))) + "]\n";
    }
    y += "    source: random\n";
  }
  y += "licences:\n  - id: L1\n    holder: acme\n    models: [chip-0, chip-1]\n"
       "    valid_from: 2024-01-01\n    status: granted\n";
  return y;
}

catalog::AcceleratorSpec RandomChip(Rng& rng, int i) {
  catalog::AcceleratorSpec c;
  c.id = "chip-" + std::to_string(i);
  c.vendor = "v";
  if (rng.Uniform(4) != 0) c.dense_tops[catalog::Precision::kInt8] = 100 + rng.Uniform(2000);
  if (rng.Uniform(4) != 0) c.die_area_mm2 = 300 + rng.Uniform(600);
  if (rng.Uniform(5) != 0) c.datacenter = rng.Uniform(4) != 0;
  if (rng.Uniform(3) != 0) c.dram_bw_gbs = 500 + rng.Uniform(5000);
  if (rng.Uniform(3) != 0) c.io_bw_gbs = 50 + rng.Uniform(1500);
  return c;
}

TEST(EngineDifferentialTest, IndexedAgreesWithNaive) {
  int data_class_hits = 0;  // hits of rules scoped to data classes, so they are exercised
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Rng rng(seed);
    auto rules = RuleSet::Parse(RandomRuleFile(rng, 5 + static_cast<int>(rng.Uniform(30))),
                                "random.yaml", {});
    ASSERT_TRUE(rules.ok()) << rules.status().ToString();
    const auto naive = MakeNaiveEngine(*rules);
    const auto indexed = MakeIndexedEngine(*rules);
    std::vector<catalog::AcceleratorSpec> chips;
    for (int i = 0; i < 8; ++i) chips.push_back(RandomChip(rng, i));
    for (int k = 0; k < 300; ++k) {
      Situation s;
      s.chip = &chips[rng.Uniform(chips.size())];
      s.date = Date::FromDays(
          static_cast<int32_t>(Date::Parse("2022-01-01")->days() + rng.Uniform(365 * 5)));
      s.location = rng.Pick(kCountries);
      s.transfer = static_cast<TransferType>(rng.Uniform(kTransferTypes));
      s.end_user = rng.Uniform(2) ? "acme" : "other";
      s.end_user_hq = rng.Pick(kCountries);
      s.site_state_funded = rng.Uniform(2) == 0;
      s.data_class = rng.Pick(kSituationDataClasses);
      const Verdict a = naive->Evaluate(s);
      const Verdict b = indexed->Evaluate(s);
      ASSERT_EQ(a.overall, b.overall) << k;
      ASSERT_EQ(a.needs_manual_classification, b.needs_manual_classification) << k;
      ASSERT_EQ(a.Explain(), b.Explain()) << k;
      // Invariants: the overall verdict is the most restrictive jurisdiction's, and no
      // jurisdiction is more restrictive than its most restrictive surely-applying rule.
      Action max = Action::kAllowed;
      for (const JurisdictionVerdict& j : a.jurisdictions) {
        max = std::max(max, j.action);
        Action bound = Action::kAllowed;
        for (const RuleHit& h : j.hits) {
          if (h.match == catalog::Tri::kTrue && !h.carved_out) bound = std::max(bound, h.action);
          EXPECT_TRUE(h.rule->CoversDataClass(s.data_class)) << h.rule->id;
          if (!h.rule->data_classes.empty()) ++data_class_hits;
        }
        EXPECT_EQ(j.action, bound);
      }
      EXPECT_EQ(a.overall, max);
    }
  }
  EXPECT_GT(data_class_hits, 0);
}

}  // namespace
}  // namespace gpufleet::compliance
