#include "gpufleet/findings/observed_checks.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "gpufleet/model/iso_time.h"

namespace gpufleet::findings {
namespace {

// As the inventory's diversion check (inventory/diversion.h): memory within 5% of the figure
// it should be. Observed memory is in GiB, as drivers count it: an "80 GB" H100 reports
// 81,559 MiB (79.6 GiB, 0.5% off), an H20 reports 97,871 MiB against its 96.
constexpr double kMemoryTolerance = 0.05;
constexpr double kBytesPerGib = 1024.0 * 1024.0 * 1024.0;

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& ch : out) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
  return out;
}

std::string Evidence(const NodeObservation& n) {
  return "report of " + n.report->node + " (last changed " + FormatIsoTime(n.last_change_ms) +
         ", last seen " + FormatIsoTime(n.last_seen_ms) + ")";
}

std::string Describe(const ObservedDevice& d) {
  std::string s = "'" + d.model + "'";
  if (d.memory_bytes > 0) {
    char gib[32];
    std::snprintf(gib, sizeof gib, "%.1f", static_cast<double>(d.memory_bytes) / kBytesPerGib);
    s += " with " + std::string(gib) + " GiB";
  }
  return s;
}

std::string Gb(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

class Pass {
 public:
  Pass(const inventory::Inventory& inv, const catalog::Catalog& cat, const DeviceModels& models,
       const Policy& policy, int64_t now_ms)
      : inv_(inv), cat_(cat), models_(models), policy_(policy), now_ms_(now_ms) {
    assets_.reserve(inv.assets().size());
    for (const inventory::Asset& a : inv.assets()) assets_.emplace(Upper(a.serial), &a);
  }

  void Node(const NodeObservation& n) {
    const std::string& node = n.report->node;
    reporting_.emplace(node, &n);
    if (now_ms_ - n.last_seen_ms > policy_.node_silent_after_ms) {
      Add({.kind = Kind::kNodeSilent,
           .subject = node,
           .serial = "",
           .node = node,
           .detail = "node " + node + " has not reported since " + FormatIsoTime(n.last_seen_ms) +
                     " (more than " + std::to_string(policy_.node_silent_after_ms / 1000) + " s)",
           .evidence = {Evidence(n)}});
    }
    for (const ObservedDevice& d : n.report->devices) Device(n, d);
  }

  // Assets whose node reports without them: after every node is seen.
  void Missing() {
    for (const inventory::Asset& a : inv_.assets()) {
      if (a.node.empty()) continue;
      const auto node = reporting_.find(a.site + "/" + a.node);
      if (node == reporting_.end()) continue;  // no agent there: nothing to compare with
      if (seen_.contains(Upper(a.serial))) continue;
      const NodeObservation& n = *node->second;
      if (now_ms_ - n.last_change_ms <= policy_.not_seen_after_ms) continue;
      Add({.kind = Kind::kNotSeen,
           .subject = a.serial,
           .serial = a.serial,
           .node = node->first,
           .detail = "asset " + a.serial + " is declared in node " + node->first +
                     ", whose reports have not listed it since " + FormatIsoTime(n.last_change_ms),
           .evidence = {Evidence(n)}});
    }
  }

  std::vector<Detection> Take() { return std::move(out_); }

 private:
  void Add(Detection d) { out_.push_back(std::move(d)); }

  void Device(const NodeObservation& n, const ObservedDevice& d) {
    const std::string& node = n.report->node;
    if (!d.uuid.empty()) {
      const auto [it, first] = uuids_.emplace(d.uuid, node);
      if (!first && it->second != node && twice_.insert("u:" + d.uuid).second) {
        Add({.kind = Kind::kUuidOnTwoNodes,
             .subject = d.uuid,
             .serial = d.serial,
             .node = node,
             .detail = "device " + d.uuid + " is reported by " + it->second + " and by " + node,
             .evidence = {Evidence(n), "report of " + it->second}});
      }
    }
    if (d.serial.empty()) return;  // a board that reports no serial is matched by nothing
    const std::string serial = Upper(d.serial);
    const auto [first_node, first] = seen_.emplace(serial, node);
    if (!first) {
      if (first_node->second != node && twice_.insert("s:" + serial).second) {
        Add({.kind = Kind::kSerialOnTwoNodes,
             .subject = d.serial,
             .serial = d.serial,
             .node = node,
             .detail =
                 "serial " + d.serial + " is reported by " + first_node->second + " and by " + node,
             .evidence = {Evidence(n), "report of " + first_node->second}});
      }
      return;  // judged at its first node
    }
    const auto asset = assets_.find(serial);
    if (asset == assets_.end()) {
      Add({.kind = Kind::kDeviceNotInInventory,
           .subject = d.serial,
           .serial = d.serial,
           .node = node,
           .detail = "node " + node + " reports " + Describe(d) + " serial " + d.serial +
                     ", which the inventory does not hold",
           .evidence = {Evidence(n)}});
      return;
    }
    Declared(n, d, *asset->second);
  }

  void Declared(const NodeObservation& n, const ObservedDevice& d, const inventory::Asset& a) {
    const std::string& node = n.report->node;
    const size_t slash = node.find('/');
    const std::string_view site = std::string_view(node).substr(0, slash);
    const std::string_view host =
        slash == std::string::npos ? std::string_view() : std::string_view(node).substr(slash + 1);
    if (site != a.site || (!a.node.empty() && host != a.node)) {
      const std::string declared = a.node.empty() ? a.site : a.site + "/" + a.node;
      Add({.kind = Kind::kObservedElsewhere,
           .subject = a.serial,
           .serial = a.serial,
           .node = node,
           .detail =
               "asset " + a.serial + " is declared at " + declared + " but reported by " + node,
           .evidence = {Evidence(n)}});
    }
    const catalog::AcceleratorSpec* observed = models_.Match(d.vendor, d.model);
    if (observed != nullptr && observed->id != a.model) {
      Add({.kind = Kind::kModelDiffers,
           .subject = a.serial,
           .serial = a.serial,
           .node = node,
           .detail = "asset " + a.serial + " is declared " + a.model + ", but " + node +
                     " reports " + Describe(d) + ", which is " + observed->id,
           .evidence = {Evidence(n)}});
      return;
    }
    if (d.memory_bytes == 0) return;
    const catalog::AcceleratorSpec* declared = cat_.Find(a.model);
    const std::optional<double> gb =
        a.declared_memory_gb ? a.declared_memory_gb
                             : (declared != nullptr ? declared->memory_gb : std::nullopt);
    if (!gb || *gb <= 0) return;
    const double gib = static_cast<double>(d.memory_bytes) / kBytesPerGib;
    if (std::abs(gib - *gb) <= kMemoryTolerance * *gb) return;
    Add({.kind = Kind::kMemoryDiffers,
         .subject = a.serial,
         .serial = a.serial,
         .node = node,
         .detail = "asset " + a.serial + " is declared " + a.model + " with " + Gb(*gb) +
                   " GB, but " + node + " reports " + Describe(d),
         .evidence = {Evidence(n)}});
  }

  const inventory::Inventory& inv_;
  const catalog::Catalog& cat_;
  const DeviceModels& models_;
  const Policy& policy_;
  int64_t now_ms_;
  std::unordered_map<std::string, const inventory::Asset*> assets_;    // by Upper(serial)
  std::unordered_map<std::string, const NodeObservation*> reporting_;  // by node
  std::unordered_map<std::string, std::string> seen_;   // Upper(serial) -> first node
  std::unordered_map<std::string, std::string> uuids_;  // uuid -> first node
  std::unordered_set<std::string> twice_;               // serials and uuids already found twice
  std::vector<Detection> out_;
};

}  // namespace

const std::set<Kind>& ObservedKinds() {
  static const auto* const kinds = new std::set<Kind>{
      Kind::kDeviceNotInInventory, Kind::kObservedElsewhere, Kind::kModelDiffers,
      Kind::kMemoryDiffers,        Kind::kNotSeen,           Kind::kSerialOnTwoNodes,
      Kind::kUuidOnTwoNodes,       Kind::kNodeSilent};
  return *kinds;
}

std::vector<Detection> CheckObserved(const inventory::Inventory& inventory,
                                     const catalog::Catalog& catalog, const DeviceModels& models,
                                     std::span<const NodeObservation> nodes, const Policy& policy,
                                     int64_t now_ms) {
  std::vector<const NodeObservation*> ordered;
  ordered.reserve(nodes.size());
  for (const NodeObservation& n : nodes) ordered.push_back(&n);
  std::sort(ordered.begin(), ordered.end(), [](const NodeObservation* a, const NodeObservation* b) {
    return a->report->node < b->report->node;
  });
  Pass pass(inventory, catalog, models, policy, now_ms);
  for (const NodeObservation* n : ordered) pass.Node(*n);
  pass.Missing();
  return pass.Take();
}

}  // namespace gpufleet::findings
