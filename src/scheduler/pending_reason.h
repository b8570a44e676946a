#pragma once
// Private to the scheduler (batch.cc, cycle.cc): why a job that did not place is pending,
// with counts, in one wording for the batch and the cycle.

#include <string>
#include <vector>

#include "gpufleet/placement/placer.h"
#include "gpufleet/scheduler/batch.h"
#include "gpufleet/scheduler/eligibility.h"

namespace gpufleet::scheduler::internal {

// "12.5%"
std::string Pct(double v);

// Fills out.pending and out.reason for `job` (its pod with the profile's filter is `pod`),
// which did not place on `placer`'s state; `fits_without_rules`: it would place if the rules
// let it onto excluded nodes.
void ExplainPending(const InventoryFleet& fleet, const placement::Placer& placer,
                    const JobRequest& job, const PodRequest& pod, const Eligibility& e,
                    bool fits_without_rules, JobOutcome& out);

}  // namespace gpufleet::scheduler::internal
