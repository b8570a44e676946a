#include "inventory/fleet_writer.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>

#include "inventory/asset_csv.h"
#include "inventory/field_text.h"

namespace gpufleet::inventory {
namespace {

// Optional fields are written only when set: the reader takes an absent key as "not
// recorded" and rejects an empty value.
void EmitOrganisation(YAML::Emitter& out, const Organisation& o) {
  out << YAML::BeginMap;
  out << YAML::Key << "id" << YAML::Value << o.id;
  out << YAML::Key << "name" << YAML::Value << o.name;
  out << YAML::Key << "kind" << YAML::Value << std::string(OrgKindName(o.kind));
  if (!o.parent.empty()) out << YAML::Key << "parent" << YAML::Value << o.parent;
  out << YAML::Key << "hq_country" << YAML::Value << o.hq_country;
  out << YAML::EndMap;
}

void EmitSite(YAML::Emitter& out, const Site& s) {
  out << YAML::BeginMap;
  out << YAML::Key << "id" << YAML::Value << s.id;
  out << YAML::Key << "name" << YAML::Value << s.name;
  out << YAML::Key << "country" << YAML::Value << s.country;
  if (!s.region.empty()) out << YAML::Key << "region" << YAML::Value << s.region;
  if (!s.provider.empty()) out << YAML::Key << "provider" << YAML::Value << s.provider;
  out << YAML::Key << "ownership" << YAML::Value << std::string(SiteOwnershipName(s.ownership));
  if (s.state_funded) out << YAML::Key << "state_funded" << YAML::Value << true;
  if (s.public_hub) out << YAML::Key << "public_hub" << YAML::Value << true;
  if (s.project_completion_pct) {
    // Through FormatNumber, not the emitter's own double formatting, so the value reads
    // back exactly.
    out << YAML::Key << "project_completion_pct" << YAML::Value
        << FormatNumber(*s.project_completion_pct);
  }
  if (s.lat) out << YAML::Key << "lat" << YAML::Value << FormatNumber(*s.lat);
  if (s.lon) out << YAML::Key << "lon" << YAML::Value << FormatNumber(*s.lon);
  out << YAML::EndMap;
}

}  // namespace

std::string AssetsCsvName(const std::string& yaml_path) {
  return std::filesystem::path(yaml_path).stem().string() + ".assets.csv";
}

Status WriteFleet(const std::string& yaml_path, const std::vector<Organisation>& organisations,
                  const std::vector<Site>& sites, const std::vector<Node>& nodes,
                  const std::vector<Asset>& assets) {
  const std::string csv_name = AssetsCsvName(yaml_path);
  const std::string csv_path = (std::filesystem::path(yaml_path).parent_path() / csv_name).string();
  GPUFLEET_RETURN_IF_ERROR(WriteAssetsCsv(csv_path, assets));

  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "organisations" << YAML::Value << YAML::BeginSeq;
  for (const Organisation& o : organisations) EmitOrganisation(out, o);
  out << YAML::EndSeq;
  out << YAML::Key << "sites" << YAML::Value << YAML::BeginSeq;
  for (const Site& s : sites) EmitSite(out, s);
  out << YAML::EndSeq;
  if (!nodes.empty()) {
    out << YAML::Key << "nodes" << YAML::Value << YAML::BeginSeq;
    for (const Node& n : nodes) {
      out << YAML::BeginMap << YAML::Key << "id" << YAML::Value << n.id << YAML::Key << "site"
          << YAML::Value << n.site;
      if (!n.host_name.empty()) out << YAML::Key << "host_name" << YAML::Value << n.host_name;
      out << YAML::Key << "cpu_cores" << YAML::Value << n.cpu_cores << YAML::Key << "memory_gib"
          << YAML::Value << n.memory_gib << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::Key << "assets_csv" << YAML::Value << csv_name;
  out << YAML::EndMap;
  if (!out.good()) return Status::IOError(yaml_path + ": cannot emit YAML: " + out.GetLastError());

  std::ofstream file(yaml_path, std::ios::binary | std::ios::trunc);
  if (!file) return Status::IOError(yaml_path + ": cannot open for writing");
  file << out.c_str() << '\n';
  file.flush();
  if (!file) return Status::IOError(yaml_path + ": write failed");
  return Status::Ok();
}

}  // namespace gpufleet::inventory
