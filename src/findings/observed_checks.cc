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

char Fold(char ch) { return ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 'a' + 'A') : ch; }

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
  Pass(const DeclaredIndex& declared, const catalog::Catalog& cat, const DeviceModels& models,
       const Policy& policy, int64_t now_ms, size_t devices)
      : declared_(declared),
        cat_(cat),
        models_(models),
        policy_(policy),
        now_ms_(now_ms),
        first_node_(declared.size(), -1) {
    uuids_.reserve(devices);
  }

  void Node(const NodeObservation& n) {
    const std::string& node = n.report->node;
    node_index_ = static_cast<int32_t>(reporting_.size());
    reporting_.push_back(&n);
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

  // Assets whose node reports without them: after every node is seen. Only nodes with an
  // agent: elsewhere there is nothing to compare with.
  void Missing() {
    for (const NodeObservation* n : reporting_) {
      if (now_ms_ - n->last_change_ms <= policy_.not_seen_after_ms) continue;
      const std::string& node = n->report->node;
      const std::vector<const inventory::Asset*>* assets = declared_.AtNode(node);
      if (assets == nullptr) continue;
      for (const inventory::Asset* a : *assets) {
        if (first_node_[declared_.Position(a)] >= 0) continue;
        Add({.kind = Kind::kNotSeen,
             .subject = a->serial,
             .serial = a->serial,
             .node = node,
             .detail = "asset " + a->serial + " is declared in node " + node +
                       ", whose reports have not listed it since " +
                       FormatIsoTime(n->last_change_ms),
             .evidence = {Evidence(*n)}});
      }
    }
  }

  // Device UUIDs two nodes report: by hash, then by text, each group once.
  void Uuids() {
    std::sort(uuids_.begin(), uuids_.end(), [](const Uuid& a, const Uuid& b) {
      return a.hash != b.hash ? a.hash < b.hash : a.node < b.node;
    });
    std::unordered_set<std::string_view> done;
    for (size_t i = 0; i < uuids_.size(); ++i) {
      for (size_t k = i + 1; k < uuids_.size() && uuids_[k].hash == uuids_[i].hash; ++k) {
        const Uuid& a = uuids_[i];
        const Uuid& b = uuids_[k];
        if (a.node == b.node || a.device->uuid != b.device->uuid) continue;
        if (!done.insert(a.device->uuid).second) continue;
        const std::string& first = reporting_[a.node]->report->node;
        const std::string& second = reporting_[b.node]->report->node;
        Add({.kind = Kind::kUuidOnTwoNodes,
             .subject = a.device->uuid,
             .serial = b.device->serial,
             .node = second,
             .detail =
                 "device " + a.device->uuid + " is reported by " + first + " and by " + second,
             .evidence = {Evidence(*reporting_[b.node]), "report of " + first}});
      }
    }
  }

  std::vector<Detection> Take() { return std::move(out_); }

 private:
  void Add(Detection d) { out_.push_back(std::move(d)); }

  void Device(const NodeObservation& n, const ObservedDevice& d) {
    const std::string& node = n.report->node;
    if (!d.uuid.empty()) {
      uuids_.push_back({std::hash<std::string_view>()(d.uuid), node_index_, &d});
    }
    if (d.serial.empty()) return;  // a board that reports no serial is matched by nothing
    const inventory::Asset* asset = declared_.Find(d.serial);
    // Where the serial was first seen this pass: an array over the inventory's assets for the
    // declared ones (a million of them), a map for the few the inventory does not hold.
    int32_t first = node_index_;
    if (asset != nullptr) {
      int32_t& at = first_node_[declared_.Position(asset)];
      if (at < 0) at = node_index_;
      first = at;
    } else {
      first = unknown_.emplace(d.serial, node_index_).first->second;
    }
    if (first != node_index_) {
      std::string folded = "s:";
      for (const char ch : d.serial) folded += Fold(ch);
      if (twice_.insert(std::move(folded)).second) {
        const std::string& other = reporting_[first]->report->node;
        Add({.kind = Kind::kSerialOnTwoNodes,
             .subject = d.serial,
             .serial = d.serial,
             .node = node,
             .detail = "serial " + d.serial + " is reported by " + other + " and by " + node,
             .evidence = {Evidence(n), "report of " + other}});
      }
      return;  // judged at its first node
    }
    if (asset == nullptr) {
      Add({.kind = Kind::kDeviceNotInInventory,
           .subject = d.serial,
           .serial = d.serial,
           .node = node,
           .detail = "node " + node + " reports " + Describe(d) + " serial " + d.serial +
                     ", which the inventory does not hold",
           .evidence = {Evidence(n)}});
      return;
    }
    Declared(n, d, *asset);
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
    const catalog::AcceleratorSpec* observed = Match(d);
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
    const catalog::AcceleratorSpec* declared = Spec(a.model);
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

  // A fleet has a few dozen driver names and models, a million boards: each name is matched,
  // and each model looked up, once per pass.
  const catalog::AcceleratorSpec* Match(const ObservedDevice& d) {
    const auto it = matched_.find(d.model);
    if (it != matched_.end() && it->second.first == d.vendor) return it->second.second;
    const catalog::AcceleratorSpec* spec = models_.Match(d.vendor, d.model);
    matched_.insert_or_assign(d.model, std::pair{std::string_view(d.vendor), spec});
    return spec;
  }
  const catalog::AcceleratorSpec* Spec(std::string_view model) {
    const auto it = specs_.find(model);
    if (it != specs_.end()) return it->second;
    return specs_.emplace(model, cat_.Find(model)).first->second;
  }

  const DeclaredIndex& declared_;
  const catalog::Catalog& cat_;
  const DeviceModels& models_;
  const Policy& policy_;
  int64_t now_ms_;
  std::vector<const NodeObservation*> reporting_;  // in the pass's order
  int32_t node_index_ = -1;                        // of the node being read, in reporting_
  // By declared asset (DeclaredIndex::Position): the first node that reported it, -1 for none.
  std::vector<int32_t> first_node_;
  // Serials the inventory does not hold -> their first node (views into the reports).
  std::unordered_map<std::string_view, int32_t, CaselessHash, CaselessEqual> unknown_;
  struct Uuid {
    size_t hash;
    int32_t node;
    const ObservedDevice* device;
  };
  std::vector<Uuid> uuids_;
  std::unordered_set<std::string> twice_;  // serials and uuids already found twice
  // Views into the reports and the inventory: driver name -> (vendor, entry), model -> entry.
  std::unordered_map<std::string_view, std::pair<std::string_view, const catalog::AcceleratorSpec*>>
      matched_;
  std::unordered_map<std::string_view, const catalog::AcceleratorSpec*> specs_;
  std::vector<Detection> out_;
};

}  // namespace

size_t CaselessHash::operator()(std::string_view s) const {
  size_t h = 1469598103934665603ull;  // FNV-1a over the folded bytes
  for (const char ch : s) {
    h ^= static_cast<unsigned char>(Fold(ch));
    h *= 1099511628211ull;
  }
  return h;
}

bool CaselessEqual::operator()(std::string_view a, std::string_view b) const {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Fold(a[i]) != Fold(b[i])) return false;
  }
  return true;
}

DeclaredIndex::DeclaredIndex(const inventory::Inventory& inventory)
    : first_(inventory.assets().data()), size_(inventory.assets().size()) {
  by_serial_.reserve(inventory.assets().size());
  for (const inventory::Asset& a : inventory.assets()) {
    by_serial_.emplace(a.serial, &a);  // a repeat keeps the first record, as placement does
    if (!a.node.empty()) by_node_[a.site + "/" + a.node].push_back(&a);
  }
}

const inventory::Asset* DeclaredIndex::Find(std::string_view serial) const {
  const auto it = by_serial_.find(serial);
  return it == by_serial_.end() ? nullptr : it->second;
}

const std::vector<const inventory::Asset*>* DeclaredIndex::AtNode(std::string_view node) const {
  const auto it = by_node_.find(std::string(node));
  return it == by_node_.end() ? nullptr : &it->second;
}

const std::set<Kind>& ObservedKinds() {
  static const auto* const kinds = new std::set<Kind>{
      Kind::kDeviceNotInInventory, Kind::kObservedElsewhere, Kind::kModelDiffers,
      Kind::kMemoryDiffers,        Kind::kNotSeen,           Kind::kSerialOnTwoNodes,
      Kind::kUuidOnTwoNodes,       Kind::kNodeSilent};
  return *kinds;
}

std::vector<Detection> CheckObserved(const DeclaredIndex& declared, const catalog::Catalog& catalog,
                                     const DeviceModels& models,
                                     std::span<const NodeObservation> nodes, const Policy& policy,
                                     int64_t now_ms) {
  std::vector<const NodeObservation*> ordered;
  ordered.reserve(nodes.size());
  size_t devices = 0;
  for (const NodeObservation& n : nodes) {
    ordered.push_back(&n);
    devices += n.report->devices.size();
  }
  std::sort(ordered.begin(), ordered.end(), [](const NodeObservation* a, const NodeObservation* b) {
    return a->report->node < b->report->node;
  });
  Pass pass(declared, catalog, models, policy, now_ms, devices);
  for (const NodeObservation* n : ordered) pass.Node(*n);
  pass.Missing();
  pass.Uuids();
  return pass.Take();
}

}  // namespace gpufleet::findings
