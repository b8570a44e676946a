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
    for (const std::string& t : Targets()) {
      Result<std::string> text = codec::ReadTextFile(kSource + "/" + t);
      EXPECT_TRUE(text.ok()) << t;
      originals_.push_back(text.ok() ? *text : "");
    }
  }

  // Mutates target `index` `count` times from `seed`; every outcome must be a clean result or
  // a clean refusal.
  void Run(size_t index, int count, uint64_t seed) {
    testing::TextMutator mutator(seed);
    for (int i = 0; i < count; ++i) {
      std::string what;
      const std::string mutated = mutator.Mutate(originals_[index], &what);
      SCOPED_TRACE(Targets()[index] + " mutation " + std::to_string(i) + " seed " +
                   std::to_string(seed) + " (" + what + ")");
      try {
        Exercise(index, mutated);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "threw: " << e.what();
      }
      if (::testing::Test::HasFatalFailure()) return;
    }
  }

 private:
  // The file set with target `index` replaced by `mutated`, written out so that relative
  // paths (the fleet's assets_csv) resolve as they do for a user.
  std::vector<std::string> WriteSet(size_t index, const std::string& mutated) {
    std::vector<std::string> paths;
    for (size_t t = 0; t < Targets().size(); ++t) {
      const std::filesystem::path p = std::filesystem::path(dir_) / Targets()[t];
      std::filesystem::create_directories(p.parent_path());
      std::ofstream(p, std::ios::binary | std::ios::trunc)
          << (t == index ? mutated : originals_[t]);
      paths.push_back(p.string());
    }
    return paths;
  }

  template <typename T>
  static bool Loaded(const Result<T>& r) {
    if (!r.ok()) {
      EXPECT_LE(r.status().message().size(), kMaxMessageBytes)
          << r.status().message().substr(0, 300);
    }
    return r.ok();
  }

  void Exercise(size_t index, const std::string& mutated) {
    const std::vector<std::string> p = WriteSet(index, mutated);
    Result<catalog::Catalog> cat = catalog::Catalog::Load(p[1]);
    if (!Loaded(cat)) return;
    const auto ids = cat->IdsByName();
    Result<std::string> base_text = codec::ReadTextFile(p[0]);
    if (!Loaded(base_text)) return;
    Result<RuleSet> base = RuleSet::Parse(*base_text, p[0], ids);
    if (!Loaded(base)) return;
    Result<LayeredRules> layered = LayerOverlays(*base_text, p[0], {p[2]}, ids);
    if (!Loaded(layered)) return;
    Result<inventory::Inventory> fleet = inventory::Inventory::Load(p[5], *cat);
    if (!Loaded(fleet)) return;
    const Date at = *Date::Parse("2026-03-01");
    const auto engine = MakeIndexedEngine(layered->rules);
    const FleetCheckReport report = CheckFleet(*fleet, *cat, layered->rules, *engine, at);
    EXPECT_LE(report.findings.size(), 2 * fleet->assets().size());
    for (const auto& s : report.situations) (void)s->verdict.Explain();
    Result<std::vector<JobPlacement>> jobs = ReadPlacementSnapshot(p[7], *fleet, *cat);
    if (!Loaded(jobs)) return;
    for (const size_t change : {size_t{3}, size_t{4}}) {
      Result<std::string> change_text = codec::ReadTextFile(p[change]);
      if (!Loaded(change_text)) continue;
      Result<RuleSet> after =
          ApplyChange(layered->text, layered->name, *change_text, p[change], ids);
      if (!Loaded(after)) continue;
      const ImpactReport impact = Impact(*fleet, *cat, layered->rules, *after, at, *jobs);
      EXPECT_EQ(impact.jobs.size(), jobs->size());
    }
  }

  std::string dir_;
  std::vector<std::string> originals_;
};

}  // namespace gpufleet::compliance::fuzz
