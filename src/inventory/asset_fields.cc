#include "inventory/asset_fields.h"

#include <utility>

#include "gpufleet/model/country_code.h"
#include "gpufleet/model/utf8.h"
#include "inventory/enum_names.h"
#include "inventory/field_text.h"

namespace gpufleet::inventory {
namespace {

Status Bad(std::string what) { return Status::InvalidArgument(std::move(what)); }

Status SetSerial(const AssetRefs&, const std::string& text, Asset& a) {
  // " 1652" and "1652" would be two serials to a machine and one to a person, which hides
  // exactly the duplicates the diversion checks look for.
  if (text.front() == ' ' || text.back() == ' ' || text.front() == '\t' || text.back() == '\t') {
    return Bad("'" + Excerpt(text) + "' has leading or trailing blanks");
  }
  a.serial = text;
  return Status::Ok();
}

Status SetModel(const AssetRefs& refs, const std::string& text, Asset& a) {
  const catalog::AcceleratorSpec* spec = refs.catalog().Find(text);
  if (spec == nullptr) return Bad("unknown model '" + Excerpt(text) + "' (no catalog id or alias)");
  a.model = spec->id;
  return Status::Ok();
}

Status SetSite(const AssetRefs& refs, const std::string& text, Asset& a) {
  if (refs.FindSite(text) == nullptr) return Bad("unknown site '" + Excerpt(text) + "'");
  a.site = text;
  return Status::Ok();
}

Status SetNode(const AssetRefs&, const std::string& text, Asset& a) {
  a.node = text;
  return Status::Ok();
}

Status SetOrg(const AssetRefs& refs, const std::string& text, std::string& out) {
  if (!refs.HasOrg(text)) return Bad("unknown organisation '" + Excerpt(text) + "'");
  out = text;
  return Status::Ok();
}
Status SetOwner(const AssetRefs& refs, const std::string& text, Asset& a) {
  return SetOrg(refs, text, a.owner);
}
Status SetOperator(const AssetRefs& refs, const std::string& text, Asset& a) {
  return SetOrg(refs, text, a.operator_org);
}

Status SetHolding(const AssetRefs&, const std::string& text, Asset& a) {
  const std::optional<Holding> h = ParseHolding(text);
  if (!h) return Bad(UnknownName(kHoldingNames, "holding", text));
  a.holding = *h;
  return Status::Ok();
}

Status SetAcquired(const AssetRefs&, const std::string& text, Asset& a) {
  Result<Date> d = Date::Parse(text);
  if (!d.ok()) return d.status();
  a.acquired = *d;
  return Status::Ok();
}

Status SetArrival(const AssetRefs&, const std::string& text, Asset& a) {
  const std::optional<Arrival> arrival = ParseArrival(text);
  if (!arrival) return Bad(UnknownName(kArrivalNames, "arrival", text));
  a.arrival = *arrival;
  return Status::Ok();
}

Status SetFromCountry(const AssetRefs&, const std::string& text, Asset& a) {
  if (std::optional<std::string> problem = CountryCodeProblem(text)) return Bad(*problem);
  a.from_country = text;
  return Status::Ok();
}

// A declared figure of zero is a typo, not a spec: no accelerator has no memory.
Status SetPositive(const std::string& text, std::optional<double>& out) {
  const std::optional<double> v = ParseNumber(text);
  if (!v) return Bad("expected a number, got '" + Excerpt(text) + "'");
  if (*v <= 0) return Bad("must be positive, got " + Excerpt(text));
  out = *v;
  return Status::Ok();
}
Status SetDeclaredMemory(const AssetRefs&, const std::string& text, Asset& a) {
  return SetPositive(text, a.declared_memory_gb);
}
Status SetDeclaredTpp(const AssetRefs&, const std::string& text, Asset& a) {
  return SetPositive(text, a.declared_tpp);
}
Status SetDeclaredDramBw(const AssetRefs&, const std::string& text, Asset& a) {
  return SetPositive(text, a.declared_dram_bw_gbs);
}

std::string Optional(const std::optional<double>& v) { return v ? FormatNumber(*v) : ""; }

constexpr AssetColumn kColumns[] = {
    {"serial", true, false, SetSerial, [](const Asset& a) { return a.serial; }},
    {"model", true, false, SetModel, [](const Asset& a) { return a.model; }},
    {"site", true, false, SetSite, [](const Asset& a) { return a.site; }},
    {"node", false, false, SetNode, [](const Asset& a) { return a.node; }},
    {"owner", true, false, SetOwner, [](const Asset& a) { return a.owner; }},
    {"operator", true, false, SetOperator, [](const Asset& a) { return a.operator_org; }},
    {"holding", true, false, SetHolding,
     [](const Asset& a) { return std::string(HoldingName(a.holding)); }},
    {"acquired", true, false, SetAcquired, [](const Asset& a) { return a.acquired.ToString(); }},
    {"arrival", true, false, SetArrival,
     [](const Asset& a) { return std::string(ArrivalName(a.arrival)); }},
    {"from_country", false, false, SetFromCountry, [](const Asset& a) { return a.from_country; }},
    {"declared_memory_gb", false, true, SetDeclaredMemory,
     [](const Asset& a) { return Optional(a.declared_memory_gb); }},
    {"declared_tpp", false, true, SetDeclaredTpp,
     [](const Asset& a) { return Optional(a.declared_tpp); }},
    {"declared_dram_bw_gbs", false, true, SetDeclaredDramBw,
     [](const Asset& a) { return Optional(a.declared_dram_bw_gbs); }},
};

}  // namespace

AssetRefs::AssetRefs(const catalog::Catalog& catalog,
                     const std::vector<Organisation>& organisations, const std::vector<Site>& sites)
    : catalog_(catalog) {
  for (const Organisation& o : organisations) orgs_.insert(o.id);
  for (const Site& s : sites) sites_.emplace(s.id, &s);
}

const Site* AssetRefs::FindSite(std::string_view id) const {
  const auto it = sites_.find(id);
  return it == sites_.end() ? nullptr : it->second;
}

std::span<const AssetColumn> AssetColumns() { return kColumns; }

const AssetColumn* FindAssetColumn(std::string_view name) {
  for (const AssetColumn& c : kColumns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string AssetColumnList() {
  std::string out;
  for (const AssetColumn& c : kColumns) {
    if (!out.empty()) out += ' ';
    out += c.name;
  }
  return out;
}

std::optional<AssetProblem> CheckAsset(const AssetRefs& refs, const Asset& asset) {
  // Rules key on the path, so a path that contradicts itself must not load as either reading.
  const Site* site = refs.FindSite(asset.site);
  if (site != nullptr && !asset.from_country.empty()) {
    const bool same = asset.from_country == site->country;
    if (asset.arrival == Arrival::kInCountryTransfer && !same) {
      return AssetProblem{"from_country", "'" + Excerpt(asset.from_country) +
                                              "' is not the country of site '" + site->id + "' (" +
                                              site->country +
                                              "), but arrival is in_country_transfer"};
    }
    if (asset.arrival != Arrival::kInCountryTransfer && same) {
      return AssetProblem{"from_country", "'" + Excerpt(asset.from_country) +
                                              "' is the country of site '" + site->id +
                                              "' itself, but arrival is " +
                                              std::string(ArrivalName(asset.arrival)) +
                                              " (use in_country_transfer)"};
    }
  }
  if (asset.holding == Holding::kRentedRemote && asset.owner == asset.operator_org) {
    return AssetProblem{"owner", "'" + asset.owner +
                                     "' both owns and operates it, but holding is "
                                     "rented_remote (rented capacity belongs to someone else)"};
  }
  return std::nullopt;
}

}  // namespace gpufleet::inventory
