// The `sites` section: where hardware sits, who runs the building, and the policy attributes
// (state funding, public computing hub, project completion) some rules read.

#include <map>
#include <string>
#include <utility>

#include "inventory/yaml_sections.h"

namespace gpufleet::inventory {
namespace {

constexpr char kSection[] = "sites";
constexpr double kMaxPercent = 100;

Status ReadCompletion(const YamlReporter& r, const YamlField& f, Site& site) {
  Result<double> v = ReadNumber(r, f);
  if (!v.ok()) return v.status();
  if (*v < 0 || *v > kMaxPercent) {
    return r.Error(f, "expected a percentage from 0 to 100, got " + f.value.Scalar());
  }
  site.project_completion_pct = *v;
  return Status::Ok();
}

Status ReadField(const YamlReporter& r, const YamlField& f, Site& site) {
  if (f.name == "id") return Assign(ReadSlug(r, f), site.id);
  if (f.name == "name") return Assign(ReadText(r, f), site.name);
  if (f.name == "country") return Assign(ReadCountry(r, f), site.country);
  if (f.name == "region") return Assign(ReadText(r, f), site.region);
  if (f.name == "provider") return Assign(ReadText(r, f), site.provider);
  if (f.name == "ownership") {
    return Assign(ReadEnum(r, f, kSiteOwnershipNames, "ownership"), site.ownership);
  }
  if (f.name == "state_funded") return Assign(ReadBool(r, f), site.state_funded);
  if (f.name == "public_hub") return Assign(ReadBool(r, f), site.public_hub);
  if (f.name == "project_completion_pct") return ReadCompletion(r, f, site);
  return r.Error(f.key, f.name,
                 "unknown key (known: id name country region provider ownership state_funded "
                 "public_hub project_completion_pct)");
}

}  // namespace

Result<std::vector<Site>> ReadSites(const YamlReporter& r, const YamlField& f) {
  Result<std::vector<YAML::Node>> entries = ListOf(r, f);
  if (!entries.ok()) return entries.status();
  std::vector<Site> sites;
  std::map<std::string, int> first_line;
  for (const YAML::Node& entry : *entries) {
    Result<std::vector<YamlField>> fields = MapFields(r, entry, kSection);
    if (!fields.ok()) return fields.status();
    Site site;
    for (const YamlField& field : *fields) GPUFLEET_RETURN_IF_ERROR(ReadField(r, field, site));
    GPUFLEET_RETURN_IF_ERROR(
        RequireKeys(r, entry, *fields, {"id", "name", "country", "ownership"}, "site"));
    if (site.ownership == SiteOwnership::kRented && site.provider.empty()) {
      return r.Error(entry, "provider", "missing; a rented site names the provider it rents from");
    }
    const YamlField& id = *FindField(*fields, "id");
    const auto [it, inserted] = first_line.emplace(site.id, id.value.Mark().line + 1);
    if (!inserted) {
      return r.Error(id, "'" + site.id + "' is already the id of the site on line " +
                             std::to_string(it->second));
    }
    sites.push_back(std::move(site));
  }
  return sites;
}

}  // namespace gpufleet::inventory
