#pragma once
// Mutation fuzzing of every shipped rule file, the catalog and the compliance examples,
// in-process: each mutated file goes through its reader and, when it loads, through the
// checks that use it (verdicts, `check`, overlays, `impact` with a placement snapshot). A
// reader may refuse a file, with a status; it may not crash, abort, throw, or return an
// error message that quotes a runaway amount of input. Shared by the fixed-seed suite run
// (input_fuzz_test.cc) and the longer slow run (input_fuzz_slow_test.cc).

#include <gtest/gtest.h>

#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/codec/text_file.h"
#include "gpufleet/compliance/engine.h"
#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/compliance/impact.h"
#include "gpufleet/compliance/rule_change.h"
#include "gpufleet/inventory/inventory.h"
#include "support/cli_runner.h"
#include "support/text_mutator.h"

namespace gpufleet::compliance::fuzz {

inline const std::string kSource = GPUFLEET_SOURCE_DIR;

// The files mutated, relative to the source tree.
inline const std::vector<std::string>& Targets() {
  static const std::vector<std::string> targets = {"data/rules/default.yaml",
                                                   "data/catalog/accelerators.yaml",
                                                   "examples/acme-rules.yaml",
                                                   "examples/changes/h20-ban.yaml",
                                                   "examples/changes/tighter-domestic-quota.yaml",
                                                   "examples/fleet.yaml",
                                                   "examples/assets.csv",
                                                   "examples/placements.csv"};
  return targets;
}

// An error message may name the file, line, field and a short quote of the value; the whole
// file never.
constexpr size_t kMaxMessageBytes = 4096;

class InputFuzzer {
 public:
  InputFuzzer() : dir_(testing::FreshDir("input_fuzz")) {
    for (size_t t = 0; t < Targets().size(); ++t) {
      Result<std::string> text = codec::ReadTextFile(kSource + "/" + Targets()[t]);
      EXPECT_TRUE(text.ok()) << Targets()[t];
      originals_.push_back(text.ok() ? *text : "");
      std::filesystem::create_directories(std::filesystem::path(Path(t)).parent_path());
      Write(t, originals_[t]);
    }
    // What the shipped files give, once: a mutation re-reads only what its file feeds.
    Result<catalog::Catalog> cat = catalog::Catalog::Load(Path(1));
    EXPECT_TRUE(cat.ok()) << cat.status().ToString();
    if (!cat.ok()) return;
    catalog_.emplace(std::move(cat).value());
    Result<LayeredRules> layered =
        LayerOverlays(originals_[0], Path(0), {Path(2)}, catalog_->IdsByName());
    EXPECT_TRUE(layered.ok()) << layered.status().ToString();
    if (layered.ok()) layered_.emplace(std::move(layered).value());
    Result<inventory::Inventory> fleet = inventory::Inventory::Load(Path(5), *catalog_);
    EXPECT_TRUE(fleet.ok()) << fleet.status().ToString();
    if (fleet.ok()) fleet_.emplace(std::move(fleet).value());
  }

  // Mutates target `index` `count` times from `seed`; every outcome must be a clean result or
  // a clean refusal.
  void Run(size_t index, int count, uint64_t seed) {
    ASSERT_TRUE(catalog_ && layered_ && fleet_) << "the shipped files must load";
    testing::TextMutator mutator(seed);
    for (int i = 0; i < count; ++i) {
      std::string what;
      const std::string mutated = mutator.Mutate(originals_[index], &what);
      SCOPED_TRACE(Targets()[index] + " mutation " + std::to_string(i) + " seed " +
                   std::to_string(seed) + " (" + what + ")");
      Write(index, mutated);
      try {
        Exercise(index);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "threw: " << e.what();
      }
      Write(index, originals_[index]);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }

 private:
  // Files live under one folder as in the source tree, so that relative paths (the fleet's
  // assets_csv) resolve as they do for a user.
  std::string Path(size_t t) const { return dir_ + "/" + Targets()[t]; }
  void Write(size_t t, const std::string& text) const {
    std::ofstream(Path(t), std::ios::binary | std::ios::trunc) << text;
  }

  template <typename T>
  static bool Loaded(const Result<T>& r) {
    if (!r.ok()) {
      EXPECT_LE(r.status().message().size(), kMaxMessageBytes)
          << r.status().message().substr(0, 300);
    }
    return r.ok();
  }

  // Target `index` has been mutated on disk: everything that reads it, directly or through
  // what it feeds, is read again and used.
  void Exercise(size_t index) {
    const bool catalog_changed = index == 1;
    const bool rules_changed = catalog_changed || index == 0 || index == 2;
    const bool fleet_changed = catalog_changed || index == 5 || index == 6;
    std::optional<catalog::Catalog> cat_read;
    if (catalog_changed) {
      Result<catalog::Catalog> r = catalog::Catalog::Load(Path(1));
      if (!Loaded(r)) return;
      cat_read.emplace(std::move(r).value());
    }
    const catalog::Catalog& cat = cat_read ? *cat_read : *catalog_;
    const auto ids = cat.IdsByName();
    std::optional<LayeredRules> layered_read;
    if (rules_changed) {
      Result<std::string> base_text = codec::ReadTextFile(Path(0));
      if (!Loaded(base_text)) return;
      Result<LayeredRules> r = LayerOverlays(*base_text, Path(0), {Path(2)}, ids);
      if (!Loaded(r)) return;
      layered_read.emplace(std::move(r).value());
    }
    const LayeredRules& layered = layered_read ? *layered_read : *layered_;
    std::optional<inventory::Inventory> fleet_read;
    if (fleet_changed) {
      Result<inventory::Inventory> r = inventory::Inventory::Load(Path(5), cat);
      if (!Loaded(r)) return;
      fleet_read.emplace(std::move(r).value());
    }
    const inventory::Inventory& fleet = fleet_read ? *fleet_read : *fleet_;
    const Date at = *Date::Parse("2026-03-01");
    if (rules_changed || fleet_changed) {
      const auto engine = MakeIndexedEngine(layered.rules);
      const FleetCheckReport report = CheckFleet(fleet, cat, layered.rules, *engine, at);
      EXPECT_LE(report.findings.size(), 2 * fleet.assets().size());
      for (const auto& s : report.situations) (void)s->verdict.Explain();
    }
    Result<std::vector<JobPlacement>> jobs = ReadPlacementSnapshot(Path(7), fleet, cat);
    if (!Loaded(jobs)) return;
    // impact for each change file: the mutated one, or both when what they apply to changed.
    for (const size_t change : {size_t{3}, size_t{4}}) {
      if (!rules_changed && !fleet_changed && index != change && index != 7) continue;
      Result<std::string> change_text = codec::ReadTextFile(Path(change));
      if (!Loaded(change_text)) continue;
      Result<RuleSet> after =
          ApplyChange(layered.text, layered.name, *change_text, Path(change), ids);
      if (!Loaded(after)) continue;
      const ImpactReport impact = Impact(fleet, cat, layered.rules, *after, at, *jobs);
      EXPECT_EQ(impact.jobs.size(), jobs->size());
    }
  }

  std::string dir_;
  std::vector<std::string> originals_;
  std::optional<catalog::Catalog> catalog_;
  std::optional<LayeredRules> layered_;
  std::optional<inventory::Inventory> fleet_;
};

}  // namespace gpufleet::compliance::fuzz
