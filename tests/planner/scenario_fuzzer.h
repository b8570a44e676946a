#pragma once
// Mutation fuzzing of the shipped planner example (examples/planner/*): each mutated file goes
// through the scenario reader and, when the scenario (and a mutated what-if) loads, through
// the planner with a short time limit. A reader may refuse a file with an input error; it may
// not crash, abort, throw, report an internal error, or quote a runaway amount of input. A
// plan may be optimal, feasible, infeasible or not found in time, never "error", and every
// name and number in it must be fit for the JSON, CSV and SVG outputs. Shared by the
// fixed-seed suite run (scenario_fuzz_test.cc) and the longer slow run
// (scenario_fuzz_slow_test.cc).

#include <gtest/gtest.h>

#include <cmath>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/codec/text_file.h"
#include "gpufleet/model/rng.h"
#include "gpufleet/model/utf8.h"
#include "gpufleet/planner/plan.h"
#include "gpufleet/planner/scenario.h"
#include "gpufleet/planner/what_if.h"
#include "support/cli_runner.h"
#include "support/text_mutator.h"

namespace gpufleet::planner::fuzz {

inline const std::string kExampleDir = std::string(GPUFLEET_SOURCE_DIR) + "/examples/planner";

// The files mutated, in examples/planner. The first is the scenario; the what-ifs are applied
// to it only when they are the file mutated.
inline const std::vector<std::string>& Targets() {
  static const std::vector<std::string> targets = {"plan-2025.yaml",
                                                   "fleet.yaml",
                                                   "assets.csv",
                                                   "licences.yaml",
                                                   "h200-announcement.yaml",
                                                   "classifications.yaml",
                                                   "what-if-h20-cut.yaml",
                                                   "what-if-h20-licence.yaml"};
  return targets;
}

constexpr size_t kMaxMessageBytes = 4096;

// Mutations aimed at the planner, which the generic mutator reaches only now and then: a
// number (digits after ": ", "[" or ", ") set to an extreme the solver cannot take as it is,
// or an id's value set to a YAML escape that makes a control character or a non-character.
inline std::string PlannerMutation(const std::string& text, Rng& rng, std::string* what) {
  static constexpr std::string_view kNumbers[] = {"1e22", "1e308", "1e-300", "5e-324",
                                                  "0",    "1e9",   "1e13",   "1e7",
                                                  "-0.0", "2e9",   "1e15",   "123456789012"};
  static constexpr std::string_view kNames[] = {"\"a\\0b\"", "\"a\\uFFFFb\"", "\"\\x1b[31m\"",
                                                "\"\\t\""};
  std::string out = text;
  if (rng.Uniform(3) == 0) {
    std::vector<size_t> ids;
    for (size_t at = out.find("id: "); at != std::string::npos; at = out.find("id: ", at + 1)) {
      ids.push_back(at + 4);
    }
    if (!ids.empty()) {
      const size_t at = ids[rng.Uniform(ids.size())];
      size_t end = at;
      while (end < out.size() && out[end] != '\n' && out[end] != ',' && out[end] != '}') ++end;
      out.replace(at, end - at, kNames[rng.Uniform(std::size(kNames))]);
      *what = "name";
      return out;
    }
  }
  std::vector<size_t> numbers;
  for (size_t i = 1; i < out.size(); ++i) {
    const bool digit = out[i] >= '0' && out[i] <= '9';
    const bool after_gap = out[i - 1] == '[' || (out[i - 1] == ' ' && i >= 2 &&
                                                 (out[i - 2] == ':' || out[i - 2] == ','));
    if (digit && after_gap) numbers.push_back(i);
  }
  if (numbers.empty()) return out;
  const size_t at = numbers[rng.Uniform(numbers.size())];
  size_t end = at;
  while (end < out.size() &&
         std::string_view("0123456789.eE+-").find(out[end]) != std::string_view::npos) {
    ++end;
  }
  out.replace(at, end - at, kNumbers[rng.Uniform(std::size(kNumbers))]);
  *what = "number";
  return out;
}
// Long enough for CBC to find the example's plan (0.02 s), short enough that a mutation that
// makes the program hard costs little.
constexpr double kTimeLimitS = 0.5;

class ScenarioFuzzer {
 public:
  ScenarioFuzzer() : dir_(testing::FreshDir("scenario_fuzz")) {
    for (const auto& entry : std::filesystem::directory_iterator(kExampleDir)) {
      std::filesystem::copy_file(entry.path(), dir_ + "/" + entry.path().filename().string());
    }
    for (const std::string& t : Targets()) {
      Result<std::string> text = codec::ReadTextFile(kExampleDir + "/" + t);
      EXPECT_TRUE(text.ok()) << t;
      originals_.push_back(text.ok() ? *text : "");
    }
  }

  // Mutates target `index` `count` times from `seed`; every outcome must be a plan or a clean
  // refusal.
  void Run(size_t index, int count, uint64_t seed) {
    testing::TextMutator mutator(seed);
    Rng rng(seed ^ 0x9e3779b97f4a7c15ULL);
    for (int i = 0; i < count; ++i) {
      std::string what;
      const std::string mutated = rng.Uniform(2) == 0
                                      ? PlannerMutation(originals_[index], rng, &what)
                                      : mutator.Mutate(originals_[index], &what);
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

  // The scenario as shipped must plan: otherwise every mutation would be refused and the
  // run would prove nothing.
  void CheckOriginalPlans() {
    Result<Scenario> s = LoadScenario(Path(0));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    Result<Plan> plan = MakePlan(*s, PlanOptions{kTimeLimitS, 1.0});
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    EXPECT_TRUE(plan->has_plan()) << plan->status;
  }

 private:
  std::string Path(size_t t) const { return dir_ + "/" + Targets()[t]; }
  void Write(size_t t, const std::string& text) const {
    std::ofstream(Path(t), std::ios::binary | std::ios::trunc) << text;
  }

  // A refusal is an input error (a bad value, a missing or unreadable file), with a message
  // that is short and valid UTF-8.
  static void CheckRefusal(const Status& status) {
    const Status::Code code = status.code();
    EXPECT_TRUE(code == Status::Code::kInvalidArgument || code == Status::Code::kNotFound ||
                code == Status::Code::kIOError)
        << status.ToString().substr(0, 300);
    EXPECT_FALSE(status.message().empty());
    EXPECT_LE(status.message().size(), kMaxMessageBytes) << status.message().substr(0, 300);
    EXPECT_EQ(ValidUtf8Prefix(status.message()), status.message().size());
  }

  static void CheckText(const std::string& text) {
    EXPECT_EQ(ValidUtf8Prefix(text), text.size()) << Excerpt(text);
    for (const char c : text) {
      EXPECT_GE(static_cast<unsigned char>(c), 0x20) << Excerpt(text);
    }
  }

  static void CheckPlan(const Plan& plan) {
    EXPECT_NE(plan.status, "error");
    CheckText(plan.scenario);
    if (!plan.has_plan()) return;
    EXPECT_TRUE(std::isfinite(plan.objective));
    for (const PlanRow& r : plan.rows) {
      CheckText(r.location);
      for (double v : {r.ordered, r.delivered, r.sold, r.in_service, r.spend}) {
        EXPECT_TRUE(std::isfinite(v)) << r.location;
      }
      EXPECT_GE(r.in_service, -1e-6) << r.location << " month " << r.month;
    }
    for (const ClassOutcome& c : plan.classes) {
      CheckText(c.id);
      for (size_t t = 0; t < c.served.size(); ++t) {
        EXPECT_GE(c.served[t], -1e-6) << c.id;
        EXPECT_LE(c.served[t], c.demand[t] * (1 + 1e-6) + 1e-3) << c.id;
      }
    }
  }

  void Exercise(size_t index) {
    Result<Scenario> s = LoadScenario(Path(0));
    if (!s.ok()) {
      CheckRefusal(s.status());
      return;
    }
    CheckText(s->name);
    if (index >= 6) {
      Result<Scenario> changed = LoadWhatIf(*s, Path(index));
      if (!changed.ok()) {
        CheckRefusal(changed.status());
        return;
      }
      s = std::move(changed);
    }
    Result<Plan> plan = MakePlan(*s, PlanOptions{kTimeLimitS, 1.0});
    if (!plan.ok()) {
      CheckRefusal(plan.status());
      return;
    }
    CheckPlan(*plan);
  }

  std::string dir_;
  std::vector<std::string> originals_;
};

}  // namespace gpufleet::planner::fuzz
