#pragma once
// Readers of the scenario's list sections (demand, sites, purchases, rentals, sales) and the
// budget map; scenario_yaml.cc calls them once the horizon, currency, catalog and fleet are
// known, since every section refers to those.

#include <vector>

#include "gpufleet/planner/scenario.h"
#include "planner/scenario_values.h"

namespace gpufleet::planner {

Result<std::vector<DemandClass>> ReadDemand(const codec::YamlMap& doc, const codec::YamlField& f,
                                            const ValueContext& ctx);
// `order_cost`: the document's default fixed cost of an order month.
Result<std::vector<PlanSite>> ReadSites(const codec::YamlMap& doc, const codec::YamlField& f,
                                        const ValueContext& ctx, const inventory::Inventory& fleet,
                                        double order_cost);
Result<std::vector<PurchaseOption>> ReadPurchases(const codec::YamlMap& doc,
                                                  const codec::YamlField& f,
                                                  const ValueContext& ctx);
Result<std::vector<RentalOption>> ReadRentals(const codec::YamlMap& doc, const codec::YamlField& f,
                                              const ValueContext& ctx);
Result<std::vector<SaleOption>> ReadSales(const codec::YamlMap& doc, const codec::YamlField& f,
                                          const ValueContext& ctx,
                                          const inventory::Inventory& fleet);
Result<Budget> ReadBudget(const codec::YamlMap& doc, const codec::YamlField& f,
                          const ValueContext& ctx);
Result<SolverSettings> ReadSolver(const codec::YamlMap& doc, const codec::YamlField& f);

}  // namespace gpufleet::planner
