// The `organisations` section: who owns, operates, buys and sells, and who controls whom.

#include <map>
#include <string>
#include <utility>

#include "inventory/yaml_sections.h"

namespace gpufleet::inventory {
namespace {

constexpr char kSection[] = "organisations";

Status ReadField(const YamlReporter& r, const YamlField& f, Organisation& org) {
  if (f.name == "id") return Assign(ReadSlug(r, f), org.id);
  if (f.name == "name") return Assign(ReadText(r, f), org.name);
  if (f.name == "kind") return Assign(ReadEnum(r, f, kOrgKindNames, "kind"), org.kind);
  if (f.name == "parent") return Assign(ReadSlug(r, f), org.parent);
  if (f.name == "hq_country") return Assign(ReadCountry(r, f), org.hq_country);
  return r.Error(f.key, f.name, "unknown key (known: id name kind parent hq_country)");
}

// Parent links resolve, and following them always ends at a root: the ultimate parent's HQ
// is a rule input, so it must exist and be unique.
Status CheckParents(const YamlReporter& r, const std::vector<Organisation>& orgs,
                    const std::vector<std::vector<YamlField>>& fields) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < orgs.size(); ++i) index.emplace(orgs[i].id, i);
  for (size_t i = 0; i < orgs.size(); ++i) {
    if (orgs[i].parent.empty()) continue;
    if (!index.count(orgs[i].parent)) {
      return r.Error(*FindField(fields[i], "parent"),
                     "unknown organisation '" + orgs[i].parent + "'");
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
      if (at == i) {
        return r.Error(*FindField(fields[i], "parent"), "cycle " + chain);
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<Organisation>> ReadOrganisations(const YamlReporter& r, const YamlField& f) {
  Result<std::vector<YAML::Node>> entries = ListOf(r, f);
  if (!entries.ok()) return entries.status();
  std::vector<Organisation> orgs;
  std::vector<std::vector<YamlField>> all_fields;
  std::map<std::string, int> first_line;
  for (const YAML::Node& entry : *entries) {
    Result<std::vector<YamlField>> fields = MapFields(r, entry, kSection);
    if (!fields.ok()) return fields.status();
    Organisation org;
    for (const YamlField& field : *fields) GPUFLEET_RETURN_IF_ERROR(ReadField(r, field, org));
    GPUFLEET_RETURN_IF_ERROR(
        RequireKeys(r, entry, *fields, {"id", "name", "kind", "hq_country"}, "organisation"));
    if (org.kind == OrgKind::kSubsidiary && org.parent.empty()) {
      return r.Error(entry, "parent", "missing; a subsidiary needs its parent");
    }
    const YamlField& id = *FindField(*fields, "id");
    const auto [it, inserted] = first_line.emplace(org.id, id.value.Mark().line + 1);
    if (!inserted) {
      return r.Error(id, "'" + org.id + "' is already the id of the organisation on line " +
                             std::to_string(it->second));
    }
    orgs.push_back(std::move(org));
    all_fields.push_back(std::move(fields).value());
  }
  GPUFLEET_RETURN_IF_ERROR(CheckParents(r, orgs, all_fields));
  return orgs;
}

}  // namespace gpufleet::inventory
