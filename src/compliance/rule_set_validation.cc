// Whole-rule-set checks (rule_set_validation.h).

#include "compliance/rule_set_validation.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include "gpufleet/model/utf8.h"

namespace gpufleet::compliance::internal {
namespace {

std::string RuleWhere(const std::string& file, const Rule& r) {
  return file + ":" + std::to_string(r.line) + ": rule '" + Excerpt(r.id) + "' version " +
         std::to_string(r.version);
}

bool Overlap(const Rule& a, const Rule& b) {
  return a.effective_from <= b.effective_to && b.effective_from <= a.effective_to;
}

bool SameScope(const Rule& a, const Rule& b) {
  return a.jurisdiction == b.jurisdiction && a.chip.text() == b.chip.text() &&
         a.condition.text() == b.condition.text() && a.locations == b.locations &&
         a.locations_except == b.locations_except && a.end_user_hq == b.end_user_hq &&
         a.transfers == b.transfers && a.data_classes == b.data_classes;
}

bool CarvesOut(const Rule& a, const Rule& b) {
  return std::find(a.carves_out.begin(), a.carves_out.end(), b.id) != a.carves_out.end();
}

}  // namespace

Status ValidateRules(const std::string& file, const std::vector<Rule>& rules) {
  std::set<std::string> ids;
  for (const Rule& r : rules) ids.insert(r.id);
  for (size_t i = 0; i < rules.size(); ++i) {
    const Rule& a = rules[i];
    for (const std::string& c : a.carves_out) {
      if (!ids.count(c)) {
        return Status::InvalidArgument(RuleWhere(file, a) + ": carves_out names unknown rule '" +
                                       Excerpt(c) + "'");
      }
    }
    for (size_t j = i + 1; j < rules.size(); ++j) {
      const Rule& b = rules[j];
      if (a.id == b.id) {
        if (a.version == b.version) {
          return Status::InvalidArgument(RuleWhere(file, b) + ": version " +
                                         std::to_string(b.version) + " defined twice (also line " +
                                         std::to_string(a.line) + ")");
        }
        if (Overlap(a, b)) {
          return Status::InvalidArgument(
              RuleWhere(file, b) + ": overlaps version " + std::to_string(a.version) + " (line " +
              std::to_string(a.line) + ") in time; versions of one rule must not overlap");
        }
        continue;
      }
      if (Overlap(a, b) && SameScope(a, b) && a.action != b.action &&
          a.precedence == b.precedence && !CarvesOut(a, b) && !CarvesOut(b, a)) {
        return Status::InvalidArgument(
            RuleWhere(file, b) + ": same scope as rule '" + Excerpt(a.id) + "' (line " +
            std::to_string(a.line) + ") but a different action (" +
            std::string(ActionName(b.action)) + " vs " + std::string(ActionName(a.action)) +
            ") and no precedence between them; set precedence or carves_out");
      }
    }
  }
  return Status::Ok();
}

Status ValidateLicences(const std::string& file, const std::vector<Licence>& licences) {
  std::map<std::string_view, int> lines;
  for (const Licence& l : licences) {
    auto [it, added] = lines.emplace(l.id, l.line);
    if (!added) {
      return Status::InvalidArgument(file + ":" + std::to_string(l.line) + ": licence '" +
                                     Excerpt(l.id) + "' defined twice (also line " +
                                     std::to_string(it->second) + ")");
    }
  }
  return Status::Ok();
}

}  // namespace gpufleet::compliance::internal
