#pragma once
// How `gpufleet plan` shows a plan: a text summary (spend, orders and rentals per month,
// demand served, binding limits, rules that shaped it), JSON, CSV of the month x location x
// model rows, an SVG chart of capacity and demand, and a side-by-side comparison of a base
// plan with a what-if plan.

#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/plan_text_layout.h"
#include "gpufleet/planner/plan.h"
#include "gpufleet/planner/scenario.h"

namespace gpufleet::cli {

// Lines are at most `width` characters (tables split or written as records, sentences
// wrapped); 0 = no limit (`--wide`).
void WritePlanText(const planner::Scenario& s, const planner::Plan& plan, std::ostream& out,
                   size_t width = kPlanTextWidth);
nlohmann::json PlanJson(const planner::Scenario& s, const planner::Plan& plan);
// month,location,model,rental,ordered,delivered,sold,in_service,spend,served_<class>...
void WritePlanCsv(const planner::Scenario& s, const planner::Plan& plan, std::ostream& out);
// The lines to act on, one CSV row each: kind (order, sale, rental), option, model, vendor or
// buyer or provider, site (rental: country), month (ordered), delivery_month (orders),
// units, unit_price (rental: per hour), amount (line cost, proceeds, rental cost), currency,
// area.
void WritePlanLinesCsv(const planner::Plan& plan, std::ostream& out);
// Accelerator-hours per month: demand, served, and the hours of the accelerators in service.
void WritePlanSvg(const planner::Scenario& s, const planner::Plan& plan, std::ostream& out);
// Metric, base, what-if, change.
void WriteComparisonText(const planner::Scenario& s, const planner::Plan& base,
                         const planner::Plan& what_if, std::ostream& out,
                         size_t width = kPlanTextWidth);

}  // namespace gpufleet::cli
