// The `sites` section: where hardware sits, who runs the building, and the policy attributes
// (state funding, public computing hub, project completion) some rules read.

#include <map>
#include <string>
#include <utility>

#include "gpufleet/model/utf8.h"
#include "inventory/yaml_sections.h"

namespace gpufleet::inventory {
namespace {

using codec::YamlField;
using codec::YamlMap;

constexpr double kMaxPercent = 100;
constexpr std::string_view kKeys[] = {"id",           "name",       "country",
                                      "region",       "provider",   "ownership",
                                      "state_funded", "public_hub", "project_completion_pct",
                                      "lat",          "lon"};

Status ReadCompletion(const YamlMap& m, const YamlField& f, Site& site) {
  Result<double> v = m.ReadNumber(f);
  if (!v.ok()) return v.status();
  if (*v < 0 || *v > kMaxPercent) {
    return m.Error(f, "expected a percentage from 0 to 100, got " + Excerpt(f.value->scalar()));
  }
  site.project_completion_pct = *v;
  return Status::Ok();
}

// A coordinate in degrees, within +-`limit`.
Status ReadDegrees(const YamlMap& m, const YamlField& f, double limit, std::optional<double>& out) {
  Result<double> v = m.ReadNumber(f);
  if (!v.ok()) return v.status();
  if (*v < -limit || *v > limit) {
    return m.Error(f, "expected degrees from " + FormatNumber(-limit) + " to " +
                          FormatNumber(limit) + ", got " + Excerpt(f.value->scalar()));
  }
  out = *v;
  return Status::Ok();
}

Status ReadField(const YamlMap& m, const YamlField& f, Site& site) {
  if (f.name == "id") return Assign(ReadSlug(m, f), site.id);
  if (f.name == "name") return Assign(m.ReadText(f), site.name);
  if (f.name == "country") return Assign(ReadCountry(m, f), site.country);
  if (f.name == "region") return Assign(m.ReadText(f), site.region);
  if (f.name == "provider") return Assign(m.ReadText(f), site.provider);
  if (f.name == "ownership") {
    return Assign(ReadEnum(m, f, kSiteOwnershipNames, "ownership"), site.ownership);
  }
  if (f.name == "state_funded") return Assign(m.ReadBool(f), site.state_funded);
  if (f.name == "public_hub") return Assign(m.ReadBool(f), site.public_hub);
  if (f.name == "project_completion_pct") return ReadCompletion(m, f, site);
  if (f.name == "lat") return ReadDegrees(m, f, 90, site.lat);
  if (f.name == "lon") return ReadDegrees(m, f, 180, site.lon);
  return m.UnknownKey(f, kKeys);
}

}  // namespace

Result<std::vector<Site>> ReadSites(const YamlMap& doc, const YamlField& f) {
  Result<std::vector<YamlField>> items = doc.ReadList(f);
  if (!items.ok()) return items.status();
  std::vector<Site> sites;
  std::map<std::string, int> first_line;
  for (const YamlField& item : *items) {
    Result<YamlMap> entry = doc.ReadMap(item);
    if (!entry.ok()) return entry.status();
    Site site;
    for (const YamlField& field : entry->fields()) {
      GPUFLEET_RETURN_IF_ERROR(ReadField(*entry, field, site));
    }
    GPUFLEET_RETURN_IF_ERROR(
        entry->RequireKeys({"id", "name", "country", "ownership"}, "every site needs one"));
    if (site.lat.has_value() != site.lon.has_value()) {
      return entry->Missing(site.lat ? "lon" : "lat", "a site's position needs both lat and lon");
    }
    if (site.ownership == SiteOwnership::kRented && site.provider.empty()) {
      return entry->Missing("provider", "a rented site names the provider it rents from");
    }
    const YamlField& id = *entry->Find("id");
    const auto [it, inserted] = first_line.emplace(site.id, id.value->line());
    if (!inserted) {
      return entry->Error(id, "'" + Excerpt(site.id) + "' is already the id of the site on line " +
                                  std::to_string(it->second));
    }
    sites.push_back(std::move(site));
  }
  return sites;
}

}  // namespace gpufleet::inventory
