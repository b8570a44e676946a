#pragma once
// Strong ID types: a NodeId cannot be passed where a JobId is expected.

#include <compare>
#include <cstdint>
#include <functional>

namespace gpufleet {

template <typename Tag, typename Rep = uint32_t>
class StrongId {
 public:
  using rep_type = Rep;
  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep value) : value_(value) {}
  constexpr Rep value() const { return value_; }
  friend constexpr auto operator<=>(StrongId, StrongId) = default;

 private:
  Rep value_ = 0;
};

using NodeId = StrongId<struct NodeIdTag>;
using JobId = StrongId<struct JobIdTag, uint64_t>;
using ChipModelId = StrongId<struct ChipModelIdTag, uint16_t>;
using SiteId = StrongId<struct SiteIdTag>;
using TenantId = StrongId<struct TenantIdTag>;
using OrgId = StrongId<struct OrgIdTag>;
using WorkloadClassId = StrongId<struct WorkloadClassIdTag, uint16_t>;
using DataClassId = StrongId<struct DataClassIdTag, uint16_t>;

}  // namespace gpufleet

template <typename Tag, typename Rep>
struct std::hash<gpufleet::StrongId<Tag, Rep>> {
  size_t operator()(gpufleet::StrongId<Tag, Rep> id) const noexcept {
    return std::hash<Rep>{}(id.value());
  }
};
