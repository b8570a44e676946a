// The `nodes` section: the hosts accelerators sit in, with the CPU cores and memory placement
// needs besides the accelerators (without a record a node gets the per-accelerator defaults).

#include <map>
#include <string>
#include <utility>

#include "gpufleet/model/utf8.h"
#include "inventory/yaml_sections.h"

namespace gpufleet::inventory {
namespace {

using codec::YamlField;
using codec::YamlMap;

constexpr std::string_view kKeys[] = {"id", "site", "host_name", "cpu_cores", "memory_gib"};

Status ReadBounded(const YamlMap& m, const YamlField& f, int32_t max, int32_t& out) {
  Result<int> v = m.ReadInt(f);
  if (!v.ok()) return v.status();
  if (*v < 1 || *v > max) {
    return m.Error(f,
                   "expected 1 to " + std::to_string(max) + ", got " + Excerpt(f.value->scalar()));
  }
  out = *v;
  return Status::Ok();
}

Status ReadField(const YamlMap& m, const YamlField& f, Node& node) {
  if (f.name == "id") return Assign(m.ReadText(f), node.id);
  if (f.name == "site") return Assign(ReadSlug(m, f), node.site);
  if (f.name == "host_name") return Assign(m.ReadText(f), node.host_name);
  if (f.name == "cpu_cores") return ReadBounded(m, f, kMaxNodeCpuCores, node.cpu_cores);
  if (f.name == "memory_gib") return ReadBounded(m, f, kMaxNodeMemoryGib, node.memory_gib);
  return m.UnknownKey(f, kKeys);
}

}  // namespace

Result<std::vector<Node>> ReadNodes(const YamlMap& doc, const YamlField& f,
                                    const std::vector<Site>& sites) {
  Result<std::vector<YamlField>> items = doc.ReadList(f);
  if (!items.ok()) return items.status();
  std::vector<Node> nodes;
  std::map<std::pair<std::string, std::string>, int> first_line;
  for (const YamlField& item : *items) {
    Result<YamlMap> entry = doc.ReadMap(item);
    if (!entry.ok()) return entry.status();
    Node node;
    for (const YamlField& field : entry->fields()) {
      GPUFLEET_RETURN_IF_ERROR(ReadField(*entry, field, node));
    }
    GPUFLEET_RETURN_IF_ERROR(
        entry->RequireKeys({"id", "site", "cpu_cores", "memory_gib"}, "every node needs one"));
    const YamlField& site = *entry->Find("site");
    bool known = false;
    for (const Site& s : sites) known |= s.id == node.site;
    if (!known) return entry->Error(site, "no site '" + Excerpt(node.site) + "'");
    if (node.id.empty()) return entry->Error(*entry->Find("id"), "must not be empty");
    const auto [it, inserted] =
        first_line.emplace(std::pair(node.site, node.id), site.value->line());
    if (!inserted) {
      return entry->Error(*entry->Find("id"), "'" + Excerpt(node.id) + "' at " + node.site +
                                                  " is already the node on line " +
                                                  std::to_string(it->second));
    }
    nodes.push_back(std::move(node));
  }
  return nodes;
}

}  // namespace gpufleet::inventory
