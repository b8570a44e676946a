#pragma once
// A small catalog and inventory the findings tests share: two models with driver names, two
// sites with coordinates (Shanghai, Kuala Lumpur), assets on named nodes.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/inventory/inventory.h"
#include "gpufleet/model/observed_device.h"

namespace gpufleet::findings::testing {

inline constexpr char kCatalog[] =
    "accelerators:\n"
    "  - id: nvidia-h20-96gb\n"
    "    name: NVIDIA H20 (HGX) 96GB\n"
    "    aliases: [H20]\n"
    "    device_names: [NVIDIA H20]\n"
    "    vendor: NVIDIA\n"
    "    memory_gb: 96\n"
    "  - id: nvidia-h100-sxm5-80gb\n"
    "    name: NVIDIA H100 SXM5 80GB\n"
    "    aliases: [H100]\n"
    "    device_names: [NVIDIA H100 80GB HBM3]\n"
    "    vendor: NVIDIA\n"
    "    memory_gb: 80\n";

// `assets` lines: "serial,model,site,node".
inline std::string FleetYaml(const std::vector<std::string>& assets) {
  std::string text =
      "organisations: [{id: acme, name: Acme, kind: company, hq_country: CN}]\n"
      "sites:\n"
      "  - {id: sh-03, name: Shanghai 3, country: CN, ownership: owned, lat: 31.23, lon: 121.47}\n"
      "  - {id: kl-01, name: Kuala Lumpur 1, country: MY, ownership: owned, lat: 3.14, "
      "lon: 101.69}\n"
      "assets:\n";
  for (const std::string& a : assets) {
    std::vector<std::string> f;
    size_t from = 0;
    for (size_t comma; (comma = a.find(',', from)) != std::string::npos; from = comma + 1) {
      f.push_back(a.substr(from, comma - from));
    }
    f.push_back(a.substr(from));
    text += "  - {serial: '" + f[0] + "', model: " + f[1] + ", site: " + f[2] +
            (f[3].empty() ? "" : ", node: " + f[3]) +
            ", owner: acme, operator: acme, holding: owned, acquired: 2025-01-02, arrival: "
            "export}\n";
  }
  return text;
}

inline catalog::Catalog TestCatalog() {
  Result<catalog::Catalog> c = catalog::Catalog::Parse(kCatalog, "cat.yaml");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(c).value();
}

inline inventory::Inventory TestInventory(const catalog::Catalog& cat,
                                          const std::vector<std::string>& assets) {
  Result<inventory::Inventory> inv =
      inventory::Inventory::Parse(FleetYaml(assets), "fleet.yaml", "", cat);
  EXPECT_TRUE(inv.ok()) << inv.status().ToString();
  return std::move(inv).value();
}

inline constexpr uint64_t kGiB = uint64_t{1} << 30;

inline ObservedDevice Board(std::string serial, std::string model, double gib,
                            std::string uuid = "") {
  return {.vendor = "nvidia",
          .model = std::move(model),
          .serial = std::move(serial),
          .uuid = std::move(uuid),
          .pci_bus_id = "",
          .board_part_number = "",
          .memory_bytes = static_cast<uint64_t>(gib * static_cast<double>(kGiB)),
          .driver_version = "",
          .firmware_version = "",
          .attestation = std::nullopt};
}

}  // namespace gpufleet::findings::testing
