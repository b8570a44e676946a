#include "gpufleet/catalog/accelerator.h"

#include <algorithm>
#include <array>
#include <utility>

namespace gpufleet::catalog {
namespace {

struct PrecisionInfo {
  Precision precision;
  std::string_view name;
  int bits;
};

// The one enum <-> string <-> bit-length table. TF32 counts 19 bits, its stored width
// (export-controls.md M7); it never yields the maximum on current parts either way.
constexpr std::array<PrecisionInfo, 10> kPrecisions = {{
    {Precision::kFp64, "fp64", 64},
    {Precision::kFp32, "fp32", 32},
    {Precision::kTf32, "tf32", 19},
    {Precision::kFp16, "fp16", 16},
    {Precision::kBf16, "bf16", 16},
    {Precision::kFp8, "fp8", 8},
    {Precision::kInt8, "int8", 8},
    {Precision::kFp6, "fp6", 6},
    {Precision::kFp4, "fp4", 4},
    {Precision::kInt4, "int4", 4},
}};

constexpr bool InEnumeratorOrder() {
  for (size_t i = 0; i < kPrecisions.size(); ++i) {
    if (static_cast<size_t>(kPrecisions[i].precision) != i) return false;
  }
  return true;
}
static_assert(InEnumeratorOrder(), "kPrecisions must list every Precision in enumerator order");

const PrecisionInfo& Info(Precision p) { return kPrecisions[static_cast<size_t>(p)]; }

}  // namespace

int BitLength(Precision p) { return Info(p).bits; }

std::string_view PrecisionName(Precision p) { return Info(p).name; }

std::optional<Precision> ParsePrecision(std::string_view name) {
  for (const PrecisionInfo& info : kPrecisions) {
    if (info.name == name) return info.precision;
  }
  return std::nullopt;
}

std::optional<double> Tpp(const AcceleratorSpec& spec) {
  // Every precision is a candidate and the highest product wins (M2): on most parts FP8/INT8
  // and FP16 tie, but e.g. the MLU370's INT8 rate is more than twice its FP16 rate.
  std::optional<double> best;
  for (const auto& [precision, tops] : spec.dense_tops) {
    const double tpp = tops * BitLength(precision);
    if (!best || tpp > *best) best = tpp;
  }
  return best;
}

std::optional<double> PerformanceDensity(const AcceleratorSpec& spec) {
  const std::optional<double> tpp = Tpp(spec);
  if (!tpp || !spec.die_area_mm2 || *spec.die_area_mm2 <= 0) return std::nullopt;
  return *tpp / *spec.die_area_mm2;
}

bool IsDomesticIn(const AcceleratorSpec& spec, std::string_view jurisdiction) {
  return std::find(spec.domestic_in.begin(), spec.domestic_in.end(), jurisdiction) !=
         spec.domestic_in.end();
}

Tri DomesticIn(const AcceleratorSpec& spec, std::string_view jurisdiction) {
  if (spec.designer_country.empty() || spec.fab_country.empty()) return Tri::kUnknown;
  return IsDomesticIn(spec, jurisdiction) ? Tri::kTrue : Tri::kFalse;
}

}  // namespace gpufleet::catalog
