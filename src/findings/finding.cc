#include "gpufleet/findings/finding.h"

#include <array>

namespace gpufleet::findings {
namespace {

struct KindInfo {
  std::string_view name;
  std::string_view source;
};
// By Kind.
constexpr std::array<KindInfo, std::size(kAllKinds)> kKinds = {{
    {"device_not_in_inventory", "agent"},
    {"observed_elsewhere", "agent"},
    {"model_differs", "agent"},
    {"memory_differs", "agent"},
    {"not_seen", "agent"},
    {"serial_on_two_nodes", "agent"},
    {"uuid_on_two_nodes", "agent"},
    {"node_silent", "agent"},
    {"serial_registered_twice", "ledger"},
    {"serial_at_two_sites", "ledger"},
    {"specs_contradict_catalog", "ledger"},
    {"move_too_fast", "ledger"},
    {"transfer_refused_today", "ledger"},
    {"location_contradicts_site", "landmark"},
}};
constexpr std::string_view kActionNames[] = {"record", "quarantine_device", "quarantine_node"};

}  // namespace

std::string_view KindName(Kind kind) { return kKinds[static_cast<size_t>(kind)].name; }

std::optional<Kind> ParseKind(std::string_view name) {
  for (const Kind k : kAllKinds) {
    if (KindName(k) == name) return k;
  }
  return std::nullopt;
}

std::string_view SourceOf(Kind kind) { return kKinds[static_cast<size_t>(kind)].source; }

std::string_view ActionName(Action action) { return kActionNames[static_cast<size_t>(action)]; }

std::optional<Action> ParseAction(std::string_view name) {
  for (size_t i = 0; i < std::size(kActionNames); ++i) {
    if (kActionNames[i] == name) return static_cast<Action>(i);
  }
  return std::nullopt;
}

bool Transient(Kind kind) {
  return SourceOf(kind) != "ledger" || kind == Kind::kTransferRefusedToday;
}

std::string DetectionKey(Kind kind, std::string_view subject) {
  std::string key(KindName(kind));
  key += ':';
  key += subject;
  return key;
}

}  // namespace gpufleet::findings
