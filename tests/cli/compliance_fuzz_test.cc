// The compliance commands end to end on mutated copies of every shipped rule file, the
// catalog and the examples (tests/support/text_mutator.h), as a user would run them: each run
// ends with an answer (0, 3, 4) or a refusal (1), never an internal error (70) or a signal,
// and --json output is always a JSON document. The in-process fuzz run
// (tests/compliance/input_fuzz_test.cc) covers many more mutations of the readers.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_runner.h"
#include "support/text_mutator.h"

namespace gpufleet::testing {
namespace {

const std::string kSource = GPUFLEET_SOURCE_DIR;

const std::vector<std::string> kFiles = {
    "data/rules/default.yaml",  "data/catalog/accelerators.yaml",
    "examples/acme-rules.yaml", "examples/changes/h20-ban.yaml",
    "examples/fleet.yaml",      "examples/assets.csv",
    "examples/placements.csv",  "examples/jobs.csv"};

// Every command reads the copies: the shipped defaults are never consulted.
std::vector<std::string> Commands(const std::string& d) {
  const std::string inputs = " --rules " + d + "/data/rules/default.yaml --catalog " + d +
                             "/data/catalog/accelerators.yaml --overlay " + d +
                             "/examples/acme-rules.yaml --fleet " + d + "/examples/fleet.yaml";
  return {
      "check" + inputs + " --at 2026-03-01 --json",
      "check-transfer" + inputs +
          " --model H20 --to-site gz-hub --to-org lumen-ai --from US "
          "--at 2025-09-01 --json",
      "impact" + inputs + " --change " + d + "/examples/changes/h20-ban.yaml --jobs " + d +
          "/examples/placements.csv --at 2026-07-01 --json",
      "place" + inputs + " --jobs " + d + "/examples/jobs.csv --at 2026-03-01 --json",
  };
}

class ComplianceFuzzTest : public ::testing::TestWithParam<size_t> {};

TEST_P(ComplianceFuzzTest, CommandsAnswerOrRefuseCleanly) {
  const size_t target = GetParam();
  std::vector<std::string> originals;
  for (const std::string& f : kFiles) originals.push_back(ReadFile(kSource + "/" + f));
  TextMutator mutator(7000 + target);
  for (int i = 0; i < 5; ++i) {
    std::string what;
    const std::string mutated = mutator.Mutate(originals[target], &what);
    const std::string dir = FreshDir("compliance_fuzz");
    for (size_t f = 0; f < kFiles.size(); ++f) {
      const std::filesystem::path p = std::filesystem::path(dir) / kFiles[f];
      std::filesystem::create_directories(p.parent_path());
      std::ofstream(p, std::ios::binary) << (f == target ? mutated : originals[f]);
    }
    for (const std::string& cmd : Commands(dir)) {
      SCOPED_TRACE(kFiles[target] + " mutation " + std::to_string(i) + " (" + what +
                   "): " + cmd.substr(0, cmd.find(' ')));
      const CliResult r = RunGpufleet(cmd);
      EXPECT_THAT(r.exit_code, ::testing::AnyOf(0, 1, 3, 4)) << r.err.substr(0, 500);
      if (r.exit_code == 1) {
        EXPECT_FALSE(r.err.empty()) << "a refusal says why";
        EXPECT_LE(r.err.size(), 4096u) << "a refusal quotes little of the input";
      } else if (r.exit_code != -1) {
        EXPECT_TRUE(nlohmann::json::accept(r.out)) << r.out.substr(0, 300);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(ShippedFiles, ComplianceFuzzTest,
                         ::testing::Range(size_t{0}, kFiles.size()),
                         [](const ::testing::TestParamInfo<size_t>& p) {
                           std::string name;
                           for (char c : kFiles[p.param]) {
                             name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace gpufleet::testing
