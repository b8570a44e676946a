#pragma once
// Seeded synthetic procurement scenarios, for the planner's benchmark (docs/benchmarks.md,
// "Planner") and tests: a planning organisation with sites in China and abroad, one purchase
// option per catalog model (server lots of 8 or 16, lead times of 0-3 months but shorter than
// the horizon, monthly supply, explicit prices), a fixed order cost per site-month, three
// rentals of H100 capacity abroad, a few existing accelerators that may be sold, budgets for
// home (CN, HK), abroad and in total, a domestic share, and demand classes asking for several
// times what the supply could serve. The shipped catalog and rule history decide what may be
// bought, used and sold where (the rule calendar is exercised exactly as for a hand-written
// scenario).
//
// The scenario is produced as the two documents a user would write (the scenario YAML and a
// fleet YAML in the inventory format, with inline `assets`), then read by ParseScenario, so
// a generated instance goes through the same checks as a file and can be written out and run
// with `gpufleet plan` (GenerateScenarioFiles).
//
// Determinism: the same options give the same documents byte for byte, on any platform: every
// draw is an integer from gpufleet::Rng (xoshiro256**), and money and quantities are written
// as integers or with fixed decimals. Each site, model and demand class draws from its own
// stream (seeded from `seed` and its index), so growing `sites` adds sites without changing
// the models, and growing `months` appends months (the first months' supply and prices stay
// the same, and lead times unless the horizon is shorter than 4 months; demand and budgets,
// which follow the total supply, change).
//
// Thread safety: reentrant.

#include <chrono>
#include <cstdint>
#include <string>

#include "gpufleet/planner/scenario.h"
#include "gpufleet/status.h"

namespace gpufleet::planner {

// The catalog models the generator offers, in the order they are taken: the first `models`
// of a fixed list that mostly alternates foreign and domestic parts (so small instances have
// both).
inline constexpr int kMaxGeneratedModels = 15;

struct GeneratorOptions {
  int months = 12;  // horizon, 1-120
  int sites = 20;   // plan sites, 1-200; of every ten, seven in CN or HK and three abroad
  int models = 15;  // purchase options, one per model, 1-kMaxGeneratedModels
  int classes = 4;  // demand classes, 1-16: training, inference, recommendation, external,
                    // then the same kinds again ("training-2", ...)
  uint64_t seed = 1;
  std::chrono::year_month start{std::chrono::year{2025}, std::chrono::January};
  // Demand as a percentage of the accelerator-hours the fleet would have if every unit on
  // offer were bought (existing units + all supply after its lead time + all rentals, in
  // H100-hours at 730 hours a month). Default 300: demand is about three times what could
  // be served, so supply, capacity and budgets decide the plan.
  int demand_pct = 300;
  // The total budget as a percentage of what buying all supply and renting all rental
  // capacity would cost; home and abroad each get a share of it that together exceed it.
  int budget_pct = 50;
  // HQ of the planning organisation. "CN" (default) makes US rules on China-headquartered
  // companies apply at every site, so most US parts are blocked everywhere; another country
  // leaves some of them open abroad, which gives a larger program (2,026 integer variables
  // instead of 1,698 for the default instance with "SG").
  std::string hq_country = "CN";
};

struct GeneratedFiles {
  std::string scenario_yaml;  // names "fleet.yaml" and "classifications.yaml", next to it
  std::string fleet_yaml;
  // A rule overlay: the organisation classifies the CN-designed parts on offer as made in CN
  // (without it the rules keep them closed as "needs classification").
  std::string classifications_yaml;
};

// The three documents for `options`. InvalidArgument when an option is out of range.
[[nodiscard]] Result<GeneratedFiles> GenerateScenarioFiles(const GeneratorOptions& options);

// GenerateScenarioFiles read through ParseScenario. ParseScenario reads the fleet by path, so
// the fleet document is written to a fresh directory under the system temporary directory,
// read, and removed again (IOError when that fails). The result's `file` is
// "generated:<name>". The catalog and rules are the shipped ones (catalog::DefaultDataPath).
[[nodiscard]] Result<Scenario> GenerateScenario(const GeneratorOptions& options);

}  // namespace gpufleet::planner
