#pragma once
// Mean and spread over seeds, and the grouping of runs by policy that every writer in
// gpufleet::report shares.

#include <cstddef>
#include <string>
#include <vector>

namespace gpufleet::report {

struct Summary {
  double mean = 0;
  double sd = 0;  // sample standard deviation (n - 1); 0 when n < 2
  size_t n = 0;
};

// Mean and sample standard deviation of `values`; all zero when `values` is empty.
Summary Summarize(const std::vector<double>& values);

// `summary` for a table cell with `decimals` places: "-" when n == 0, the mean alone when
// n == 1 (an sd of one seed says nothing), else "mean ± sd".
std::string FormatSummary(const Summary& summary, int decimals);
// The mean alone with `decimals` places ("-" when n == 0), for columns where the spread over
// seeds matters less than the table's width.
std::string FormatMean(const Summary& summary, int decimals);
// A count averaged over seeds: a whole mean prints without decimals, any other with one.
std::string FormatCount(const Summary& summary);

// The runs of each policy, policies in order of first appearance and runs in input order.
// `Run` is any type with a `std::string policy` field (sim::SaturationRun, sim::EventRun).
// The pointers refer into `runs`, which must outlive the result.
template <typename Run>
std::vector<std::vector<const Run*>> GroupByPolicy(const std::vector<Run>& runs) {
  std::vector<std::vector<const Run*>> groups;
  for (const Run& run : runs) {
    auto it = groups.begin();
    while (it != groups.end() && it->front()->policy != run.policy) ++it;
    if (it == groups.end()) {
      groups.emplace_back().push_back(&run);
    } else {
      it->push_back(&run);
    }
  }
  return groups;
}

}  // namespace gpufleet::report
