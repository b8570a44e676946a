#pragma once
// Hand-written planner inputs for the planner suites: a small fleet (two Chinese sites, one in
// Singapore, a buyer of used units), a rule file with no rules, and a scenario directory that
// holds them next to the scenario so its relative `fleet:` and `rules:` keys resolve. The
// shipped catalog is named by absolute path, so prices and domestic flags are the catalog's
// (H20 and H100 are NVIDIA, not domestic; Ascend 910B is domestic in CN).

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "gpufleet/planner/scenario.h"
#include "support/cli_runner.h"

namespace gpufleet::planner::fixtures {

inline const std::string kCatalogPath =
    std::string(GPUFLEET_SOURCE_DIR) + "/data/catalog/accelerators.yaml";

// Organisations acme (CN, plans), acme-sg (its SG subsidiary) and northstar (a CN buyer);
// sites sh-03 and bj-01 (CN) and sg-01 (SG). No assets: scenarios that need some add an
// `assets:` section after this text.
inline constexpr char kFleet[] =
    "organisations:\n"
    "  - {id: acme, name: Acme, kind: company, hq_country: CN}\n"
    "  - {id: acme-sg, name: Acme SG, kind: subsidiary, parent: acme, hq_country: SG}\n"
    "  - {id: northstar, name: Northstar, kind: counterparty, hq_country: CN}\n"
    "sites:\n"
    "  - {id: sh-03, name: Shanghai 3, country: CN, ownership: owned}\n"
    "  - {id: bj-01, name: Beijing 1, country: CN, ownership: owned}\n"
    "  - {id: sg-01, name: Singapore 1, country: SG, ownership: owned}\n";

inline constexpr char kNoRules[] = "rules: []\n";

// One rule of a test rule file: `action` on `model` (catalog id) in `country`, from `from`
// (YYYY-MM-DD), for the transfer types in `transfers` ("" = every type, so buying and using).
struct TestRule {
  std::string id;
  std::string model;
  std::string country;
  std::string from;
  std::string action = "prohibited";
  std::string transfers;         // e.g. "[export]"
  double revenue_share_pct = 0;  // for allowed_with_revenue_share
};

// A prohibition of `model` in `country` from `from`, for every transfer type.
inline TestRule Prohibit(std::string id, std::string model, std::string country, std::string from) {
  TestRule r;
  r.id = std::move(id);
  r.model = std::move(model);
  r.country = std::move(country);
  r.from = std::move(from);
  return r;
}

inline std::string RuleFile(const std::vector<TestRule>& rules) {
  if (rules.empty()) return kNoRules;
  std::string out = "rules:\n";
  for (const TestRule& r : rules) {
    out += "  - id: " + r.id + "\n";
    out += "    kind: policy\n";
    out += "    jurisdiction: " + r.country + "\n";
    out += "    effective_from: " + r.from + "\n";
    out += "    chip: \"model in {" + r.model + "}\"\n";
    out += "    locations: [" + r.country + "]\n";
    if (!r.transfers.empty()) out += "    transfers: " + r.transfers + "\n";
    out += "    action: " + r.action + "\n";
    if (r.revenue_share_pct > 0) {
      out += "    revenue_share_pct: " + std::to_string(r.revenue_share_pct) + "\n";
    }
    out += "    source: \"planner test\"\n";
  }
  return out;
}

// The keys every test scenario starts with: horizon, organisation, and the files (fleet.yaml
// and rules.yaml next to the scenario, the shipped catalog).
inline std::string Header(int months, const std::string& start = "2025-01-01") {
  return "name: test\n"
         "start: " +
         start +
         "\n"
         "months: " +
         std::to_string(months) +
         "\n"
         "organisation: acme\n"
         "fleet: fleet.yaml\n"
         "rules: rules.yaml\n"
         "catalog: " +
         kCatalogPath + "\n";
}

// A fresh directory for one scenario and its files.
class ScenarioDir {
 public:
  explicit ScenarioDir(const std::string& name) : dir_(gpufleet::testing::FreshDir(name)) {}

  const std::string& path() const { return dir_; }

  // Writes `text` to `file` in the directory; returns its path.
  std::string Write(const std::string& file, const std::string& text) const {
    const std::string p = (std::filesystem::path(dir_) / file).string();
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
    return p;
  }

  // Writes the scenario (with fleet.yaml and rules.yaml) and loads it.
  Result<Scenario> Load(const std::string& scenario, const std::string& fleet = kFleet,
                        const std::string& rules = kNoRules) const {
    Write("fleet.yaml", fleet);
    Write("rules.yaml", rules);
    return LoadScenario(Write("plan.yaml", scenario));
  }

 private:
  std::string dir_;
};

}  // namespace gpufleet::planner::fixtures
