#pragma once
// The fleet inventory: the organisations involved (the company, its subsidiaries, external
// customers, counterparties), the sites, and every accelerator with its serial number, owner,
// operator, location, how it is held, when it was acquired and how it arrived. Export rules
// key on exactly these facts: hardware installed before a rule is treated differently from
// new acquisitions, and the path (export, re-export, transfer within a country) and the HQ of
// the end user's ultimate parent decide which rules apply (docs/compliance.md).
//
// File format (examples/fleet.yaml): a YAML map with
//   organisations: list of {id, name, kind, parent?, hq_country}
//   sites:         list of {id, name, country, region?, provider?, ownership, state_funded?,
//                  public_hub?, project_completion_pct?, lat?, lon?}
//   nodes:         optional list of {id, site, host_name?, cpu_cores, memory_gib}
//   assets:        optional inline list of maps, keys as the CSV columns below
//   assets_csv:    optional path of a CSV file, relative to the YAML file (large fleets)
// Assets CSV: a header row naming the columns, in any order: serial, model, site, owner,
// operator, holding, acquired, arrival (required) and node, from_country, declared_memory_gb,
// declared_tpp, declared_dram_bw_gbs (optional; a blank cell means "not recorded").
//
// Loading is strict, because a typo must not silently move a chip or change its path: unknown
// keys or columns, references to unknown organisations, sites or models, bad dates, enum
// values or country codes, duplicate organisation or site ids, parent cycles, and an arrival
// that contradicts from_country are InvalidArgument errors "file:line:column: field: what"
// (1-based line and column). On error nothing is returned, never a half-loaded inventory.
//
// Diversion flags are not errors: the import succeeds and reports them (flags()).
//
// Thread safety: immutable after construction; const methods are safe to call concurrently.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/model/date.h"
#include "gpufleet/status.h"

namespace gpufleet::inventory {

// In files: company, subsidiary, external_customer, counterparty.
enum class OrgKind { kCompany, kSubsidiary, kExternalCustomer, kCounterparty };

struct Organisation {
  std::string id;  // slug: lower-case letters, digits and '-'
  std::string name;
  OrgKind kind = OrgKind::kCompany;
  // Id of the organisation that controls this one; "" for none. A subsidiary must have one.
  std::string parent;
  std::string hq_country;  // ISO 3166-1 alpha-2

  friend bool operator==(const Organisation&, const Organisation&) = default;
};

// How the fleet's operator holds the facility. In files: owned, leased, rented (capacity
// rented from `provider`, who keeps the building).
enum class SiteOwnership { kOwned, kLeased, kRented };

struct Site {
  std::string id;  // slug
  std::string name;
  std::string country;   // ISO 3166-1 alpha-2; Hong Kong is "HK" (rules group it with CN)
  std::string region;    // province, state or city; "" when not recorded
  std::string provider;  // who runs the facility; required for kRented, otherwise may be ""
  SiteOwnership ownership = SiteOwnership::kOwned;
  // Policy attributes some rules read (e.g. the Chinese rules for state-funded projects).
  bool state_funded = false;
  bool public_hub = false;  // a public computing hub
  // Construction progress of the site's project, 0-100; nullopt when not applicable.
  std::optional<double> project_completion_pct;
  // Where the site is (WGS 84 degrees), for maps and for checking where a node says it is;
  // both or neither. Latitude -90..90, longitude -180..180.
  std::optional<double> lat;
  std::optional<double> lon;

  friend bool operator==(const Site&, const Site&) = default;
};

// A host accelerators sit in, with what placement needs besides them. Optional: a node the
// inventory has no record of gets the placement defaults per accelerator
// (scheduler::NodeResources). Assets name their node by `id` at their site.
struct Node {
  std::string id;          // as assets record it (Asset::node); unique within its site
  std::string site;        // Site::id
  std::string host_name;   // "" when not recorded
  int32_t cpu_cores = 0;   // 1..kMaxNodeCpuCores
  int32_t memory_gib = 0;  // 1..kMaxNodeMemoryGib

  friend bool operator==(const Node&, const Node&) = default;
};
inline constexpr int32_t kMaxNodeCpuCores = 100'000;
inline constexpr int32_t kMaxNodeMemoryGib = 10'000'000;

// How the operator holds an asset. In files: owned, leased, rented_remote (cloud capacity
// used remotely; the chip stays with its owner).
enum class Holding { kOwned, kLeased, kRentedRemote };

// How the asset reached its site. In files: export (shipped out of from_country),
// reexport (shipped on from a third country, from_country, after an earlier export),
// in_country_transfer (moved within the site's country).
enum class Arrival { kExport, kReexport, kInCountryTransfer };

struct Asset {
  std::string serial;  // as printed on the board; no surrounding spaces
  std::string model;   // catalog id (the import resolves aliases such as "H20")
  std::string site;    // Site::id
  std::string node;    // host or rack slot, free text; "" when not recorded
  std::string owner;   // Organisation::id of the legal owner
  // Organisation::id of whoever runs workloads on it: the end user rules look at.
  std::string operator_org;
  Holding holding = Holding::kOwned;
  Date acquired;  // installed-base rules compare this with a rule's effective date
  Arrival arrival = Arrival::kExport;
  // ISO alpha-2 country the asset was shipped from; "" when unknown. Differs from the site's
  // country for export and reexport, and equals it for in_country_transfer.
  std::string from_country;
  // What the supplier's paperwork says, compared with the catalog to spot relabelled parts.
  // nullopt when the paperwork gives no figure. GB, TPP (dimensionless), GB/s.
  std::optional<double> declared_memory_gb;
  std::optional<double> declared_tpp;
  std::optional<double> declared_dram_bw_gbs;
  // Where the asset was read from (the YAML file or the CSV file) and its 1-based line. Not
  // data: a written and re-read inventory has new positions.
  std::string file;
  int line = 0;

  friend bool operator==(const Asset&, const Asset&) = default;
};

// A cheap sign of diversion found at import. Flags are findings for a person to review, not
// load errors.
struct DiversionFlag {
  enum class Kind {
    // One serial recorded at two different sites: the chip cannot be in both.
    kSerialAtTwoSites,
    // One serial recorded twice at the same site.
    kSerialRegisteredTwice,
    // A declared spec more than 5% away from the catalog's figure for the declared model
    // (e.g. an H20 with 141 GB, which is what an H200 has).
    kSpecsContradictCatalog,
  };
  Kind kind = Kind::kSerialRegisteredTwice;
  std::string serial;
  // For people: "declared memory 141 GB, catalog says 96 GB for nvidia-h20-96gb".
  std::string detail;
  // The asset flagged (for duplicates: the later record); as in Asset.
  std::string file;
  int line = 0;

  friend bool operator==(const DiversionFlag&, const DiversionFlag&) = default;
};

// The spellings used in files ("external_customer", "rented_remote", "in_country_transfer"),
// and back; nullopt for an unknown spelling.
std::string_view OrgKindName(OrgKind kind);
std::optional<OrgKind> ParseOrgKind(std::string_view name);
std::string_view SiteOwnershipName(SiteOwnership ownership);
std::optional<SiteOwnership> ParseSiteOwnership(std::string_view name);
std::string_view HoldingName(Holding holding);
std::optional<Holding> ParseHolding(std::string_view name);
std::string_view ArrivalName(Arrival arrival);
std::optional<Arrival> ParseArrival(std::string_view name);
// "serial_at_two_sites", "serial_registered_twice", "specs_contradict_catalog".
std::string_view FlagKindName(DiversionFlag::Kind kind);

class Inventory {
 public:
  // Reads the fleet YAML at `fleet_yaml_path`; `assets_csv` is relative to its directory.
  // Models are resolved against `catalog`, which need not outlive the result. IOError when a
  // file cannot be read.
  static Result<Inventory> Load(const std::string& fleet_yaml_path,
                                const catalog::Catalog& catalog);
  // Parses `yaml` as if read from `name_for_errors` (used in messages only); `assets_csv` is
  // resolved against `base_dir` ("" = the current directory).
  static Result<Inventory> Parse(std::string_view yaml, const std::string& name_for_errors,
                                 const std::string& base_dir, const catalog::Catalog& catalog);

  // An inventory of records held elsewhere (the service's living inventory), with the flags
  // of FindDiversionFlags. InvalidArgument when an asset names an organisation, site or model
  // that is not there (the records are trusted otherwise: they passed the same checks).
  static Result<Inventory> FromRecords(std::vector<Organisation> organisations,
                                       std::vector<Site> sites, std::vector<Node> nodes,
                                       std::vector<Asset> assets, const catalog::Catalog& catalog);

  // In file order.
  const std::vector<Organisation>& organisations() const { return organisations_; }
  const std::vector<Site>& sites() const { return sites_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  // Inline assets first, then the CSV's rows, each in file order.
  const std::vector<Asset>& assets() const { return assets_; }
  // In the order of the assets they flag.
  const std::vector<DiversionFlag>& flags() const { return flags_; }

  // nullptr when there is no such id. Pointers stay valid while this Inventory lives.
  const Organisation* FindOrg(std::string_view id) const;
  const Site* FindSite(std::string_view id) const;
  // The record of node `id` at `site`; nullptr when there is none.
  const Node* FindNode(std::string_view site, std::string_view id) const;

  // HQ country of the organisation at the top of `org_id`'s parent chain: its own HQ when it
  // has no parent, "" for an unknown id. A China-headquartered parent makes an overseas
  // subsidiary subject to the HQ rules. Linear in the chain's length (cycles are load errors).
  std::string UltimateParentHq(std::string_view org_id) const;

  // Writes the fleet to `path` and every asset to a sibling CSV named after it
  // (out/fleet.yaml -> out/fleet.assets.csv), so that Load(path) gives the same
  // organisations, sites, assets (up to file and line) and flags. IOError on a write failure.
  Status WriteYaml(const std::string& path) const;

 private:
  Inventory() = default;

  std::vector<Organisation> organisations_;
  std::vector<Site> sites_;
  std::vector<Node> nodes_;
  std::vector<Asset> assets_;
  std::vector<DiversionFlag> flags_;
  // Ids -> indices into the vectors above (indices survive copies and moves).
  std::map<std::string, size_t, std::less<>> org_index_;
  std::map<std::string, size_t, std::less<>> site_index_;
  std::map<std::pair<std::string, std::string>, size_t, std::less<>> node_index_;
};

}  // namespace gpufleet::inventory
