#pragma once
// Location evidence as findings (docs/findings.md, kind location_contradicts_site): each pass
// of the findings' checks asks the landmarks' measurements which nodes are provably too close
// to a landmark far from their declared site, judged against the inventory the fleet holder
// holds now.

#include "gpufleet/service/findings_reconciler.h"
#include "gpufleet/service/fleet_holder.h"
#include "gpufleet/service/landmark_measurements.h"

namespace gpufleet::service {

// A source for FindingsReconciler::AddSource: one detection per node that contradicts its
// declared site (the first landmark, by name, that shows it). Both arguments must outlive it.
DetectionSource LandmarkFindings(const LandmarkMeasurements& landmarks, const FleetHolder& fleet);

}  // namespace gpufleet::service
