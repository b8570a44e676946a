// Revoking a licence as a change file (licence_change.h). The record is copied from the rules
// in force as a YAML node, so every field the operator recorded (conditions, validity, routes)
// is kept as it was and only the status changes.

#include "gpufleet/compliance/licence_change.h"

#include <yaml-cpp/yaml.h>

#include "gpufleet/model/utf8.h"

namespace gpufleet::compliance {

Result<std::string> LicenceRevocation(std::string_view rules_yaml, std::string_view id,
                                      Date revoked_on) {
  YAML::Node rules;
  try {
    rules = YAML::Load(std::string(rules_yaml));
  } catch (const YAML::Exception& e) {
    return Status::Corruption(std::string("the rules in force do not read as YAML: ") + e.what());
  }
  const YAML::Node licences = rules.IsMap() ? rules["licences"] : YAML::Node();
  if (licences && licences.IsSequence()) {
    for (const YAML::Node& l : licences) {
      if (!l.IsMap() || !l["id"] || l["id"].Scalar() != id) continue;
      const std::string status = l["status"] ? l["status"].Scalar() : "";
      if (status == "revoked" || status == "denied") {
        return Status::FailedPrecondition("licence '" + Excerpt(id) + "' is already " + status);
      }
      YAML::Node record = YAML::Clone(l);
      record["status"] = "revoked";
      record["revoked_on"] = revoked_on.ToString();
      YAML::Node change(YAML::NodeType::Map);
      change["description"] = "revocation of licence " + std::string(id);
      change["licences"].push_back(record);
      YAML::Emitter out;
      out << change;
      return std::string(out.c_str());
    }
  }
  return Status::NotFound("licence '" + Excerpt(id) + "' not found in the rules in force");
}

}  // namespace gpufleet::compliance
