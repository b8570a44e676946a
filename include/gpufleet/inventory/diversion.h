#pragma once
// The cheap signs of diversion an import can spot on its own: a serial recorded twice, a
// serial at two sites, and paperwork that contradicts the catalog for the declared model
// (a relabelled part). They are flags for a person, not load errors.

#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/inventory/inventory.h"

namespace gpufleet::inventory {

// Declared specs may differ from the catalog by this fraction of the catalog's figure:
// datasheets and invoices round (80 GB vs 80 GiB is 7% and is written "80"), a relabelled
// part differs by far more (an H20 sold with H200 memory is 47% over).
inline constexpr double kSpecTolerance = 0.05;

// Flags in asset order. Serials compare ignoring ASCII case, because a re-typed "abc123" is
// the same board as "ABC123". A repeat of a serial is kSerialAtTwoSites when any earlier
// record of it is at another site, else kSerialRegisteredTwice; one flag per repeat. A
// declared figure whose catalog figure is unknown is not flagged.
// REQUIRES: every asset's model is a catalog id.
std::vector<DiversionFlag> FindDiversionFlags(const std::vector<Asset>& assets,
                                              const catalog::Catalog& catalog);

}  // namespace gpufleet::inventory
