#pragma once
// One accelerator model as the catalog records it: public specifications plus the facts export
// rules key on. Blank in the catalog means unknown here (an empty optional or a missing map
// entry), never zero, so a rule can tell "below the threshold" from "not published".
//
// The control metrics (TPP, performance density) are derived here, never stored, so they
// cannot drift from the rates and die area they come from. Definitions follow the 3A090
// technical notes (../shared/reference/export-controls.md section 1).
//
// Thread safety: values and free functions; safe to call concurrently.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/catalog/value.h"

namespace gpufleet::catalog {

// Operand precisions a datasheet rates. Not persisted by number (the catalog spells them).
enum class Precision : uint8_t {
  kFp64,
  kFp32,
  kTf32,
  kFp16,
  kBf16,
  kFp8,
  kInt8,
  kFp6,
  kFp4,
  kInt4
};

// Bit length the TPP definition multiplies by: FP64 64, FP32 32, TF32 19, FP16/BF16 16,
// FP8/INT8 8, FP6 6, FP4/INT4 4 (export-controls.md M2, M7).
int BitLength(Precision p);

// "fp64", "fp32", "tf32", "fp16", "bf16", "fp8", "int8", "fp6", "fp4", "int4": the spelling
// in the catalog file.
std::string_view PrecisionName(Precision p);
std::optional<Precision> ParsePrecision(std::string_view name);

struct AcceleratorSpec {
  std::string id;    // unique slug, e.g. "nvidia-h100-sxm5-80gb"
  std::string name;  // full marketing name
  std::string vendor;
  // ISO 3166 alpha-2: where the designer is headquartered, and where the wafers are made
  // (TSMC = "TW", SMIC = "CN"). fab_country is "" when not established.
  std::string designer_country;
  std::string fab_country;
  std::string form_factor;
  std::string memory_type;  // "HBM3", "GDDR6", "LPDDR5"...; "" when unknown
  std::string source;       // citation for the entry's figures
  std::string notes;
  // Short names inventories and rules use ("H100", "RTX 4090"); unique across a catalog.
  std::vector<std::string> aliases;
  // What drivers call the part (NVML's nvmlDeviceGetName, as nvidia-smi prints it: "NVIDIA
  // H100 80GB HBM3"): how a node agent's report is matched to a catalog entry (findings).
  std::vector<std::string> device_names;
  // Jurisdictions (ISO alpha-2) whose domestic-chip policies count this part as domestic.
  std::vector<std::string> domestic_in;
  // Fields whose values are estimates rather than vendor or press figures, by catalog key
  // ("die_area_mm2", "dense_tops" for all rates, "dense_tops.int8" for one).
  std::vector<std::string> estimates;
  std::optional<int> launch_year;
  // Designed or marketed for data-centre use (3A090 Note 2). GeForce cards are false.
  std::optional<bool> datacenter;
  // Dense (non-sparse) peak rate per precision, TFLOPS or TOPS as a datasheet prints it
  // (2 x MAC rate). Only published or estimated precisions are present.
  std::map<Precision, double> dense_tops;
  // Applicable die area (Technical Note 4): all FinFET/GAA logic dies, no DRAM stacks. mm^2.
  std::optional<double> die_area_mm2;
  std::optional<double> memory_gb;
  std::optional<double> dram_bw_gbs;  // memory bandwidth, GB/s
  std::optional<double> io_bw_gbs;    // chip-to-chip link (or PCIe), GB/s bidirectional
  std::optional<double> tdp_w;
  std::optional<double> price_usd;  // purchase price per unit; unknown for rent-only parts
  std::optional<double> transistors_bn;
  // A modelled part that does not (yet) exist; kept for what-if analysis.
  bool hypothetical = false;
};

// Total Processing Performance: the highest dense rate x bit length over the known
// precisions (M1-M3). nullopt when no rate is known: "unknown", not zero.
std::optional<double> Tpp(const AcceleratorSpec& spec);

// Performance density: TPP / applicable die area (M5). nullopt when either is unknown or
// the area is not positive.
std::optional<double> PerformanceDensity(const AcceleratorSpec& spec);

// True when `jurisdiction` (ISO alpha-2, e.g. "CN") is listed in spec.domestic_in.
bool IsDomesticIn(const AcceleratorSpec& spec, std::string_view jurisdiction);
// Whether the part counts as domestic in `jurisdiction` for a sourcing quota: unknown when its
// designer or fab country is not established, whatever domestic_in says (a part is never
// assumed domestic); otherwise whether domestic_in lists the jurisdiction.
Tri DomesticIn(const AcceleratorSpec& spec, std::string_view jurisdiction);

// The chip fields rules may read and their types: the schema the rule parser checks
// predicates against.
//   numbers: tpp, pd, dram_bw_gbs, io_bw_gbs, memory_gb, transistors_bn, launch_year, price_usd
//   bool:    is_datacenter
//   strings: model (the catalog id), vendor, designer_country, designer_hq (the same value,
//            under the name export-controls.md section 3 uses), fab_country, origin_country
// origin_country is the country of origin in the customs sense, where the wafers are made:
// fab_country, and unknown when the foundry is not established (in the shipped catalog: the
// Chinese parts whose foundry is not established, and TPU v5e) -- never the designer's
// country as a guess, so such a part is not assumed domestic and rules that read its origin
// need manual classification. NVIDIA and AMD parts are "TW": a rule meaning "US-designed"
// or "US-origin chips" must read designer_country, not origin_country.
const std::map<std::string, ValueType>& ChipFieldTypes();

// The value of `field` for `spec`, typed as ChipFieldTypes() says; std::monostate when the
// catalog does not know it (and for a field not in ChipFieldTypes()).
Value Fact(const AcceleratorSpec& spec, std::string_view field);

}  // namespace gpufleet::catalog
