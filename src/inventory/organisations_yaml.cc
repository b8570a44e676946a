// The `organisations` section: who owns, operates, buys and sells, and who controls whom.

#include <map>
#include <string>
#include <utility>

#include "gpufleet/model/utf8.h"
#include "inventory/yaml_sections.h"

namespace gpufleet::inventory {
namespace {

using codec::YamlField;
using codec::YamlMap;

constexpr std::string_view kKeys[] = {"id", "name", "kind", "parent", "hq_country"};

Status ReadField(const YamlMap& m, const YamlField& f, Organisation& org) {
  if (f.name == "id") return Assign(ReadSlug(m, f), org.id);
  if (f.name == "name") return Assign(m.ReadText(f), org.name);
  if (f.name == "kind") return Assign(ReadEnum(m, f, kOrgKindNames, "kind"), org.kind);
  if (f.name == "parent") return Assign(ReadSlug(m, f), org.parent);
  if (f.name == "hq_country") return Assign(ReadCountry(m, f), org.hq_country);
  return m.UnknownKey(f, kKeys);
}

// Parent links resolve, and following them always ends at a root: the ultimate parent's HQ
// is a rule input, so it must exist and be unique.
Status CheckParents(const std::vector<Organisation>& orgs, const std::vector<YamlMap>& entries) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < orgs.size(); ++i) index.emplace(orgs[i].id, i);
  for (size_t i = 0; i < orgs.size(); ++i) {
    if (orgs[i].parent.empty()) continue;
    if (!index.count(orgs[i].parent)) {
      return entries[i].Error("parent", "unknown organisation '" + Excerpt(orgs[i].parent) + "'");
    }
  }
  for (size_t i = 0; i < orgs.size(); ++i) {
    // A chain longer than the list has revisited someone; report each cycle once, at the
    // first of its members in file order.
    std::string chain = orgs[i].id;
    size_t at = i;
    for (size_t steps = 0; steps < orgs.size() && !orgs[at].parent.empty(); ++steps) {
      at = index.at(orgs[at].parent);
      chain += " -> " + orgs[at].id;
      if (at == i) return entries[i].Error("parent", "cycle " + chain);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<Organisation>> ReadOrganisations(const YamlMap& doc, const YamlField& f) {
  Result<std::vector<YamlField>> items = doc.ReadList(f);
  if (!items.ok()) return items.status();
  std::vector<Organisation> orgs;
  std::vector<YamlMap> entries;
  std::map<std::string, int> first_line;
  for (const YamlField& item : *items) {
    Result<YamlMap> entry = doc.ReadMap(item);
    if (!entry.ok()) return entry.status();
    Organisation org;
    for (const YamlField& field : entry->fields()) {
      GPUFLEET_RETURN_IF_ERROR(ReadField(*entry, field, org));
    }
    GPUFLEET_RETURN_IF_ERROR(
        entry->RequireKeys({"id", "name", "kind", "hq_country"}, "every organisation needs one"));
    if (org.kind == OrgKind::kSubsidiary && org.parent.empty()) {
      return entry->Missing("parent", "a subsidiary needs its parent");
    }
    const YamlField& id = *entry->Find("id");
    const auto [it, inserted] = first_line.emplace(org.id, id.value->line());
    if (!inserted) {
      return entry->Error(id, "'" + Excerpt(org.id) +
                                  "' is already the id of the organisation on line " +
                                  std::to_string(it->second));
    }
    orgs.push_back(std::move(org));
    entries.push_back(std::move(entry).value());
  }
  GPUFLEET_RETURN_IF_ERROR(CheckParents(orgs, entries));
  return orgs;
}

}  // namespace gpufleet::inventory
