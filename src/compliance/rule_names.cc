// Names of the rule enums as they appear in rule files and reports.

#include <array>
#include <string>

#include "gpufleet/compliance/rule_set.h"

namespace gpufleet::compliance {
namespace {

constexpr std::array<std::string_view, 6> kActionNames = {
    "allowed",          "warning",   "allowed_with_revenue_share", "notification_required",
    "licence_required", "prohibited"};
constexpr std::array<std::string_view, kTransferTypes> kTransferNames = {
    "export", "reexport", "in_country_transfer", "remote_access", "use"};

template <typename Enum, size_t N>
Result<Enum> ParseName(std::string_view name, const std::array<std::string_view, N>& names,
                       std::string_view what) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  std::string list;
  for (std::string_view n : names) list += (list.empty() ? "" : ", ") + std::string(n);
  return Status::InvalidArgument("unknown " + std::string(what) + " '" + std::string(name) +
                                 "' (one of: " + list + ")");
}

}  // namespace

std::string_view ActionName(Action a) { return kActionNames[static_cast<size_t>(a)]; }

Result<Action> ParseAction(std::string_view name) {
  // US spelling, as the Federal Register writes it.
  if (name == "license_required") return Action::kLicenceRequired;
  return ParseName<Action>(name, kActionNames, "action");
}

std::string_view RuleKindName(RuleKind k) {
  switch (k) {
    case RuleKind::kRegulation:
      return "regulation";
    case RuleKind::kGuidance:
      return "guidance";
    case RuleKind::kReported:
      return "reported";
    case RuleKind::kProposed:
      return "proposed";
    case RuleKind::kPolicy:
      return "policy";
  }
  return "unknown";
}

std::string_view TransferTypeName(TransferType t) { return kTransferNames[static_cast<size_t>(t)]; }

Result<TransferType> ParseTransferType(std::string_view name) {
  return ParseName<TransferType>(name, kTransferNames, "transfer type");
}

std::string_view QuotaMeasureName(QuotaMeasure m) {
  return m == QuotaMeasure::kDomesticShareMin ? "domestic_share_min" : "external_share_max";
}

std::string_view QuotaBasisName(QuotaBasis b) {
  switch (b) {
    case QuotaBasis::kCount:
      return "count";
    case QuotaBasis::kCompute:
      return "compute";
    case QuotaBasis::kSpend:
      return "spend";
  }
  return "unknown";
}

std::string_view LicenceStatusName(LicenceStatus s) {
  switch (s) {
    case LicenceStatus::kPending:
      return "pending";
    case LicenceStatus::kGranted:
      return "granted";
    case LicenceStatus::kDenied:
      return "denied";
    case LicenceStatus::kRevoked:
      return "revoked";
  }
  return "unknown";
}

std::string_view LicenceStateName(LicenceState s) {
  switch (s) {
    case LicenceState::kGranted:
      return "granted";
    case LicenceState::kDenied:
      return "denied";
    case LicenceState::kRevoked:
      return "revoked";
    case LicenceState::kPending:
      return "pending";
    case LicenceState::kExpired:
      return "expired";
    case LicenceState::kNotYetValid:
      return "not yet valid";
  }
  return "unknown";
}

std::string_view ComparisonName(Comparison c) {
  switch (c) {
    case Comparison::kGt:
      return "gt";
    case Comparison::kGe:
      return "ge";
    case Comparison::kLt:
      return "lt";
    case Comparison::kLe:
      return "le";
  }
  return "unknown";
}

std::string_view ComparisonSymbol(Comparison c) {
  switch (c) {
    case Comparison::kGt:
      return ">";
    case Comparison::kGe:
      return ">=";
    case Comparison::kLt:
      return "<";
    case Comparison::kLe:
      return "<=";
  }
  return "?";
}

}  // namespace gpufleet::compliance
