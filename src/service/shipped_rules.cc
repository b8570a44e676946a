#include "gpufleet/service/shipped_rules.h"

#include <utility>

#include "gpufleet/ledger/hash.h"

namespace gpufleet::service {
namespace {

std::string StampText(const std::optional<Date>& compiled) {
  return compiled ? "compiled " + compiled->ToString() : "no compiled: stamp";
}

std::string Describe(const ShippedRuleFile& file) {
  return file.name + " (sha256 " + file.hash + ", " + StampText(file.compiled) + ")";
}

std::string Describe(const ShippedRulesEntry& e) {
  const inventory::RulesShippedRecord& r = e.record;
  std::optional<Date> compiled;
  if (Result<Date> d = Date::Parse(r.compiled); !r.compiled.empty() && d.ok()) compiled = *d;
  return "sha256 " + r.new_hash + ", " + StampText(compiled) + ", recorded on " +
         Date::FromDays(static_cast<int32_t>(e.recorded_ms / 86'400'000)).ToString() +
         " by gpufleetd " + r.binary_version + " as ledger entry " + std::to_string(e.index);
}

}  // namespace

ShippedRuleFile DescribeShippedRules(std::string name, std::string_view text,
                                     std::optional<Date> compiled, std::string_view layered_text) {
  return {
      .name = std::move(name),
      .hash = ledger::HexHash(ledger::Sha256(text)),
      .compiled = compiled,
      .layered_hash = layered_text.empty() ? "" : ledger::HexHash(ledger::Sha256(layered_text))};
}

ShippedRulesDecision DecideShippedRules(const std::vector<ShippedRulesEntry>& history,
                                        const ShippedRuleFile& file,
                                        std::string_view binary_version) {
  ShippedRulesDecision d;
  d.record = {.old_hash = history.empty() ? "" : history.back().record.new_hash,
              .new_hash = file.hash,
              .compiled = file.compiled ? file.compiled->ToString() : "",
              .binary_version = std::string(binary_version),
              .downgrade = false,
              .layered_hash = file.layered_hash};
  if (history.empty()) {
    d.verdict = ShippedRulesVerdict::kNewer;
    return d;
  }
  const ShippedRulesEntry& last = history.back();
  if (last.record.new_hash == file.hash) {
    // The same file: recorded again only when the overlays on it changed.
    if (last.record.layered_hash != file.layered_hash) d.verdict = ShippedRulesVerdict::kNewer;
    return d;
  }

  // Stamps order files when both have one and they differ: a file edited back and forth
  // (A, then B, then A accepted as a downgrade) is upgraded to B again without the flag.
  std::optional<Date> last_compiled;
  if (!last.record.compiled.empty()) {
    if (Result<Date> stamp = Date::Parse(last.record.compiled); stamp.ok()) last_compiled = *stamp;
  }
  std::string older;
  if (file.compiled && last_compiled && *file.compiled != *last_compiled) {
    if (*file.compiled < *last_compiled) older = "its compiled: stamp is earlier";
  } else {
    // Equal or missing stamps: only the history orders the files. A hash the ledger recorded
    // before and that was superseded since is an older file coming back.
    for (const ShippedRulesEntry& e : history) {
      if (e.record.new_hash == file.hash) {
        older =
            "it was recorded as ledger entry " + std::to_string(e.index) + " and superseded since";
        break;
      }
    }
  }
  if (older.empty()) {
    d.verdict = ShippedRulesVerdict::kNewer;
    return d;
  }
  d.verdict = ShippedRulesVerdict::kOlder;
  d.record.downgrade = true;
  d.why = "the rule file " + Describe(file) + " is older than the one this store last ran (" +
          Describe(last) + "): " + older;
  return d;
}

Result<ShippedRulesOutcome> CheckShippedRules(InventoryService& inventory,
                                              const ShippedRuleFile& file,
                                              std::string_view binary_version,
                                              bool accept_downgrade) {
  ShippedRulesOutcome out;
  out.decision = DecideShippedRules(inventory.ShippedRules(), file, binary_version);
  if (out.decision.verdict == ShippedRulesVerdict::kUnchanged) return out;
  if (out.decision.verdict == ShippedRulesVerdict::kOlder && !accept_downgrade) {
    return Status::FailedPrecondition(
        out.decision.why +
        ". Rules go back only on purpose: start with --accept-rule-downgrade to run the older "
        "file (the downgrade is recorded in the ledger)");
  }
  if (const std::string why = inventory.read_only_reason(); !why.empty()) {
    out.not_recorded = "the inventory is read-only: " + why;
    return out;
  }
  Result<int64_t> index = inventory.RecordShippedRules(out.decision.record);
  if (!index.ok()) return index.status();
  out.index = *index;
  return out;
}

}  // namespace gpufleet::service
